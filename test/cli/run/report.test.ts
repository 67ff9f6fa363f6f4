/**
 * Every run leaves a report: after the user's history is imported, two daily runs on consecutive
 * days each write one, and what it shows (values, changes since the previous stored day,
 * sparklines, crossings) is what the store holds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../cli/program.ts";
import { roundHalfEven } from "../../../steps/domain/ranking.ts";
import { captureIo, REPO_ROOT, tempDir, USER_SYMBOLS } from "../../support/cli.ts";
import { querySqlite } from "../../support/sqlite.ts";
import { pathPoints, reportRows, subpaths } from "../../steps/report/xml.ts";

const dir = tempDir("stock-rsi-run-report-");
const file = join(dir.path, "rsi.db");
const db = `sqlite:${file}`;

async function cli(...argv: string[]) {
  const io = captureIo({ now: new Date("2021-05-19T23:00:00Z") });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** A day's stored values by symbol. */
function storedOn(date: string): Map<string, number> {
  return new Map(querySqlite<{ symbol: string; rsi: number }>(file, "SELECT symbol, rsi FROM rsi_values WHERE trade_date = ? AND method = 'seed'", date).map((r) => [r.symbol, r.rsi]));
}

/** The sparkline's points as (slot, height): a segment of one value is drawn `M x y h0`. */
function sparkPoints(d: string): string[] {
  return subpaths(d).flatMap((sub) => (sub.includes("h0") ? [pathPoints(sub)[0]!] : pathPoints(sub))).map((p) => `${p.x} ${p.y}`);
}

beforeAll(async () => {
  expect((await cli("import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", db)).code).toBe(0);
  for (const day of ["2021-05-18", "2021-05-19"]) {
    const run = await cli("run", USER_SYMBOLS, "--source", "sample", "--as-of", day, "--db", db, "--report", join(dir.path, `${day}.html`));
    expect(run.code, run.stderr).toBe(0);
  }
});
afterAll(() => dir.cleanup());

describe("the report a run writes", () => {
  it("shows the day's stored values, each change since the previous stored day, and OB/OS by the shown value", () => {
    const today = storedOn("2021-05-19");
    const before = storedOn("2021-05-18");
    const rows = reportRows(readFileSync(join(dir.path, "2021-05-19.html"), "utf8"));
    expect(rows).toHaveLength(180);
    for (const row of rows) {
      const value = roundHalfEven(today.get(row.symbol)!);
      expect(row.value, row.symbol).toBe(value.toFixed(2));
      expect(Number(row.change.replace("−", "-")), row.symbol).toBeCloseTo(value - roundHalfEven(before.get(row.symbol)!), 6);
      expect(row.marker, row.symbol).toBe(value >= 70 ? "OB" : value <= 30 ? "OS" : "");
    }
  });

  it("shows each symbol's close and its change since the previous day's close; after the imported history, the close alone", () => {
    const closesOn = (date: string) =>
      new Map(querySqlite<{ symbol: string; close: number }>(file, "SELECT symbol, close FROM rsi_values WHERE trade_date = ? AND method = 'seed'", date).map((r) => [r.symbol, r.close]));
    const [today, before] = [closesOn("2021-05-19"), closesOn("2021-05-18")];
    for (const row of reportRows(readFileSync(join(dir.path, "2021-05-19.html"), "utf8"))) {
      const [close, previous] = [today.get(row.symbol)!, before.get(row.symbol)!];
      expect(row.close, row.symbol).toBe(close.toFixed(2));
      const percent = (close / previous - 1) * 100;
      expect(Number(row.priceChange!.replace("−", "-").replace("%", "")), row.symbol).toBeCloseTo(percent, 2);
      expect(row.priceDirection, row.symbol).toBe(Number(percent.toFixed(2)) > 0 ? "up" : Number(percent.toFixed(2)) < 0 ? "dn" : "");
    }
    // The day before 2021-05-18 is the imported history, which kept no prices: no change, not 0.
    const first = reportRows(readFileSync(join(dir.path, "2021-05-18.html"), "utf8"));
    expect(first.map((r) => [r.symbol, r.close])).toEqual(first.map((r) => [r.symbol, before.get(r.symbol)!.toFixed(2)]));
    expect(new Set(first.map((r) => r.priceChange))).toEqual(new Set([""]));
  });

  it("draws each sparkline from the last 60 stored trading days, the imported history included", () => {
    const days = querySqlite<{ d: string }>(file, "SELECT DISTINCT trade_date AS d FROM rsi_values WHERE method = 'seed' AND trade_date <= '2021-05-19' ORDER BY d")
      .map((r) => r.d)
      .slice(-60);
    expect(days[0]! < "2021-05-18").toBe(true); // mostly the imported history
    const rows = reportRows(readFileSync(join(dir.path, "2021-05-19.html"), "utf8"));
    for (const symbol of ["EBKDY", "AAPL", "ABNB"]) {
      const stored = querySqlite<{ trade_date: string; rsi: number }>(file, "SELECT trade_date, rsi FROM rsi_values WHERE symbol = ? AND method = 'seed' AND trade_date >= ? ORDER BY trade_date", symbol, days[0]!);
      const expected = stored.map((v) => `${days.indexOf(v.trade_date)} ${100 - Math.round(v.rsi)}`);
      const line = Array.from(rows.find((r) => r.symbol === symbol)!.sparkline.getElementsByTagName("path")).find((p) => !p.getAttribute("class"))!;
      expect(sparkPoints(line.getAttribute("d")!), symbol).toEqual(expected);
    }
  });

  it("lists as crossings exactly the symbols whose zone differs between the two stored days", () => {
    const zone = (rsi: number) => (roundHalfEven(rsi) >= 70 ? "overbought" : roundHalfEven(rsi) <= 30 ? "oversold" : "neutral");
    const today = storedOn("2021-05-19");
    const before = storedOn("2021-05-18");
    const moved = [...today].filter(([symbol, rsi]) => zone(rsi) !== zone(before.get(symbol)!)).map(([symbol]) => symbol).sort();
    const html = readFileSync(join(dir.path, "2021-05-19.html"), "utf8");
    const section = html.slice(html.indexOf("Crossings since 2021-05-18"), html.indexOf("Ranking, strongest first"));
    const shown = [...new Set([...section.matchAll(/<b>([A-Z0-9.^=-]+)<\/b>/g)].map((m) => m[1]!))].sort();
    expect(moved.length).toBeGreaterThan(0);
    expect(shown).toEqual(moved);
  });
});

/**
 * `stock-rsi report` draws a stored day from the store alone: on the user's imported history, its
 * values and changes are the stored ones, its sparklines span the stored days, and its crossings
 * are what the two stored days say.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { roundHalfEven } from "../../steps/domain/ranking.ts";
import { captureIo, REPO_ROOT, tempDir } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { reportRows, subpaths } from "../steps/report/xml.ts";

const dir = tempDir("stock-rsi-report-");
const file = join(dir.path, "history.db");
const db = `sqlite:${file}`;

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

beforeAll(async () => {
  expect((await cli("import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", db)).code).toBe(0);
});
afterAll(() => dir.cleanup());

const stored = (date: string) =>
  new Map(querySqlite<{ symbol: string; rsi: number }>(file, "SELECT symbol, rsi FROM rsi_values WHERE trade_date = ?", date).map((r) => [r.symbol, r.rsi]));

describe("stock-rsi report", () => {
  it("draws the last stored day on or before --as-of with the stored values, changes since the day before, and sparklines", async () => {
    const out = join(dir.path, "report.html");
    // 2021-05-16 is a Sunday: the report is of Friday the 14th, changes since Thursday the 13th.
    const result = await cli("report", "--db", db, "--as-of", "2021-05-16", "--days", "10", "--out", out);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^report: \d+ symbols for 2021-05-14 \(seed, period 14\), sparklines over 10 stored trading days: /);

    const today = stored("2021-05-14");
    const before = stored("2021-05-13");
    const rows = reportRows(readFileSync(out, "utf8"));
    expect(rows.map((r) => r.symbol).sort()).toEqual([...today.keys()].sort());
    for (const row of rows) {
      const value = today.get(row.symbol)!;
      expect(row.value, row.symbol).toBe(roundHalfEven(value).toFixed(2));
      const previous = before.get(row.symbol);
      if (previous === undefined) continue;
      const change = roundHalfEven(value) - roundHalfEven(previous);
      expect(Number(row.change.replace("−", "-")), row.symbol).toBeCloseTo(change, 6);
      expect(row.marker === "OB", row.symbol).toBe(roundHalfEven(value) >= 70);
      expect(row.marker === "OS", row.symbol).toBe(roundHalfEven(value) <= 30);
    }
    // Ten stored days of the imported history: a symbol stored on all of them has one unbroken line.
    const ebkdy = rows.find((r) => r.symbol === "EBKDY")!;
    const line = Array.from(ebkdy.sparkline.getElementsByTagName("path")).find((p) => !p.getAttribute("class"))!;
    expect(subpaths(line.getAttribute("d")!)).toHaveLength(1);
  });

  it("names the run of an imported day as the original program's table, not as unknown", async () => {
    // import-legacy records one run, on its last day; the values of every day name it.
    for (const asOf of ["2021-05-14", "2021-05-17"]) {
      const out = join(dir.path, `imported-${asOf}.html`);
      expect((await cli("report", "--db", db, "--as-of", asOf, "--out", out)).code).toBe(0);
      const meta = readFileSync(out, "utf8").match(/<p class="meta">(.*?)<\/p>/)![1]!;
      expect(meta, asOf).toMatch(/run <b title="import-legacy:[^"]+">imported from the original program&#39;s table<\/b>$/);
      expect(meta).not.toContain("unknown");
    }
  });

  it("says when nothing is stored on or before the day, with status 2", async () => {
    const result = await cli("report", "--db", db, "--as-of", "2020-01-01", "--out", join(dir.path, "none.html"));
    expect(result).toMatchObject({ code: 2, stderr: `stock-rsi: report: ${db} holds no values (seed, period 14) on or before 2020-01-01\n` });
  });
});

/**
 * The user's own history, read against the prices it came from: the real dump
 * (test/fixtures/legacy/prod-db.sql) and the real recorded Yahoo answers for MSFT and NVDA
 * (test/fixtures/yahoo/). Two facts the docs rest on (docs/storage.md, "What a legacy row's date
 * means"):
 * - the seed method reproduces the original program's numbers to the stored two decimals;
 * - a row of the original `stocks` table is dated by the day the program ran, and on most days it
 *   ran before the close: its value is the RSI of the closes *before* its date, over the 91 days
 *   before it, i.e. of the previous trading session. The new pipeline dates a value by the session
 *   whose close it includes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedRsi } from "../../../steps/domain/rsi.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures");

/** The wide table's rows: date → the value of each column, by column name. */
function legacyRows(): Map<string, Map<string, number | null>> {
  const dump = readFileSync(join(FIXTURES, "legacy/prod-db.sql"), "utf8");
  const create = dump.slice(dump.indexOf("CREATE TABLE `stocks`"), dump.indexOf(") ENGINE"));
  const columns = [...create.matchAll(/`([^`]+)` float/g)].map((m) => m[1]!);
  const rows = new Map<string, Map<string, number | null>>();
  for (const [, date, values] of dump.matchAll(/\('(\d{4}-\d\d-\d\d)',([^)]*)\)/g)) {
    const cells = values!.split(",");
    rows.set(date!, new Map(columns.map((c, i) => [c, cells[i] === "NULL" ? null : Number(cells[i])])));
  }
  return rows;
}

/** A recorded chart answer's daily closes, dated in the exchange's time zone. */
function recordedCloses(file: string): { date: string; close: number }[] {
  const { response } = JSON.parse(readFileSync(join(FIXTURES, "yahoo", file), "utf8"));
  const result = response.bodyJson.chart.result[0];
  return result.timestamp.map((t: number, i: number) => ({
    date: new Date((t + result.meta.gmtoffset) * 1000).toISOString().slice(0, 10),
    close: result.indicators.quote[0].close[i],
  }));
}

const daysBefore = (date: string, days: number) => new Date(Date.parse(date) - days * 86_400_000).toISOString().slice(0, 10);

/** The seed RSI the original program would print on `runDay` before the close: closes in [runDay - 91, runDay). */
function rsiBeforeTheClose(bars: { date: string; close: number }[], runDay: string): string {
  const closes = bars.filter((b) => b.date >= daysBefore(runDay, 91) && b.date < runDay).map((b) => b.close);
  const outcome = seedRsi(closes);
  if (!outcome.ok) throw new Error(`${runDay}: ${outcome.message}`);
  return outcome.rsi.toFixed(2);
}

describe("the original program's history, against the prices it came from", () => {
  const rows = legacyRows();
  // Rows whose 91-day window lies inside the recordings (they start on 2021-02-01).
  const days = [...rows.keys()].filter((d) => d >= "2021-05-05" && d <= "2021-05-17");

  it.each([
    ["MSFT", "chart-MSFT-dividends-2021-02-01-to-2022-01-31.json"],
    ["NVDA", "chart-NVDA-split-2021-02-01-to-2022-01-31.json"],
  ])("%s: a row dated D holds the seed RSI of the closes before D, to the stored two decimals", (symbol, file) => {
    const bars = recordedCloses(file);
    const matching = days.filter((day) => rows.get(day)!.get(symbol)!.toFixed(2) === rsiBeforeTheClose(bars, day));
    // 2021-05-06 is the one day in these weeks the program ran after the close.
    expect(days.filter((d) => !matching.includes(d))).toEqual(["2021-05-06"]);
    expect(matching).toHaveLength(8);
  });
});

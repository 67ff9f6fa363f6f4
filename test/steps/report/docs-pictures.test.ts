/**
 * The docs' pictures are of what `npm run docs:screenshots` runs, and the docs say what is in
 * them: the alt texts and the chart's command are the ones in `docs-pictures.ts`, the script runs
 * those commands, and what the docs say about the chart's gaps is what the user's history holds.
 * Read from the files alone (the docs, the script's source, the dump): nothing is run or timed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { legacyValuesOf } from "../../../cli/import-legacy/legacy-values.ts";
import { parseMysqldumpTable } from "../../../cli/import-legacy/mysqldump.ts";
import { tradingDaysBetween } from "../../../steps/domain/market-calendar.ts";
import { legacyDatesWithValues } from "../../../steps/store/store.ts";
import { CHART, CHART_COMMAND, FAILURES, PICTURED_RUN_DAY, PICTURES, RUN_DAYS } from "./docs-pictures.ts";
import { REPO_ROOT } from "./fixture.ts";

const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");
const reports = read("docs/reports.md");
const readme = read("README.md");
const script = read("test/steps/report/docs-screenshots.ts");

/** Each `![alt](path)` of a Markdown page, by the picture's file name. */
function pictures(markdown: string): Map<string, string> {
  return new Map([...markdown.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => [m[2]!.split("/").at(-1)!, m[1]!]));
}

/** A section of a Markdown page, from its heading to the next one of the same level or above. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe("the docs' pictures", () => {
  it("are introduced with the alt texts of what the script draws, in the README and in docs/reports.md", () => {
    const name = (file: string) => file.split("/").at(-1)!;
    expect(pictures(reports).get(name(PICTURES.report.file))).toBe(PICTURES.report.alt);
    expect(pictures(readme).get(name(PICTURES.report.file))).toBe(PICTURES.report.alt);
    expect(pictures(reports).get(name(PICTURES.chart.file))).toBe(PICTURES.chart.alt);
    expect(PICTURES.report.alt).toContain(PICTURED_RUN_DAY);
    for (const part of [...CHART.symbols, CHART.from, CHART.to]) expect(PICTURES.chart.alt).toContain(part);
  });

  it("show the chart's command as the script runs it", () => {
    const chart = section(reports, "The history chart");
    const block = chart.slice(chart.indexOf("```sh\n") + 6, chart.indexOf("\n```", chart.indexOf("```sh\n")));
    expect(block).toBe(`npx stock-rsi ${CHART_COMMAND.join(" ")}`);
  });

  it("come from the script that runs these commands, and say which failures and days it stages", () => {
    expect(JSON.parse(read("package.json")).scripts["docs:screenshots"]).toBe("tsx test/steps/report/docs-screenshots.ts");
    // The script takes every command and picture from docs-pictures.ts: none of its own.
    expect(script).toMatch(/import \{ CHART_COMMAND, FAILURES, PICTURED_RUN_DAY, PICTURES, RUN_DAYS \} from "\.\/docs-pictures\.ts";/);
    expect(script).toContain("stockRsi(CHART_COMMAND, inDir)");
    expect(script).toContain("for (const day of RUN_DAYS)");
    expect(script).not.toMatch(/fixture\.ts|renderReport|renderHistoryChart/);
    const where = section(reports, "Where the pictures come from");
    for (const stated of [...RUN_DAYS, FAILURES.delisted, FAILURES.rateLimited, FAILURES.stale.symbol, FAILURES.stale.lastClose, "import-legacy", "--yahoo-url", "--report"]) {
      expect(where, stated).toContain(stated);
    }
  });

  it("say which trading days the chart has gaps on: those without a value in the user's history", () => {
    const dump = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
    const stored = new Set(legacyDatesWithValues(legacyValuesOf(parseMysqldumpTable(readFileSync(dump, "utf8"), "stocks", dump), dump).table));
    const lastImported = [...stored].sort().at(-1)!;
    const missing = tradingDaysBetween(CHART.from, lastImported).filter((day) => !stored.has(day));
    const stated = [...section(reports, "The history chart").matchAll(/\d{4}-\d{2}-\d{2}/g)].map((m) => m[0]).filter((d) => !([CHART.from, CHART.to] as string[]).includes(d));
    expect(missing.length).toBeGreaterThan(0);
    expect(stated).toEqual(missing);
    // The run days follow the history: every day on the chart after it is a run's.
    expect(tradingDaysBetween(lastImported, CHART.to).slice(1)).toEqual([...RUN_DAYS]);
  });
});

/**
 * `npm run docs:screenshots`: redraws the pictures the docs show, from the same deterministic
 * input the browser tests use, in the same headless Chromium with JavaScript off:
 * - docs/images/report-180.png: the run report for the user's 180 symbols, the whole page;
 * - docs/images/history-chart.png: the history chart of three of them over 145 trading days,
 *   one with two missing days and one starting late.
 * Run it after changing how the report or the chart looks, and look at the result.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHistoryChart } from "../../../steps/report/history-chart.ts";
import { renderReport } from "../../../steps/report/report.ts";
import { launchChromium } from "../../support/browser.ts";
import { chartFixture, REPO_ROOT, reportFixture, symbolsOf } from "./fixture.ts";

const IMAGES = join(REPO_ROOT, "docs/images");

async function main(): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-docs-"));
  const browser = await launchChromium();
  try {
    const drawings: [string, string][] = [
      ["report-180", renderReport(reportFixture(symbolsOf(180)).input)],
      ["history-chart", renderHistoryChart(chartFixture(3))],
    ];
    for (const [name, markup] of drawings) {
      const source = join(dir, name === "history-chart" ? `${name}.svg` : `${name}.html`);
      writeFileSync(source, markup);
      const opened = await browser.open(source);
      const target = join(IMAGES, `${name}.png`);
      writeFileSync(target, opened.screenshot);
      await opened.close();
      console.log(`wrote ${target} (${opened.screenshot.length.toLocaleString("en-US")} bytes)`);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * `npm run docs:screenshots`: redraws the pictures the docs show from what the program writes
 * (`docs-pictures.ts` says which commands, and why these): the user's history imported into a
 * temporary SQLite store, two daily runs of their 180 symbols through the Yahoo double with real
 * failures, `run --report` writing each run's report, and `history --chart` on that store. Each
 * page is then opened in headless Chromium with JavaScript off, as the Argo UI shows it, and its
 * whole height written as a PNG. The commands run as a user runs them (`bin/stock-rsi.mjs`, child
 * processes, real files); a command that does not end as expected stops the script, so a picture
 * is never of a run that went otherwise.
 *
 * Run it after changing how the report or the chart looks, and look at the result. The pictures
 * are of the same data each time; only the run's start time (its local run id) differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../../support/browser.ts";
import { REPO_ROOT, stockRsi, tempDir, USER_SYMBOLS, type CliResult } from "../../support/cli.ts";
import { YahooDouble } from "../../support/yahoo-double.ts";
import { CHART_COMMAND, FAILURES, PICTURED_RUN_DAY, PICTURES, RUN_DAYS } from "./docs-pictures.ts";

async function main(): Promise<void> {
  // Every command runs in a new directory with the default store there (`sqlite:stock-rsi.db`),
  // as the README's everyday commands do: no --db flag, and the page names no temporary path.
  const dir = tempDir("stock-rsi-docs-");
  const inDir = { cwd: dir.path };
  const yahoo = await YahooDouble.start();
  yahoo.unknown(FAILURES.delisted).failAlways(FAILURES.rateLimited, { kind: "rate-limited" }).quirk(FAILURES.stale.symbol, { endsOn: FAILURES.stale.lastClose });
  const browser = await launchChromium();
  try {
    expectDone(await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql")], inDir), "import-legacy");
    for (const day of RUN_DAYS) {
      const run = await stockRsi(["run", USER_SYMBOLS, "--as-of", day, "--yahoo-url", yahoo.url, "--report", `report-${day}.html`], inDir);
      expectDone(run, `run --as-of ${day}`);
      for (const symbol of [FAILURES.delisted, FAILURES.rateLimited, FAILURES.stale.symbol]) {
        if (!run.stderr.includes(`validate: no value for ${symbol} (`)) throw new Error(`run --as-of ${day}: ${symbol} did not fail as the double makes it:\n${run.stderr}`);
      }
    }
    expectDone(await stockRsi(CHART_COMMAND, inDir), CHART_COMMAND.join(" "));

    const drawings: [string, string][] = [
      [join(dir.path, `report-${PICTURED_RUN_DAY}.html`), PICTURES.report.file],
      [join(dir.path, CHART_COMMAND.at(-1)!), PICTURES.chart.file],
    ];
    for (const [source, picture] of drawings) {
      const opened = await browser.open(source);
      const target = join(REPO_ROOT, picture);
      mkdirSync(join(target, ".."), { recursive: true });
      writeFileSync(target, opened.screenshot);
      await opened.close();
      console.log(`wrote ${picture} (${opened.screenshot.length.toLocaleString("en-US")} bytes) from ${source.slice(dir.path.length + 1)}: ${readFileSync(source).length.toLocaleString("en-US")} bytes`);
    }
  } finally {
    await browser.close();
    await yahoo.close();
    dir.cleanup();
  }
}

function expectDone(result: CliResult, what: string): void {
  if (result.code !== 0) throw new Error(`stock-rsi ${what} ended with status ${result.code}:\n${result.stderr}`);
}

await main();

/**
 * `npm run bench:report`: how big the run report is and how long it takes, for the user's 180
 * symbols and for 1,000 (the user's, then made-up ones), each with 60-day sparklines.
 *
 * Measured for each size:
 * - the HTML's size in bytes, and gzipped (for a store or a proxy that compresses);
 * - rendering it (`renderReport`, in this process, after 5 warm-up runs), median of 15 runs;
 * - headless Chromium, JavaScript off, from asking for the file to: its load event; a
 *   screenshot of the first screen (1280 × 800), the time a person waits before the page is
 *   drawn; a screenshot of the whole page, which for a long page is mostly PNG encoding. Median
 *   of 5 runs, each in a fresh page of one running browser (starting it is not counted).
 * And `stock-rsi backfill` of the user's 180 symbols over 20 trading days against the Yahoo
 * double answering every request in 100 ms (as `bench:fetch`), into a fresh SQLite file: wall
 * time and requests, beside what 20 daily runs would ask (3,600 requests).
 * And what a report's reads of the store cost on ten years of history (2,520 days × 180 symbols
 * in SQLite), each row checked (`steps/store/stored-rows.ts`): its last 60 stored days, every
 * stored day (`history --gaps`), beside the bare `SELECT DISTINCT trade_date` that counted days
 * before rows were checked. Median of 9.
 *
 * Timings are reported, never asserted; they depend on the machine.
 *
 *     npm run bench:report
 *     npm run bench:report -- --sizes 180,1000,5000 --runs 3 --latency-ms 100
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { addDays } from "../steps/domain/dates.ts";
import { renderReport } from "../steps/report/report.ts";
import { openSqliteStore } from "../steps/store/sqlite.ts";
import { browserAvailable, CHROMIUM, launchChromium, type PageTimings } from "../test/support/browser.ts";
import { reportFixture, symbolsOf } from "../test/steps/report/fixture.ts";
import { stockRsi, USER_SYMBOLS } from "../test/support/cli.ts";
import { YahooDouble } from "../test/support/yahoo-double.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "180,1000" },
    runs: { type: "string", default: "5" },
    "latency-ms": { type: "string", default: "100" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const browserRuns = Number(values.runs);

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-report-"));
  const withBrowser = browserAvailable();
  const browser = withBrowser ? await launchChromium() : undefined;
  const rows: string[][] = [];
  try {
    for (const size of sizes) {
      const { input } = reportFixture(symbolsOf(size));
      const renders: number[] = [];
      let html = "";
      for (let i = 0; i < 5; i++) html = renderReport(input); // warm-up, not counted
      for (let i = 0; i < 15; i++) {
        const start = performance.now();
        html = renderReport(input);
        renders.push(performance.now() - start);
      }
      const bytes = Buffer.byteLength(html);
      const file = join(dir, `report-${size}.html`);
      writeFileSync(file, html);

      const timings: PageTimings[] = [];
      for (let i = 0; browser && i < browserRuns; i++) timings.push(await browser.time(file));
      const ms = (pick: (t: PageTimings) => number) => (browser ? `${Math.round(median(timings.map(pick)))} ms` : "n/a");
      console.error(`  ${size} symbols: ${bytes} bytes, render ${median(renders).toFixed(1)} ms, first screen ${ms((t) => t.firstScreen)}`);
      rows.push([
        `${size} (${input.ranking.length} ranked)`,
        `${bytes.toLocaleString("en-US")} B (${kB(bytes)})`,
        kB(gzipSync(html).length),
        `${Math.round(bytes / input.ranking.length)} B`,
        `${median(renders).toFixed(1)} ms`,
        ms((t) => t.load),
        ms((t) => t.firstScreen),
        ms((t) => t.fullPage),
      ]);
    }
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const chromium = withBrowser ? `Chromium at ${CHROMIUM} (headless, JavaScript off), median of ${browserRuns}` : "no Chromium";
  const load = loadavg()[0]!.toFixed(1);
  console.log(`stock-rsi report benchmark: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}, load average ${load}), ${chromium}; 60-day sparklines`);
  console.log("");
  console.log("| symbols | HTML | gzipped | per ranked symbol | renderReport | Chromium: load | first screen shot | full-page shot |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  await benchBackfill();
  await benchStoredDays();
}

/** The days a report reads from ten years of 180 symbols, each row checked, against the bare DISTINCT. */
async function benchStoredDays(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-days-"));
  const file = join(dir, "rsi.db");
  try {
    await (await openSqliteStore(file)).close();
    const db = new Database(file);
    const insert = db.prepare("INSERT INTO rsi_values VALUES (?, ?, 'seed', 14, ?, NULL, NULL, 'bench')");
    let day = "2011-01-03";
    db.transaction(() => {
      for (let d = 0; d < 2520; d++, day = addDays(day, 1)) for (let s = 0; s < 180; s++) insert.run(day, `S${s}`, (s * 7 + d) % 100);
    })();
    db.close();
    const store = await openSqliteStore(file, { access: "read" });
    const reader = new Database(file, { readonly: true });
    const distinct = reader.prepare("SELECT DISTINCT trade_date FROM rsi_values WHERE method = 'seed' AND period = 14 ORDER BY trade_date");
    const timed = async (work: () => unknown) => {
      const samples: number[] = [];
      for (let i = 0; i < 9; i++) {
        const start = performance.now();
        await work();
        samples.push(performance.now() - start);
      }
      return `${Math.round(median(samples))} ms`;
    };
    const last60 = await timed(() => store.tradingDays({ last: 60 }));
    const all = await timed(() => store.tradingDays({}));
    const bare = await timed(() => distinct.all());
    reader.close();
    await store.close();
    console.log("");
    console.log("stored trading days, 2,520 days × 180 symbols in SQLite, every row checked (median of 9):");
    console.log("");
    console.log("| the report's last 60 days | every day (history --gaps) | bare SELECT DISTINCT trade_date |");
    console.log("| ---: | ---: | ---: |");
    console.log(`| ${last60} | ${all} | ${bare} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 180 symbols × 20 trading days (2021-04-19 to 2021-05-14) from the Yahoo double. */
async function benchBackfill(): Promise<void> {
  const latencyMs = Number(values["latency-ms"]);
  const double = await YahooDouble.start();
  double.latencyMs = latencyMs;
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-backfill-"));
  try {
    const start = performance.now();
    const result = await stockRsi(["backfill", USER_SYMBOLS, "--from", "2021-04-19", "--to", "2021-05-14", "--source", "yahoo", "--db", `sqlite:${join(dir, "rsi.db")}`], {
      env: { STOCK_RSI_YAHOO_URL: double.url },
    });
    const seconds = (performance.now() - start) / 1000;
    if (result.code !== 0) throw new Error(`backfill failed (${result.code}): ${result.stderr}`);
    const days = result.stdout.trim().split("\n").length;
    console.log("");
    console.log(`backfill, 180 symbols × ${days} trading days, Yahoo double at ${latencyMs} ms per answer, concurrency 4, into SQLite:`);
    console.log("");
    console.log("| wall (whole process) | requests | daily runs for the same days would ask |");
    console.log("| ---: | ---: | ---: |");
    console.log(`| ${seconds.toFixed(1)} s | ${double.stats.requests} | ${180 * days} |`);
  } finally {
    await double.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

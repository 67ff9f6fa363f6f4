/**
 * `stock-rsi status`: what a store holds, on one screen. The database (its URL without a
 * password) and schema version; for each series (method, period): its days, the trading days
 * without a value, its symbols and the ones that stopped appearing, the last run recorded and
 * when, and the history `import-legacy` brought in; on MySQL, the wide `stocks` table.
 *
 * Named `status` (alias `summary`) because that is the word a person reaches for to ask "is my
 * daily job storing, and what do I have?" (`git status`, `systemctl status`): it answers both.
 *
 * It only reads (the reader account is enough) and never migrates. Every value and record it
 * counts went through the store's checks: a row that is not one is skipped and named on stderr.
 */
import { Command } from "commander";
import { addDays, dateIn, MARKET_TIME_ZONE } from "../steps/domain/dates.ts";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { seriesContents, storedRange, type SeriesContents, type StoppedSymbol } from "../steps/domain/series-contents.ts";
import { SETTINGS } from "../steps/pipeline.ts";
import { settingOption, withExitStatuses } from "../steps/command-line/flags.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";
import type { RecordedRun, RsiStore, Series, WideTableShape } from "../steps/store/store.ts";

export interface StatusOptions {
  readonly db: string;
  readonly json?: boolean;
}

/** What `status --json` prints. */
export interface StoreStatus {
  readonly database: string;
  readonly schemaVersion: number;
  readonly series: readonly SeriesStatus[];
  /** MySQL's wide table; null when there is none (always on SQLite). */
  readonly stocksTable: WideTableShape | null;
}

export interface SeriesStatus extends Series, SeriesContents {
  /** The run recorded last (by when it was written), whichever day it stored. */
  readonly lastRun: RecordedRun | null;
  /** The values `import-legacy` stored that are still stored as imported. */
  readonly imported: { readonly from: string; readonly to: string; readonly values: number; readonly days: number } | null;
}

/** The stopped symbols are wrapped to 80 columns, and take at most this many lines. */
const WIDTH = 80;
const STOPPED_LINES_AT_MOST = 8;

export function statusCommand(io: Io): Command {
  const command = new Command("status")
    .alias("summary")
    .description("summarize what the store holds: each series' days, gaps, symbols (and those that stopped), last run, imported history")
    .addOption(settingOption(SETTINGS.db))
    .option("--json", "print it as JSON (see docs/storage.md) instead of text")
    .action(async (options: StatusOptions) => {
      await printStatus(options, io);
    });
  return withExitStatuses(command, [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function printStatus(options: StatusOptions, io: Io): Promise<void> {
  if (options.db === "none") throw new UserError("status: --db none stores nothing; give the database to summarize");
  // Loaded here, not at the top: `--help` needs no store or database driver.
  const { openStore } = await import("../steps/store/open-store.ts");
  const store = await openStore(options.db, { env: io.env, access: "read", log: (line) => logLine(io, "status", line) });
  try {
    const status = await readStatus(store, addDays(dateIn(MARKET_TIME_ZONE, io.now()), -1));
    io.out(options.json ? `${JSON.stringify(status, null, 2)}\n` : statusText(status));
  } finally {
    await store.close();
  }
}

/** Reads what `status` shows; `through` is the last day a missing value counts as a gap. */
export async function readStatus(store: RsiStore, through: string): Promise<StoreStatus> {
  const series: SeriesStatus[] = [];
  for (const one of await store.storedSeries()) {
    const contents = seriesContents(await store.history(one), through);
    // Every row of the series was skipped by the checks: nothing of it to show.
    if (!contents) continue;
    const lastRun = (await store.runs(one)).at(-1) ?? null;
    const imported = storedRange(await store.history({ ...one, imported: true })) ?? null;
    series.push({ ...one, ...contents, lastRun, imported });
  }
  const stocksTable = (await store.wideTableShape?.()) ?? null;
  return { database: store.description, schemaVersion: store.schema.after, series, stocksTable };
}

/** The summary as lines a person reads, one screen for the user's 180 symbols and their imported history. */
export function statusText(status: StoreStatus): string {
  const lines = [`${status.database}: schema version ${status.schemaVersion}`];
  if (status.series.length === 0) lines.push("no values stored yet (stock-rsi run stores the first day)");
  for (const s of status.series) {
    lines.push(`${s.method}, period ${s.period}:`);
    const closed = s.closedDays.length > 0 ? ` (${s.closedDays.length} on days the NYSE was closed, imported as dated)` : "";
    lines.push(field("days", `${s.days}, ${s.firstDay} to ${s.lastDay}${closed}`));
    const since = s.gaps.since > 0 ? `; ${s.gaps.since} since, to ${s.gaps.through}` : "";
    lines.push(field("gaps", `${s.gaps.within} trading days without a value${since} (history --gaps)`));
    lines.push(field("symbols", `${s.symbols}, ${s.onLastDay} on ${s.lastDay}${s.stopped.length > 0 ? `; ${s.stopped.length} stopped appearing (last day):` : ""}`));
    lines.push(...stoppedLines(s.stopped));
    const run = s.lastRun;
    if (run) {
      lines.push(field("last run", `${run.runId}, written ${run.writtenAt.slice(0, 16).replace("T", " ")} UTC`));
      lines.push(field("", `stored ${run.tradeDate}: ${run.ranked} ranked, ${run.failed} failed; source: ${run.source}`));
    }
    if (s.imported) lines.push(field("imported", `${s.imported.values} values on ${s.imported.days} days, ${s.imported.from} to ${s.imported.to}`));
  }
  const wide = status.stocksTable;
  if (status.database.startsWith("mysql:")) {
    lines.push(
      wide
        ? `stocks table: ${wide.rows} rows${wide.firstDay ? `, ${wide.firstDay} to ${wide.lastDay}` : ""}, ${wide.symbolColumns} symbol columns`
        : "stocks table: none (persist creates it; --no-wide-table leaves it out)",
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}

const LABEL = 12;

function field(label: string, text: string): string {
  return `  ${label.padEnd(LABEL - 2)}${text}`;
}

/**
 * The stopped symbols, each day's after the symbols that stopped on it (`JKH VMW (2021-04-21),`),
 * wrapped to the width; past a few lines, how many more.
 */
function stoppedLines(stopped: readonly StoppedSymbol[]): string[] {
  const words = stopped.map((s, i) => (stopped[i + 1]?.lastDay === s.lastDay ? s.symbol : `${s.symbol} (${s.lastDay})${i + 1 < stopped.length ? "," : ""}`));
  const lines: string[] = [];
  let line: string[] = [];
  let shown = 0;
  for (const word of words) {
    if (line.length > 0 && LABEL + [...line, word].join(" ").length > WIDTH) {
      lines.push(line.join(" "));
      shown += line.length;
      line = [];
      if (lines.length === STOPPED_LINES_AT_MOST) break;
    }
    line.push(word);
  }
  if (line.length > 0) {
    lines.push(line.join(" "));
    shown += line.length;
  }
  if (shown < stopped.length) lines.push(`and ${stopped.length - shown} more (status --json lists them all)`);
  return lines.map((l) => field("", l));
}

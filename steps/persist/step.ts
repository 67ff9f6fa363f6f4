/**
 * The persist step's work: read the validated artifact, store the day's values, print the
 * ranking, and write the run's report. Its command (`command.ts`) loads this only when it runs,
 * so `--help` loads neither the artifact contract nor the database drivers.
 */
import { MAX_LABEL_LENGTH, VALIDATED, type ValidatedArtifact } from "../domain/artifacts.ts";
import { dateIn, MARKET_TIME_ZONE } from "../domain/dates.ts";
import { nyseClosedOn } from "../domain/market-calendar.ts";
import { contradictionIn } from "../validate/rules.ts";
import { readArtifact } from "../files/artifact-files.ts";
import { guardOutputs, type CommandOutputs } from "../files/output-files.ts";
import { PolicyFailedError, UserError } from "../domain/errors.ts";
import { formatRanking, rank, rankingJson } from "../domain/ranking.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { databaseFiles, openStore } from "../store/open-store.ts";
import type { DayWrite, RsiStore, WriteSummary } from "../store/store.ts";
import { DEFAULT_SPARKLINE_DAYS, renderReport, reportSignals } from "../report/report.ts";
import { describeSignal, formatSignals, OVERBOUGHT, OVERSOLD } from "../report/signals.ts";
import { reportInput, stepSummaries } from "./report.ts";

export interface PersistOptions {
  readonly in: string;
  readonly db: string;
  readonly store: boolean;
  readonly wideTable: boolean;
  readonly runId?: string;
  readonly rankingOut?: string;
  readonly reportOut?: string;
  readonly signalsOut?: string;
  readonly json?: boolean;
}

export async function runPersist(options: PersistOptions, io: Io): Promise<void> {
  const database = options.store ? databaseFiles(options.db, io.env) : { keeps: [], reads: [] };
  const outputs = guardOutputs({
    keeps: database.keeps,
    reads: [{ path: options.in, role: "the artifact this step reads (--in)" }, ...database.reads],
    outputs: [
      { flag: "--report-out", path: options.reportOut },
      { flag: "--ranking-out", path: options.rankingOut },
      { flag: "--signals-out", path: options.signalsOut },
    ],
  });
  const validated = readArtifact(options.in, VALIDATED, "stock-rsi validate");
  if (!validated.passed) {
    throw new PolicyFailedError(`${options.in}: validation failed for this run; refusing to store it (see its checks)`);
  }
  assertAsValidated(validated, options.in, io);
  const ranking = rank(validated.results);
  const lines = formatRanking(ranking);
  const runId = options.runId ?? `local-${io.now().toISOString()}`;
  let crossed: ReturnType<typeof reportSignals>;

  if (!options.store || options.db === "none" || validated.tradeDate === null) {
    const persisted =
      !options.store || options.db === "none"
        ? "not storing (--no-store or --db none)"
        : // Validation passed with no values: every symbol failed and --max-failed-share allowed it.
          `nothing to store: none of the ${new Set(validated.failures.map((f) => f.symbol)).size} symbols has a value`;
    logLine(io, "persist", persisted);
    crossed = await writeReport(validated, runId, persisted, options, outputs, undefined);
  } else {
    if (runId.length > MAX_LABEL_LENGTH) throw new UserError(`--run-id: ${runId.length} characters; at most ${MAX_LABEL_LENGTH}`);
    const store = await openStore(options.db, {
      env: io.env,
      access: "write",
      wideTable: options.wideTable,
      log: (line) => logLine(io, "persist", line),
    });
    try {
      if (store.schema.applied.length > 0) {
        logLine(io, "persist", `${store.description}: schema migrated from version ${store.schema.before} to ${store.schema.after}`);
      }
      const summary = await store.writeDay(dayWriteOf(validated, validated.tradeDate, runId));
      const persisted = `stored ${validated.results.length} values for ${validated.tradeDate} in ${store.description} (${summary.inserted} new, ${summary.updated} updated)`;
      logLine(io, "persist", persisted);
      const wide = wideTableLine(summary);
      if (wide) logLine(io, "persist", wide);
      crossed = await writeReport(validated, runId, persisted, options, outputs, store);
    } finally {
      await store.close();
    }
  }

  if (options.rankingOut) outputs.write(options.rankingOut, lines.map((l) => `${l}\n`).join(""));
  if (options.json) io.out(`${JSON.stringify(jsonResult(validated, ranking), null, 2)}\n`);
  else io.out(lines.map((l) => `${l}\n`).join(""));
  sayCrossings(crossed, io);
}

/**
 * The day's crossings, on stderr after the ranking, one line each: a person running `run` on a
 * laptop sees them without opening the report (stdout keeps only the ranking). Nothing when no
 * earlier day is stored to measure them from.
 */
function sayCrossings(crossed: ReturnType<typeof reportSignals>, io: Io): void {
  const since = crossed.previousTradeDate;
  if (since === null) return;
  for (const signal of crossed.signals) logLine(io, "persist", `signal: ${describeSignal(signal)}`);
  const count = crossed.signals.length === 0 ? "no crossings" : `${crossed.signals.length} ${crossed.signals.length === 1 ? "crossing" : "crossings"}`;
  logLine(io, "persist", `${count} of ${OVERBOUGHT} or ${OVERSOLD} since ${since}, the previous stored trading day`);
}

/**
 * The run's report (`--report-out`) and its crossings (`--signals-out`, the Argo output parameter
 * `signals`), from the values just stored and the store's history before them; without a store,
 * from today's values alone. Returns the crossings, which persist also prints.
 */
async function writeReport(
  validated: ValidatedArtifact,
  runId: string,
  persisted: string,
  options: PersistOptions,
  outputs: CommandOutputs,
  store: RsiStore | undefined,
): Promise<ReturnType<typeof reportSignals>> {
  const input = await reportInput(
    {
      asOf: validated.asOf,
      tradeDate: validated.tradeDate ?? validated.asOf,
      method: validated.method,
      period: validated.period,
      runId,
      source: validated.source,
      steps: stepSummaries(validated, persisted),
      ranking: validated.results,
      failures: validated.failures,
    },
    store,
    // The crossings need the previous stored day alone; the report's sparklines, two months.
    options.reportOut ? DEFAULT_SPARKLINE_DAYS : 2,
  );
  const crossed = reportSignals(input);
  if (options.reportOut) outputs.write(options.reportOut, renderReport(input));
  if (options.signalsOut) {
    const signals = formatSignals(crossed.signals);
    outputs.write(options.signalsOut, signals === "" ? "" : `${signals}\n`);
  }
  return crossed;
}

/**
 * Refuses an artifact that says something validate would not have let through (validate's own
 * rules, re-applied: see `contradictionIn`), a trading day that has not happened yet, a trading
 * day or close dated on a day the NYSE was closed (the stores refuse it too), or a source
 * longer than the store keeps, with the field at fault, before the database is opened. The store
 * is the last line of defence: a value edited into the file after validation would otherwise go
 * straight into the long table and the user's Excel `stocks` table.
 */
function assertAsValidated(v: ValidatedArtifact, file: string, io: Io): void {
  const unchecked = "it no longer says what validate checked: regenerate it with stock-rsi validate; nothing was stored";
  const contradiction = contradictionIn(v);
  if (contradiction) throw new UserError(`${file}: ${contradiction.field}: ${contradiction.problem}; ${unchecked}`);
  const today = dateIn(MARKET_TIME_ZONE, io.now());
  if (v.tradeDate !== null && v.tradeDate > today) {
    throw new UserError(`${file}: tradeDate: ${v.tradeDate} is after today in New York (${today}); a day that has not happened has no closes; nothing was stored`);
  }
  const closedDay = closedDayIn(v);
  if (closedDay) {
    throw new UserError(`${file}: ${closedDay.field}: ${closedDay.closed}; a value is stored under an NYSE trading day only (fetch drops bars dated on other days): regenerate it from stock-rsi fetch; nothing was stored`);
  }
  if (v.source !== undefined && v.source.length > MAX_LABEL_LENGTH) {
    throw new UserError(`${file}: source: ${v.source.length} characters; the store keeps at most ${MAX_LABEL_LENGTH}; ${unchecked}`);
  }
}

/** The first date of the artifact the values would be stored under, or with, that is not an NYSE trading day. */
function closedDayIn(v: ValidatedArtifact): { readonly field: string; readonly closed: string } | undefined {
  const closed = v.tradeDate === null ? undefined : nyseClosedOn(v.tradeDate);
  if (closed) return { field: "tradeDate", closed };
  for (const [i, r] of v.results.entries()) {
    const closedClose = nyseClosedOn(r.date);
    if (closedClose) return { field: `results[${i}].date`, closed: closedClose };
  }
  return undefined;
}

/** What a store writes for a validated run: its values under the trading day, with the run's facts. */
export function dayWriteOf(validated: ValidatedArtifact, tradeDate: string, runId: string): DayWrite {
  return {
    runId,
    tradeDate,
    asOf: validated.asOf,
    source: validated.source ?? "unknown",
    method: validated.method,
    period: validated.period,
    results: validated.results,
    failures: validated.failures,
  };
}

export function wideTableLine(summary: WriteSummary): string | undefined {
  const wide = summary.wideTable;
  if (!wide) return undefined;
  if (!wide.written) return `stocks table not written: ${wide.reason}`;
  const row =
    wide.columnsAdded.length > 0
      ? `stocks table: wrote the day's row, adding ${wide.columnsAdded.length} symbol columns (${wide.columnsAdded.join(", ")})`
      : "stocks table: wrote the day's row";
  const left = wide.withoutColumn ?? [];
  return left.length > 0 ? `${row}; ${left.join(", ")} ${left.length === 1 ? "has" : "have"} no column there (the table's own date column has that name)` : row;
}

/** The `--json` result: the ranking (full precision and rounded) and what failed. */
function jsonResult(v: ValidatedArtifact, ranking: ReturnType<typeof rank>) {
  return {
    asOf: v.asOf,
    tradeDate: v.tradeDate,
    method: v.method,
    period: v.period,
    ranking: rankingJson(ranking),
    failures: v.failures,
  };
}

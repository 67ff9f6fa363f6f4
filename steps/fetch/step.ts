/**
 * The fetch step's work: the symbols file in, each symbol's closes from the price source, the
 * prices artifact out (see `command.ts` for what the step does and when it fails). Its command
 * loads this only when it runs.
 */
import { MAX_LABEL_LENGTH, type Failure } from "../domain/artifacts.ts";
import { writeArtifact } from "../files/artifact-files.ts";
import { guardOutputs } from "../files/output-files.ts";
import { addDays, dateIn, daysBetween, FIRST_DATE, MARKET_TIME_ZONE } from "../domain/dates.ts";
import { UnavailableError, UserError } from "../domain/errors.ts";
import { readSymbolsFile } from "../files/symbols-file.ts";
import { PARAMETERS } from "../pipeline.ts";
import { logLine, printable, type Io } from "../command-line/io.ts";
import { TRADING_DAY_SLACK_DAYS, windowOnTradingDay } from "./hygiene.ts";
import { notAfterToday, windowStart } from "./window.ts";
import { pricesArtifact, type FetchedPrices } from "./prices-artifact.ts";
import { RETRIABLE_REASONS, type FetchFailureReason, type RequestPolicy } from "./scheduler.ts";
import { clipToWindow, closedDaysLine, fetchOnTradingDays, type PriceSource } from "./source.ts";
import { startProgress } from "./progress.ts";
import { fileSource, recordedCloses, replayedFiles } from "./sources/file.ts";
import { sampleSource } from "./sources/sample.ts";
import { yahooSource } from "./sources/yahoo.ts";
import type { PriceField } from "./price-field.ts";
import { parseBaseUrl, YAHOO_URL_ENV } from "./sources/yahoo-http.ts";

export interface FetchOptions {
  readonly symbols: string;
  readonly out: string;
  readonly asOf?: string | undefined;
  readonly lookbackDays: number;
  /** Backfill: the first of the days whose windows to fetch, as one window from its start to the as-of date. */
  readonly firstDay?: string;
  readonly source: string;
  readonly concurrency?: number;
  readonly requestIntervalMs?: number;
  /** 0 or undefined: no deadline. */
  readonly fetchDeadlineSeconds?: number;
  readonly maxStaleDays?: number;
  readonly priceField?: PriceField;
  /** A Yahoo mirror; falls back to `$STOCK_RSI_YAHOO_URL`. */
  readonly yahooUrl?: string | undefined;
  /** Retry timings and the per-request timeout; not flags (tests and benchmarks shorten them). */
  readonly tuning?: Partial<Pick<RequestPolicy, "maxAttempts" | "backoffBaseMs" | "backoffMaxMs" | "retryAfterMaxMs">> & {
    readonly requestTimeoutMs?: number;
  };
}

export async function runFetch(options: FetchOptions, io: Io): Promise<FetchedPrices> {
  const outputs = guardOutputs({
    reads: [{ path: options.symbols, role: "the symbols file (--symbols)" }, ...replayedFiles(options.source)],
    outputs: [{ flag: "--out", path: options.out }],
  });
  const { symbols, warnings } = readSymbolsFile(options.symbols);
  for (const warning of warnings) logLine(io, "fetch", `warning: ${warning}`);
  const source = selectSource(options, io);
  const asOf = asOfDate(options.asOf, io);
  if (options.firstDay && options.firstDay > asOf) throw new UserError(`--first-day ${options.firstDay} is after the as-of date ${asOf}`);
  const from = options.firstDay ? windowStart(options.firstDay, options.lookbackDays, "--first-day") : windowStart(asOf, options.lookbackDays);
  const maxStaleDays = options.maxStaleDays ?? Number(PARAMETERS.maxStaleDays.default);

  logLine(io, "fetch", `${symbols.length} symbols from ${source.name}, ${from} to ${asOf}`);
  const progress = startProgress(io, symbols.length);
  const asked = daysBetween(FIRST_DATE, from) > TRADING_DAY_SLACK_DAYS ? addDays(from, -TRADING_DAY_SLACK_DAYS) : FIRST_DATE;
  const fetched = await fetchOnTradingDays(source, { symbols, asOf, from: asked, onSymbolDone: () => progress.tick() });
  progress.done();
  const { failures } = fetched;
  if (options.source.startsWith("file:") && fetched.series.length > 0 && fetched.series.every((s) => s.bars.every((b) => b.close === null))) {
    throw replayMissesWindow(options.source, symbols, { from, asOf, given: Boolean(options.asOf) });
  }
  const closed = closedDaysLine(fetched.closedDays);
  if (closed) logLine(io, "fetch", closed);
  // For backfill (--first-day) the file holds every day's window; backfill cuts each one itself.
  const { tradingDay, from: windowFrom, series } = options.firstDay
    ? { tradingDay: asOf, from, series: fetched.series.map((s) => clipToWindow(s, { from, asOf })) }
    : windowOnTradingDay(fetched.series, asOf, options.lookbackDays);
  if (tradingDay < asOf && series.length > 0) {
    logLine(io, "fetch", `the latest close is ${tradingDay}, so the window is ${windowFrom} to ${tradingDay}, as a run on ${tradingDay} had`);
  }

  const artifact = pricesArtifact({ asOf, source: source.name, priceField: options.priceField, series, failures, maxStaleDays });
  const { stale } = artifact;
  writeArtifact(outputs.open(options.out), artifact);

  for (const line of failureSummary(failures)) logLine(io, "fetch", line);
  if (stale.length > 0) {
    const listed = stale.map((s) => `${s.symbol} (${s.lastClose})`).join(" ");
    logLine(io, "fetch", `${stale.length} stale series, last close more than ${maxStaleDays} trading days before ${asOf}: ${listed}`);
  }
  logLine(io, "fetch", `${series.length} of ${symbols.length} symbols fetched, ${failures.length} failed; wrote ${options.out}`);

  if (source.name === "yahoo" && series.length === 0 && failures.length > 0 && failures.every(isPassing)) {
    throw new UnavailableError(`fetch: Yahoo gave nothing for any of ${symbols.length} symbols (${reasonCounts(failures)}); try again later`);
  }
  return artifact;
}

/**
 * The as-of date: the one given, or (unset, or "" as an Argo parameter left empty) today in New
 * York. A later date is refused: a day that has not happened has no closes, and a run for it
 * would store values under a future day that every later run would then have to overwrite.
 */
function asOfDate(given: string | undefined, io: Io): string {
  return given ? notAfterToday(given, "--as-of", io) : dateIn(MARKET_TIME_ZONE, io.now());
}

/**
 * A replayed file none of whose closes falls in the window: every symbol would fail compute-rsi
 * with "0 closes", the usual cause being a file from another time replayed without `--as-of`.
 * One line that names both sides and the as-of date that meets the file, instead.
 */
function replayMissesWindow(source: string, symbols: readonly string[], window: { from: string; asOf: string; given: boolean }): UserError {
  const closes = recordedCloses(source.slice("file:".length), symbols);
  const asOf = window.given ? `--as-of ${window.asOf}` : `no --as-of: today in New York`;
  const held = closes ? `the file's closes run from ${closes.first} to ${closes.last}` : "the file holds no close for these symbols";
  const fix = closes ? `pass --as-of ${closes.last} to replay it` : "replay a prices file that has them";
  return new UserError(`--source ${source}: ${held}; the window is ${window.from} to ${window.asOf} (${asOf}): not one close in it; ${fix}`);
}

/** The price source `--source` names; `yahoo` with its politeness policy and mirror. */
export function selectSource(options: Pick<FetchOptions, "source" | "yahooUrl" | "fetchDeadlineSeconds" | "tuning" | "priceField" | "concurrency" | "requestIntervalMs">, io: Io): PriceSource {
  const spec = options.source;
  if (spec.length > MAX_LABEL_LENGTH) {
    throw new UserError(`--source: ${spec.length} characters; a source is stored with every run, and the store keeps at most ${MAX_LABEL_LENGTH} (use a shorter path)`);
  }
  if (spec === "sample") return sampleSource;
  if (spec.startsWith("file:") && spec.length > 5) return fileSource(spec.slice(5));
  if (spec !== "yahoo") throw new UserError(`--source: unknown source "${spec}"; use yahoo, sample or file:PATH`);

  const fromEnv = io.env[YAHOO_URL_ENV];
  const baseUrl = options.yahooUrl
    ? parseBaseUrl(options.yahooUrl, "--yahoo-url")
    : fromEnv
      ? parseBaseUrl(fromEnv, YAHOO_URL_ENV)
      : undefined;
  if (baseUrl) logLine(io, "fetch", `Yahoo requests go to ${baseUrl.origin} (${options.yahooUrl ? "--yahoo-url" : YAHOO_URL_ENV})`);
  const deadlineSeconds = options.fetchDeadlineSeconds ?? Number(PARAMETERS.fetchDeadlineSeconds.default);
  const { requestTimeoutMs, ...retry } = options.tuning ?? {};
  return yahooSource({
    baseUrl,
    priceField: options.priceField ?? "close",
    requestTimeoutMs,
    log: (line) => io.err(`${printable(line)}\n`),
    policy: {
      concurrency: options.concurrency ?? Number(PARAMETERS.concurrency.default),
      minIntervalMs: options.requestIntervalMs ?? Number(PARAMETERS.requestIntervalMs.default),
      deadlineMs: deadlineSeconds > 0 ? deadlineSeconds * 1000 : undefined,
      ...retry,
    },
  });
}

/** One line per failure reason: `not-found (2): ATVI XLNX`. */
function failureSummary(failures: readonly Failure[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const f of failures) byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.symbol]);
  return [...byReason].map(([reason, symbols]) => `failed, ${reason} (${symbols.length}): ${symbols.join(" ")}`);
}

function reasonCounts(failures: readonly Failure[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${reason}: ${n}`).join(", ");
}

/** A failure that says more about the moment than about the symbol. */
function isPassing(failure: Failure): boolean {
  return failure.reason === "deadline" || RETRIABLE_REASONS.has(failure.reason as FetchFailureReason);
}

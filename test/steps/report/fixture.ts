/**
 * Report input for the tests, made deterministically: every symbol's RSI wanders over 60 stored
 * trading days (a seeded random walk pulled towards 50, so some end above 70 and some below 30),
 * a few series have missing days or start late, each has today's close and most the previous
 * day's, about one symbol in twelve has no value today for one of the real failure reasons, with
 * messages in the program's own words, and one message carries the characters markup must
 * escape. The same symbols always give the same input. The docs' pictures are not drawn from
 * this: `npm run docs:screenshots` draws them from a real run (`docs-screenshots.ts`).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Failure, FailureReason } from "../../../steps/domain/artifacts.ts";
import type { RsiPoint } from "../../../steps/report/markup.ts";
import type { HistoryChartInput } from "../../../steps/report/history-chart.ts";
import type { ClosePoint, RankedSymbolHistory, ReportInput, StaleSeriesLine } from "../../../steps/report/report.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** The user's 180 symbols, from the file at the repository root. */
export function userSymbols(): string[] {
  return readFileSync(join(REPO_ROOT, "symbols"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** `n` symbols: the user's first, then made-up ones (`SYM0181`, …). */
export function symbolsOf(n: number): string[] {
  const real = userSymbols();
  return Array.from({ length: n }, (_, i) => real[i] ?? `SYM${String(i + 1).padStart(4, "0")}`);
}

export const TRADE_DATE = "2021-05-17";
/** Good Friday: the exchange was closed, so the store holds no day there. */
export const HOLIDAY = "2021-04-02";

/** The last `n` weekdays up to `last`, less the holiday: the stored trading days. */
export function storedTradingDays(n = 60, last = TRADE_DATE): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${last}T00:00:00Z`); days.length < n; ms -= 86_400_000) {
    const day = new Date(ms);
    const date = day.toISOString().slice(0, 10);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6 && date !== HOLIDAY) days.unshift(date);
  }
  return days;
}

/** A symbol's RSI over the days: a random walk pulled towards 50, seeded by the symbol. */
export function rsiWalk(symbol: string, days: readonly string[]): RsiPoint[] {
  const random = xorshift32(hash(symbol));
  let rsi = 20 + random() * 60;
  return days.map((date) => {
    rsi += (random() - 0.5) * 14 + (50 - rsi) * 0.06;
    rsi = Math.min(97, Math.max(3, rsi));
    return { date, rsi };
  });
}

/**
 * A chart of the user's first `n` symbols over 145 stored trading days up to 2021-05-17, as long
 * as their imported history: every second of three symbols has no value on two days the others
 * have, every third starts late and has a single value between two gaps.
 */
export function chartFixture(n = 3, title = "RSI 14 (seed)"): HistoryChartInput & { readonly missing: Readonly<Record<string, readonly string[]>> } {
  const days = storedTradingDays(145);
  const missing: Record<string, string[]> = {};
  const series = symbolsOf(n).map((symbol, i) => {
    let points = rsiWalk(symbol, days);
    if (i % 3 === 1) {
      missing[symbol] = [days[40]!, days[100]!];
      points = points.filter((p) => !missing[symbol]!.includes(p.date));
    }
    if (i % 3 === 2) {
      missing[symbol] = [...days.slice(0, 30), days[60]!, days[62]!];
      points = points.filter((p) => !missing[symbol]!.includes(p.date));
    }
    return { symbol, points };
  });
  return { title, tradingDays: days, series, missing };
}

/** A failure message quoting a server's HTML, to prove text is escaped. */
export const HOSTILE_MESSAGE = `HTTP 500 from https://query2.finance.yahoo.com/v8/finance/chart: <script>alert(1)</script> & "quotes" 'too'`;

const REASONS: readonly FailureReason[] = ["not-found", "rate-limited", "too-few-closes", "stale", "network", "no-movement"];

export interface FixtureDay {
  readonly input: ReportInput;
  /** Symbols (among the ranked) whose history has a missing day inside it. */
  readonly withGaps: readonly string[];
  /** Ranked symbols with no value on the previous stored trading day. */
  readonly newToday: readonly string[];
}

export function reportFixture(symbols: readonly string[], options: { days?: number } = {}): FixtureDay {
  const days = storedTradingDays(options.days ?? 60);
  const ranking: RankedSymbolHistory[] = [];
  const failures: Failure[] = [];
  const stale: StaleSeriesLine[] = [];
  const withGaps: string[] = [];
  const newToday: string[] = [];

  symbols.forEach((symbol, index) => {
    if (index % 12 === 7) {
      const reason = REASONS[Math.floor(index / 12) % REASONS.length]!;
      failures.push({ symbol, reason, message: failureMessage(reason, symbol, index) });
      if (reason === "stale") stale.push({ symbol, lastClose: days[days.length - 6]!, tradingDaysBehind: 6 });
      return;
    }
    let points = rsiWalk(symbol, days);
    if (index % 10 === 3) {
      // Two missing days in the middle: the store has those days, this symbol does not.
      points = points.filter((_, i) => i !== 30 && i !== 44);
      withGaps.push(symbol);
    }
    if (index % 45 === 11) {
      // Added to the symbols list a few days ago.
      points = points.slice(-3);
    }
    if (index % 37 === 20) {
      // Failed on the previous stored trading day.
      points = points.filter((p) => p.date !== days.at(-2));
    }
    const today = points.at(-1)!.rsi;
    if (!points.some((p) => p.date === days.at(-2))) newToday.push(symbol);
    ranking.push({ symbol, rsi: today, history: points, closes: closesOf(symbol, index, points, days.at(-2)!) });
  });

  // The boundaries, exactly: 70 is overbought and 30 is oversold.
  setToday(ranking, 1, 70);
  setToday(ranking, 2, 30);

  const input: ReportInput = {
    asOf: "2021-05-18",
    tradeDate: TRADE_DATE,
    method: "seed",
    period: 14,
    runId: "local-2021-05-18T22:05:11.482Z",
    source: "yahoo",
    steps: [
      { step: "fetch", summary: `${symbols.length - failures.length + stale.length} of ${symbols.length} symbols fetched from yahoo` },
      { step: "compute-rsi", summary: `${ranking.length + stale.length} RSI values (seed, period 14)` },
      { step: "validate", summary: `passed: ${ranking.length} symbols ranked for ${TRADE_DATE}; ${failures.length} of ${symbols.length} symbols failed` },
      { step: "persist", summary: `stored ${ranking.length} values for ${TRADE_DATE} in sqlite:stock-rsi.db (${ranking.length} new, 0 updated)` },
    ],
    tradingDays: days,
    ranking,
    failures,
    stale,
  };
  return { input, withGaps, newToday };
}

/**
 * Today's close and, unless the symbol is new or missed the previous day, that day's, about 1%
 * apart; every seventh symbol's previous day is one imported from the original program's table,
 * which kept no close.
 */
function closesOf(symbol: string, index: number, points: readonly RsiPoint[], previousDay: string): ClosePoint[] {
  const random = xorshift32(hash(`${symbol} close`));
  const previous = 5 + random() * 500;
  const today = previous * (1 + (random() - 0.5) * 0.06);
  const withPrevious = index % 7 !== 5 && points.some((p) => p.date === previousDay);
  return [...(withPrevious ? [{ date: previousDay, close: previous }] : []), { date: TRADE_DATE, close: today }];
}

function setToday(ranking: RankedSymbolHistory[], index: number, rsi: number): void {
  const entry = ranking[index];
  if (!entry) return;
  ranking[index] = { ...entry, rsi, history: entry.history.map((p, i, all) => (i === all.length - 1 ? { ...p, rsi } : p)) };
}

function failureMessage(reason: FailureReason, symbol: string, index: number): string {
  if (index === 7) return HOSTILE_MESSAGE;
  switch (reason) {
    case "not-found":
      return "No data found, symbol may be delisted";
    case "rate-limited":
      return "HTTP 429: Too Many Requests (after 4 attempts)";
    case "too-few-closes":
      return `9 closes (9 days) give fewer than the 15 closes a 14-period RSI needs`;
    case "stale":
      return "last close 2021-05-10 is 6 weekdays before 2021-05-18 (limit 3)";
    case "network":
      return "fetch failed: read ECONNRESET (after 4 attempts)";
    default:
      return "no close changed, so RSI is undefined (0/0)";
  }
}

/** Marsaglia's xorshift32 (2003): a seeded generator, so the same symbol always wanders the same way. */
function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

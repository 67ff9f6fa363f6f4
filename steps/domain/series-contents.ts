/**
 * What a store holds of one series (an RSI method and period), in the few facts a person checks
 * before trusting it: which days, which symbols, which symbols stopped appearing, and which
 * trading days have no value. Pure: `stock-rsi status` reads the values and prints these.
 *
 * A symbol **stopped appearing** when its last stored value is older than the series' last day:
 * it was renamed (FB, now META, is a new symbol), delisted (ATVI), taken off the symbols file, or
 * failed on the last run (then it reappears with the next value). Its history stays stored.
 */
import type { IsoDate } from "./dates.ts";
import { nyseClosedOn, tradingDaysBetween } from "./market-calendar.ts";

/** One stored value, as far as these facts need it. */
export interface StoredDay {
  readonly symbol: string;
  readonly date: IsoDate;
}

export interface StoppedSymbol {
  readonly symbol: string;
  /** The last trading day it has a value on. */
  readonly lastDay: IsoDate;
}

export interface SeriesContents {
  readonly firstDay: IsoDate;
  readonly lastDay: IsoDate;
  /** Days with at least one value. */
  readonly days: number;
  /** Stored days on which the NYSE was closed: only an imported history has them, as it dated them. */
  readonly closedDays: readonly IsoDate[];
  /** Symbols with at least one value. */
  readonly symbols: number;
  /** Symbols with a value on the last day. */
  readonly onLastDay: number;
  /** The others, the most recently stopped first (then by symbol). */
  readonly stopped: readonly StoppedSymbol[];
  readonly gaps: Gaps;
}

/**
 * The NYSE trading days without a value, from the first stored day to `through` (yesterday in
 * New York: today's run may be ahead), the range `history --gaps` lists: `within` the stored
 * range, and `since` the last stored day.
 */
export interface Gaps {
  readonly within: number;
  readonly since: number;
  readonly through: IsoDate;
}

/** The facts of a series' values; undefined when there are none. */
export function seriesContents(values: readonly StoredDay[], through: IsoDate): SeriesContents | undefined {
  if (values.length === 0) return undefined;
  const lastDayOf = new Map<string, IsoDate>();
  const days = new Set<IsoDate>();
  for (const { symbol, date } of values) {
    days.add(date);
    const last = lastDayOf.get(symbol);
    if (last === undefined || date > last) lastDayOf.set(symbol, date);
  }
  const sorted = [...days].sort();
  const firstDay = sorted[0]!;
  const lastDay = sorted.at(-1)!;
  const stopped = [...lastDayOf]
    .filter(([, last]) => last < lastDay)
    .map(([symbol, last]) => ({ symbol, lastDay: last }))
    .sort((a, b) => (a.lastDay === b.lastDay ? compare(a.symbol, b.symbol) : compare(b.lastDay, a.lastDay)));
  const missing = (from: IsoDate, to: IsoDate) => (from <= to ? tradingDaysBetween(from, to).filter((d) => !days.has(d)).length : 0);
  return {
    firstDay,
    lastDay,
    days: days.size,
    closedDays: sorted.filter((d) => nyseClosedOn(d) !== undefined),
    symbols: lastDayOf.size,
    onLastDay: lastDayOf.size - stopped.length,
    stopped,
    gaps: {
      within: missing(firstDay, lastDay < through ? lastDay : through),
      since: lastDay < through ? missing(lastDay, through) : 0,
      through,
    },
  };
}

/** The range of the values an import stored: its first and last day, how many values and days. */
export function storedRange(values: readonly StoredDay[]): { from: IsoDate; to: IsoDate; values: number; days: number } | undefined {
  if (values.length === 0) return undefined;
  const days = [...new Set(values.map((v) => v.date))].sort();
  return { from: days[0]!, to: days.at(-1)!, values: values.length, days: days.length };
}

/** Text in code-unit order: the same on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

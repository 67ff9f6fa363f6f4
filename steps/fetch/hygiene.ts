/**
 * What the fetch step does to a source's bars before it writes them, whatever the source. Pure.
 *
 * Sources answer with quirks the RSI must not see: Yahoo lists a bar for the current session
 * beyond the requested window, sometimes twice for one day (once at the open, once with the
 * live price), and keeps answering for a halted stock with bars that stop days ago.
 * - **Nulls are kept.** A day listed without a close stays `null`: the `seed` method treats a
 *   missing close the way the original program's pandas did, and filling it in would change
 *   the user's numbers.
 * - **One bar per trading day.** Of several bars dated the same day the last one with a close
 *   wins (it is the later quote of that day); `null` only if none has a close.
 * - **Nothing after the as-of date**, nothing before the window.
 * - **Stale series are reported, not dropped.** The validate step decides what is too old;
 *   fetch says which series end early so the log and the artifact show it at the source.
 * - **The window ends on the trading day, not on the calendar day** (`windowOnTradingDay`).
 * - **NYSE trading days only.** A bar dated on a weekend or an exchange holiday (a
 *   cryptocurrency's, a listing abroad's) is dropped before any of this (`fetchOnTradingDays`), so
 *   the trading day found here is always one the NYSE was open.
 */
import type { Bar, Series } from "../domain/artifacts.ts";
import { addDays, daysBetween, FIRST_DATE, type IsoDate } from "../domain/dates.ts";
import { tradingDaysAfter } from "../domain/market-calendar.ts";

/** A source's bar in the order the source listed it. */
export interface ListedBar {
  readonly date: IsoDate;
  readonly close: number | null;
}

/** Ascending bars, one per trading day, inside `from..asOf`. */
export function tradingDayBars(listed: readonly ListedBar[], window: { readonly from: IsoDate; readonly asOf: IsoDate }): Bar[] {
  const byDate = new Map<IsoDate, Bar>();
  for (const bar of listed) {
    if (bar.date < window.from || bar.date > window.asOf) continue;
    const close = typeof bar.close === "number" && Number.isFinite(bar.close) ? bar.close : null;
    const earlier = byDate.get(bar.date);
    if (earlier === undefined || close !== null) byDate.set(bar.date, { date: bar.date, close });
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** A series whose latest close lags the as-of date by more than the allowed trading days. */
export interface StaleSeries {
  readonly symbol: string;
  /** The date of the series' latest close. */
  readonly lastClose: IsoDate;
  /** NYSE trading days after that date up to the as-of date (`tradingDaysAfter`). */
  readonly tradingDaysBehind: number;
}

/**
 * The series whose latest close is more than `maxStaleDays` NYSE trading days before `asOf`: the same
 * rule, with the same number, that the validate step's `trading-day-current` applies. A series
 * with no close at all is not listed: compute-rsi reports it as `too-few-closes`.
 */
export function staleSeries(series: readonly Series[], asOf: IsoDate, maxStaleDays: number): StaleSeries[] {
  const stale: StaleSeries[] = [];
  for (const { symbol, bars } of series) {
    const last = bars.findLast((b) => b.close !== null);
    if (!last) continue;
    const tradingDaysBehind = tradingDaysAfter(last.date, asOf);
    if (tradingDaysBehind > maxStaleDays) stale.push({ symbol, lastClose: last.date, tradingDaysBehind });
  }
  return stale;
}

/**
 * Calendar days fetch asks for beyond the lookback, so that a run days after the last trading day
 * still has that day's whole window: a weekend, a holiday Monday, a long holiday weekend.
 */
export const TRADING_DAY_SLACK_DAYS = 7;

/**
 * The values stored under a trading day must not depend on the calendar day the run happened. The
 * `seed` method (pandas `ewm` with adjust=True) weighs every close of the window, so a window that
 * starts one day later gives an RSI a few hundredths off: a Saturday re-run would overwrite
 * Friday's stored values with slightly different ones. So the window is `lookbackDays` before the
 * latest close fetched (the run's trading day), which on a weekday run is the as-of date itself,
 * and on a Saturday is Friday: the same closes Friday's run used, the same values, to the bit.
 * fetch therefore asks the source for `TRADING_DAY_SLACK_DAYS` more, and this cuts them off again.
 */
export function windowOnTradingDay(
  series: readonly Series[],
  asOf: IsoDate,
  lookbackDays: number,
): { readonly tradingDay: IsoDate; readonly from: IsoDate; readonly series: Series[] } {
  let tradingDay: IsoDate | undefined;
  for (const { bars } of series) {
    const last = bars.findLast((b) => b.close !== null)?.date;
    if (last !== undefined && last <= asOf && (tradingDay === undefined || last > tradingDay)) tradingDay = last;
  }
  tradingDay ??= asOf;
  const from = daysBetween(FIRST_DATE, tradingDay) > lookbackDays ? addDays(tradingDay, -lookbackDays) : FIRST_DATE;
  return { tradingDay, from, series: series.map((s) => ({ ...s, bars: s.bars.filter((b) => b.date >= from && b.date <= asOf) })) };
}

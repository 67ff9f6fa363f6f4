/**
 * The New York Stock Exchange's trading days: weekdays, less the exchange's full-day holidays and
 * its unscheduled closures. Pure date arithmetic, no table to keep up to date for the scheduled
 * holidays.
 *
 * Why it matters here: it is the one calendar every stored day follows. A value is stored under an
 * NYSE trading day and under no other day, whatever a price source answers (a cryptocurrency
 * trades on Sundays, a listing abroad on Thanksgiving): fetch drops the bars dated on other days,
 * backfill fills only trading days, persist and the stores refuse anything else. A day the exchange
 * was closed has no value and is not a gap; a trading day with no stored value is one (the daily
 * run missed it: Yahoo down, cluster down), and that is what `history --gaps` lists and `backfill`
 * fills. Charts put a gap on such a day instead of drawing a line through it.
 *
 * The rules (NYSE Rule 7.2 and the exchange's published calendars): New Year's Day (on a Sunday,
 * the Monday after; on a Saturday, not made up), Martin Luther King Jr. Day (third Monday of
 * January, since 1998), Washington's Birthday (third Monday of February since 1971; February 22
 * before), Good Friday, Memorial Day (last Monday of May since 1971; May 30 before), Juneteenth
 * (June 19, since 2022), Independence Day, Labor Day (first Monday of September), Election Day in
 * the presidential years up to 1980, Thanksgiving (fourth Thursday of November) and Christmas. A
 * fixed-date holiday on a Saturday is kept on the Friday before, on a Sunday on the Monday after.
 * Early closes (13:00) are trading days. Unscheduled closures are listed by hand below.
 *
 * **Checked from 1970-01-01 (the first date stock-rsi handles) to 2027**, day by day, against the
 * exchange's published list of closings (`test/fixtures/nyse-closings.txt` says where each part of
 * that list comes from). Later years follow the rules; a closure nobody has announced yet (a
 * national day of mourning, a storm) must be added to the list below when it happens.
 */
import { addDays, daysBetween, dayOfWeek, isWeekday, weekdaysBetween, type IsoDate } from "./dates.ts";

/** Full-day closures no rule predicts: national days of mourning, a blackout, storms, 9/11. */
const UNSCHEDULED_CLOSURES: ReadonlyMap<IsoDate, string> = new Map([
  ["1972-12-28", "President Truman's funeral"],
  ["1973-01-25", "President Johnson's funeral"],
  ["1977-07-14", "the New York City blackout"],
  ["1985-09-27", "Hurricane Gloria"],
  ["1994-04-27", "President Nixon's funeral"],
  ["2001-09-11", "the September 11 attacks"],
  ["2001-09-12", "the September 11 attacks"],
  ["2001-09-13", "the September 11 attacks"],
  ["2001-09-14", "the September 11 attacks"],
  ["2004-06-11", "President Reagan's funeral"],
  ["2007-01-02", "President Ford's funeral"],
  ["2012-10-29", "Hurricane Sandy"],
  ["2012-10-30", "Hurricane Sandy"],
  ["2018-12-05", "President George H. W. Bush's funeral"],
  ["2025-01-09", "President Carter's funeral"],
]);

const holidaysByYear = new Map<number, ReadonlyMap<IsoDate, string>>();

/** The exchange's scheduled and unscheduled full-day closures on weekdays of `year`, each with its name. */
function closuresIn(year: number): ReadonlyMap<IsoDate, string> {
  let closures = holidaysByYear.get(year);
  if (!closures) {
    const named: (readonly [IsoDate | undefined, string])[] = [
      observedNewYear(year),
      [year >= 1998 ? nthWeekday(year, 1, 1, 3) : undefined, "Martin Luther King Jr. Day"],
      // The Uniform Monday Holiday Act moved both to Mondays from 1971.
      year >= 1971 ? [nthWeekday(year, 2, 1, 3), "Washington's Birthday"] : observed(year, 2, 22, "Washington's Birthday"),
      [addDays(easterSunday(year), -2), "Good Friday"],
      [year >= 1971 ? lastWeekday(year, 5, 1) : observedMemorialDayBefore1971(year), "Memorial Day"],
      year >= 2022 ? observed(year, 6, 19, "Juneteenth") : [undefined, "Juneteenth"],
      observed(year, 7, 4, "Independence Day"),
      [nthWeekday(year, 9, 1, 1), "Labor Day"],
      // Closed for every presidential election from 1968 to 1980 (every Election Day before).
      [year <= 1980 && year % 4 === 0 ? addDays(nthWeekday(year, 11, 1, 1), 1) : undefined, "Election Day"],
      [nthWeekday(year, 11, 4, 4), "Thanksgiving Day"],
      observed(year, 12, 25, "Christmas Day"),
      ...[...UNSCHEDULED_CLOSURES].filter(([d]) => d.startsWith(`${year}-`)),
    ];
    closures = new Map(named.filter((entry): entry is readonly [IsoDate, string] => entry[0] !== undefined));
    holidaysByYear.set(year, closures);
  }
  return closures;
}

/** The exchange's scheduled and unscheduled full-day closures on weekdays of `year`. */
export function nyseHolidays(year: number): ReadonlySet<IsoDate> {
  return new Set(closuresIn(year).keys());
}

const tradingDayByDate = new Map<IsoDate, boolean>();

/**
 * True for a day the exchange was (or will be) open. Remembered per date: fetch asks it of every
 * bar (5,000 symbols × 261 bars take 0.8 s of date arithmetic, 30 ms remembered), and the dates
 * asked about are few.
 */
export function isTradingDay(date: IsoDate): boolean {
  let open = tradingDayByDate.get(date);
  if (open === undefined) {
    open = isWeekday(date) && !closuresIn(Number(date.slice(0, 4))).has(date);
    if (tradingDayByDate.size < 100_000) tradingDayByDate.set(date, open);
  }
  return open;
}

/**
 * Why the exchange was closed on `date`, for a message: `a Sunday`, `Thanksgiving Day`,
 * `Christmas Day, observed` (December 25 fell on a weekend), `President Nixon's funeral`;
 * undefined on a trading day.
 */
export function closedBecause(date: IsoDate): string | undefined {
  const weekday = dayOfWeek(date);
  if (weekday === 0) return "a Sunday";
  if (weekday === 6) return "a Saturday";
  return closuresIn(Number(date.slice(0, 4))).get(date);
}

/** `the NYSE was closed on 2021-05-16 (a Sunday)`, or undefined on a trading day: the one way a closed day is named. */
export function nyseClosedOn(date: IsoDate): string | undefined {
  if (isTradingDay(date)) return undefined;
  const why = closedBecause(date);
  return why === undefined ? undefined : `the NYSE was closed on ${date} (${why})`;
}

/** The trading days from `from` to `to`, both included, ascending. Counts the days first, so it cannot step past `to`. */
export function tradingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  const count = daysBetween(from, to);
  for (let i = 0; i <= count; i++) {
    const d = addDays(from, i);
    if (isTradingDay(d)) days.push(d);
  }
  return days;
}

/**
 * Trading days after `from` up to and including `to` (0 when `to <= from`): how many sessions a
 * close dated `from` lags a run on `to`. A close on Wednesday 2021-11-24 lags Monday the 29th by 2
 * (Friday, Monday: Thanksgiving is not a session), one on Friday lags Saturday or Sunday by 0.
 * Weekdays counted by whole weeks, less the closures in between, year by year: no day-by-day walk,
 * so two dates however far apart cost a few thousand map lookups at most.
 */
export function tradingDaysAfter(from: IsoDate, to: IsoDate): number {
  let count = weekdaysBetween(from, to);
  if (count === 0) return 0;
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const day of closuresIn(year).keys()) if (day > from && day <= to && isWeekday(day)) count--;
  }
  return count;
}

function iso(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** A fixed-date holiday as the exchange keeps it: a Saturday's on the Friday, a Sunday's on the Monday (named `..., observed`). */
function observed(year: number, month: number, day: number, name: string): readonly [IsoDate, string] {
  const date = iso(year, month, day);
  const weekday = dayOfWeek(date);
  if (weekday === 6) return [addDays(date, -1), `${name}, observed`];
  if (weekday === 0) return [addDays(date, 1), `${name}, observed`];
  return [date, name];
}

/** New Year's Day on a Saturday is not made up on the Friday before (that would close the old year's last session). */
function observedNewYear(year: number): readonly [IsoDate | undefined, string] {
  return dayOfWeek(iso(year, 1, 1)) === 6 ? [undefined, "New Year's Day"] : observed(year, 1, 1, "New Year's Day");
}

/**
 * Memorial Day before the Monday rule: May 30, a Sunday's on the Monday. In 1970, the last such
 * year stock-rsi covers, May 30 was a Saturday and the exchange did not close the Friday before
 * (its published closings list none that week), so a Saturday's is not made up.
 */
function observedMemorialDayBefore1971(year: number): IsoDate | undefined {
  const day = iso(year, 5, 30);
  const weekday = dayOfWeek(day);
  return weekday === 6 ? undefined : weekday === 0 ? addDays(day, 1) : day;
}

/** The `n`th `weekday` (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): IsoDate {
  const first = iso(year, month, 1);
  const offset = (weekday - dayOfWeek(first) + 7) % 7;
  return addDays(first, offset + 7 * (n - 1));
}

/** The last `weekday` of a month. */
function lastWeekday(year: number, month: number, weekday: number): IsoDate {
  const last = addDays(month === 12 ? iso(year + 1, 1, 1) : iso(year, month + 1, 1), -1);
  return addDays(last, -((dayOfWeek(last) - weekday + 7) % 7));
}

/** Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

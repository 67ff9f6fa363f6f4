/**
 * The New York Stock Exchange's trading days: weekdays, less the exchange's full-day holidays and
 * its few unscheduled closures. Pure date arithmetic, no table to keep up to date for the
 * scheduled holidays.
 *
 * Why it matters here: a day the exchange was closed has no bar and no RSI, and is not a gap; a
 * trading day with no stored value is one (the daily run missed it: Yahoo down, cluster down), and
 * that is what `history --gaps` lists and `backfill` fills. Charts put a gap on such a day instead
 * of drawing a line through it.
 *
 * The rules (NYSE Rule 7.2 and the exchange's published calendars): New Year's Day (on a Sunday,
 * the Monday after; on a Saturday, not made up), Martin Luther King Jr. Day (third Monday of
 * January, since 1998), Washington's Birthday (third Monday of February), Good Friday, Memorial
 * Day (last Monday of May), Juneteenth (June 19, since 2022), Independence Day, Labor Day (first
 * Monday of September), Thanksgiving (fourth Thursday of November) and Christmas. A fixed-date
 * holiday on a Saturday is kept on the Friday before, on a Sunday on the Monday after. Early
 * closes (13:00) are trading days. Unscheduled closures are listed by hand below.
 */
import { addDays, dayOfWeek, isWeekday, type IsoDate } from "./dates.ts";

/** Full-day closures no rule predicts: national days of mourning, 9/11, Hurricane Sandy. */
const UNSCHEDULED_CLOSURES: ReadonlySet<IsoDate> = new Set([
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11", // President Reagan
  "2007-01-02", // President Ford
  "2012-10-29", // Hurricane Sandy
  "2012-10-30",
  "2018-12-05", // President G. H. W. Bush
  "2025-01-09", // President Carter
]);

const holidaysByYear = new Map<number, ReadonlySet<IsoDate>>();

/** The exchange's scheduled and unscheduled full-day closures on weekdays of `year`. */
export function nyseHolidays(year: number): ReadonlySet<IsoDate> {
  let holidays = holidaysByYear.get(year);
  if (!holidays) {
    const days = [
      observedNewYear(year),
      ...(year >= 1998 ? [nthWeekday(year, 1, 1, 3)] : []),
      nthWeekday(year, 2, 1, 3),
      addDays(easterSunday(year), -2),
      lastWeekday(year, 5, 1),
      ...(year >= 2022 ? [observed(iso(year, 6, 19))] : []),
      observed(iso(year, 7, 4)),
      nthWeekday(year, 9, 1, 1),
      nthWeekday(year, 11, 4, 4),
      observed(iso(year, 12, 25)),
      ...[...UNSCHEDULED_CLOSURES].filter((d) => d.startsWith(`${year}-`)),
    ];
    holidays = new Set(days.filter((d): d is IsoDate => d !== undefined));
    holidaysByYear.set(year, holidays);
  }
  return holidays;
}

/** True for a day the exchange was (or will be) open. */
export function isTradingDay(date: IsoDate): boolean {
  return isWeekday(date) && !nyseHolidays(Number(date.slice(0, 4))).has(date);
}

/** The trading days from `from` to `to`, both included, ascending. */
export function tradingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const days: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isTradingDay(d)) days.push(d);
  return days;
}

function iso(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** A fixed-date holiday as the exchange keeps it: a Saturday's on the Friday, a Sunday's on the Monday. */
function observed(date: IsoDate): IsoDate {
  const weekday = dayOfWeek(date);
  return weekday === 6 ? addDays(date, -1) : weekday === 0 ? addDays(date, 1) : date;
}

/** New Year's Day on a Saturday is not made up on the Friday before (that would close the old year's last session). */
function observedNewYear(year: number): IsoDate | undefined {
  const day = iso(year, 1, 1);
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

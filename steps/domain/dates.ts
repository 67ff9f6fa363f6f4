/**
 * Calendar dates as the pipeline speaks them: `YYYY-MM-DD` strings, no time of day, no zone.
 *
 * A trading day is the exchange's local date of a daily bar. Dates are compared as strings
 * (ISO dates sort lexically) and moved with UTC arithmetic so no local clock or daylight-saving
 * rule can shift them.
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (2021-02-30 is not one). */
export function isIsoDate(text: string): text is IsoDate {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** Midnight UTC of the date, in epoch milliseconds. */
export function toEpochMs(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function fromEpochMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochMs(toEpochMs(date) + days * 86_400_000);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toEpochMs(date)).getUTCDay();
}

export function isWeekday(date: IsoDate): boolean {
  const d = dayOfWeek(date);
  return d !== 0 && d !== 6;
}

/**
 * Weekdays after `from` up to and including `to` (0 when `to <= from`). Exchange holidays are
 * not known here, which is why staleness tolerances are a few weekdays rather than exactly one.
 */
export function weekdaysBetween(from: IsoDate, to: IsoDate): number {
  let count = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWeekday(d)) count++;
  return count;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date it is in `timeZone` at the instant `now`. Building a date format costs about
 * 40 µs, 20 times formatting one; with 60 bars × thousands of symbols, it is built once per zone.
 */
export function dateIn(timeZone: string, now: Date): IsoDate {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, format);
  }
  return format.format(now);
}

/** US equities close in New York; "today" for an as-of date means today there. */
export const MARKET_TIME_ZONE = "America/New_York";

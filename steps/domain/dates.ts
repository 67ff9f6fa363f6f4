/**
 * Calendar dates as the pipeline speaks them: `YYYY-MM-DD` strings, no time of day, no zone.
 *
 * A trading day is the exchange's local date of a daily bar. Dates are compared as strings
 * (ISO dates sort lexically) and moved with UTC arithmetic so no local clock or daylight-saving
 * rule can shift them.
 *
 * **The range is 1970-01-01 to 9999-12-31**, and every date the pipeline accepts (a flag, an Argo
 * parameter, an artifact field) must lie in it:
 * - 9999-12-31 is the last date written with four digits. One day later JavaScript writes
 *   `+010000-01-01`, which no longer sorts as a date, so arithmetic past it would compare
 *   garbage (a loop walking up to 9999-12-31 never ended). It is also MySQL's last `DATE`.
 * - 1970-01-01 is where Yahoo's chart API starts counting (its window is epoch seconds), and it
 *   is decades before any close a daily RSI of today's market looks at.
 * The helpers below refuse to leave the range rather than write such a string, and none of them
 * walks day by day, so no date, however far apart, can make them spin.
 */

export type IsoDate = string;

/** The earliest date stock-rsi accepts. */
export const FIRST_DATE: IsoDate = "1970-01-01";
/** The latest date stock-rsi accepts: the last one written with a four-digit year. */
export const LAST_DATE: IsoDate = "9999-12-31";

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (2021-02-30 is not one) within FIRST_DATE..LAST_DATE. */
export function isIsoDate(text: string): text is IsoDate {
  const m = ISO_DATE.exec(text);
  if (!m || text < FIRST_DATE || text > LAST_DATE) return false;
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

const FIRST_MS = Date.parse(`${FIRST_DATE}T00:00:00Z`);
const LAST_MS = Date.parse(`${LAST_DATE}T00:00:00Z`);

/** `date` moved by `days` (negative: back). Throws a RangeError rather than leave FIRST_DATE..LAST_DATE. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const ms = toEpochMs(date) + days * DAY_MS;
  if (!(ms >= FIRST_MS && ms <= LAST_MS)) throw new RangeError(`${date} ${days < 0 ? "minus" : "plus"} ${Math.abs(days)} days is outside ${FIRST_DATE} to ${LAST_DATE}`);
  return fromEpochMs(ms);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toEpochMs(to) - toEpochMs(from)) / DAY_MS);
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
 * not known here: `tradingDaysAfter` (`./market-calendar.ts`) takes them off.
 */
export function weekdaysBetween(from: IsoDate, to: IsoDate): number {
  const days = daysBetween(from, to);
  if (!(days > 0)) return 0;
  // Every full week holds five weekdays; then at most six days remain, counted one by one.
  let count = Math.floor(days / 7) * 5;
  const start = dayOfWeek(from);
  for (let i = 1; i <= days % 7; i++) {
    const day = (start + i) % 7;
    if (day !== 0 && day !== 6) count++;
  }
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

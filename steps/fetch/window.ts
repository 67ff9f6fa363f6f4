/**
 * The dates a run's window is made of, checked where the user gives them (`fetch --as-of`,
 * `backfill --from/--to`): never a day after today, never a window starting before the earliest
 * date stock-rsi handles.
 */
import { addDays, dateIn, daysBetween, FIRST_DATE, MARKET_TIME_ZONE } from "../domain/dates.ts";
import { UserError } from "../domain/errors.ts";
import type { Io } from "../command-line/io.ts";

/** `date`, refused (naming `flag`) when it is after today in New York. */
export function notAfterToday(date: string, flag: string, io: Io): string {
  const today = dateIn(MARKET_TIME_ZONE, io.now());
  if (date > today) throw new UserError(`${flag} ${date} is after today in New York (${today}); a day that has not happened has no closes to rank`);
  return date;
}

/** The first day of the window before `date` (given by `flag`), which must not be before the earliest date stock-rsi handles. */
export function windowStart(date: string, lookbackDays: number, flag = "--as-of"): string {
  if (daysBetween(FIRST_DATE, date) < lookbackDays) {
    const start = new Date(Date.parse(`${date}T00:00:00Z`) - lookbackDays * 86_400_000).toISOString().slice(0, 10);
    throw new UserError(`--lookback-days ${lookbackDays} before ${flag} ${date} starts on ${start}, before ${FIRST_DATE}, the earliest date stock-rsi handles`);
  }
  return addDays(date, -lookbackDays);
}


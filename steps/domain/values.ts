/**
 * The values a run is configured with, checked and converted: dates, counts, shares, an RSI
 * method. Each parser refuses a bad value with a `ValueRefused` saying what is expected
 * ("expected 1 to 2614 trading days, got "0""); whoever reads the value adds where it came
 * from (a flag, an Argo parameter, a file).
 *
 * Pure: no command-line framework, so the pipeline definition and the cdk8s app can name these
 * parsers without loading any CLI code.
 */
import { FIRST_DATE, isIsoDate, LAST_DATE, type IsoDate } from "./dates.ts";
import { isPrintable } from "./printable.ts";
import { METHODS, type RsiMethod } from "./rsi.ts";

/** A value a parser would not take; the message says what it expects and what it got. */
export class ValueRefused extends Error {
  override readonly name = "ValueRefused";
}

/** Reads one value given as text; throws `ValueRefused` on a bad one. */
export type ValueParser<T> = (value: string) => T;

/**
 * A date. An empty value (an Argo parameter left at its default "") stays "", which the step
 * reads as "not given": today in New York.
 */
export function isoDateValue(value: string): IsoDate | "" {
  if (value === "") return "";
  if (!isIsoDate(value)) throw new ValueRefused(`expected a date written YYYY-MM-DD between ${FIRST_DATE} and ${LAST_DATE}, got "${value}"`);
  return value;
}

/**
 * How a number is written, wherever a run is configured (a flag, an Argo parameter, a setting in
 * a URL): plain decimal. Digits, and where the quantity may be fractional a point followed by
 * more digits: `14`, `0.25`. Nothing else: no sign (no value here is negative), no exponent
 * (`1e3`), no hex (`0x10`), no spaces, no `_` or `,` separators, no `.5` or `5.`. One grammar
 * for every number, so a value that one flag takes is never refused by another for its form,
 * and a typo (`0x1`, `1e-400`, ` 0.5`) is never read as a number nobody meant.
 *
 * A number is read as written or refused: a text with more digits than a double holds, which
 * would be read as a nearby number (`1.0000000000000000001` as 1), is refused rather than
 * rounded. Every value of up to 15 significant digits is read as written.
 */
const WHOLE_NUMBER = /^[0-9]+$/;
const DECIMAL_NUMBER = /^[0-9]+(\.[0-9]+)?$/;

/** What a number may be: its bounds, whether it may have a fraction, and what it counts. */
export interface NumberRange {
  readonly min: number;
  /** Every number has an upper bound: a value beyond it is a typo, never a wish to honour. */
  readonly max: number;
  /** Whether a fraction may be written (`0.25`); otherwise only whole numbers. */
  readonly fraction: boolean;
  /** What the number counts, for the message: "calendar days of history (ten years)". */
  readonly what: string;
}

/** A parser of numbers written in the one grammar, carrying its range for `--help`, the docs and the tests. */
export interface NumberParser extends ValueParser<number> {
  readonly range: NumberRange;
}

/**
 * A number in the one grammar, within `range`. A grammar fault and a value out of range are told
 * apart, so the message says what to fix; a non-zero text too small to tell from 0
 * (`0.000…1` with hundreds of zeros) is refused rather than read as 0.
 */
export function numberValue(range: NumberRange): NumberParser {
  if (!(range.min >= 0 && range.min <= range.max && Number.isFinite(range.max))) throw new Error(`numberValue: bad range ${JSON.stringify(range)}`);
  const parse = (value: string): number => {
    const shown = shownValue(value);
    if (!(range.fraction ? DECIMAL_NUMBER : WHOLE_NUMBER).test(value)) {
      throw new ValueRefused(
        range.fraction
          ? `expected a plain decimal number such as 0.25 (digits, optionally a point and more digits; no sign, exponent or spaces), got ${shown}`
          : `expected a whole number in plain digits (no sign, point, exponent or spaces), got ${shown}`,
      );
    }
    const n = Number(value);
    if (n === 0 && /[1-9]/.test(value)) throw new ValueRefused(`expected ${rangeText(range)}, got ${shown}, which is too small to tell from 0`);
    if (!(n >= range.min && n <= range.max)) throw new ValueRefused(`expected ${rangeText(range)}, got ${shown}`);
    if (significantDigits(value) !== significantDigits(String(n))) {
      throw new ValueRefused(`expected ${rangeText(range)}, got ${shown}, which has more digits than a number holds and would be read as ${n}`);
    }
    return n;
  };
  return Object.assign(parse, { range });
}

/**
 * The significant digits of a number's text, from its first to its last non-zero digit: `25` for
 * `0.2500`, `1` for `1e-7` (how `String` writes a small number). Two texts of one number in the
 * same range have the same digits exactly when they are the same number.
 */
function significantDigits(text: string): string {
  const [mantissa = ""] = text.split("e");
  return mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
}

/** `1 to 3660 calendar days of history (ten years)`. */
export function rangeText(range: NumberRange): string {
  return `${range.min} to ${range.max} ${range.what}`;
}

/** A whole number within [min, max]; `what` says what it counts, for the message. */
export function boundedIntValue(min: number, max: number, what: string): NumberParser {
  return numberValue({ min, max, fraction: false, what });
}

/** A share of the symbols, 0 to 1. */
export const shareValue: NumberParser = numberValue({ min: 0, max: 1, fraction: true, what: "as a share of the symbols (0.25 = 25%)" });

/** The value as a message quotes it: in quotes, and cut short when it is long. */
function shownValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

export function methodValue(value: string): RsiMethod {
  if (!(METHODS as readonly string[]).includes(value)) throw new ValueRefused(`expected one of ${METHODS.join(", ")}, got "${value}"`);
  return value as RsiMethod;
}

/** Yes or no, written `true` or `false` (as an Argo parameter carries it). */
export function booleanValue(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ValueRefused(`expected true or false, got "${value}"`);
}

/**
 * The longest run id: the store keeps 255 characters of one (`run_id VARCHAR(255)`,
 * `steps/store/migrations.ts`), and backfill stores each day under `ID:YYYY-MM-DD`. Checked at
 * the flag, so a run id too long is refused before fetch, not by the server after it.
 */
export const MAX_RUN_ID_LENGTH = 255 - ":YYYY-MM-DD".length;

/**
 * A run id (`--run-id`, on Argo `{{workflow.name}}`): 1 to `MAX_RUN_ID_LENGTH` printable
 * characters. It is stored with every value and printed by `status`, the report and the
 * notification, so a control character (an escape sequence, a newline) or a mark that reorders
 * text is refused here rather than carried to every terminal that reads the store.
 */
export function runIdValue(value: string): string {
  const shown = shownValue(value);
  if (!isPrintable(value)) throw new ValueRefused(`expected a run id of printable characters (no control characters or escape sequences), got ${shown}`);
  if (value.length < 1 || value.length > MAX_RUN_ID_LENGTH) {
    throw new ValueRefused(`expected a run id of 1 to ${MAX_RUN_ID_LENGTH} characters, got ${value.length}: ${shown}`);
  }
  // " abc" and "abc" would look the same in every list that prints them.
  if (value.trim() !== value) throw new ValueRefused(`expected a run id of printable characters that neither start nor end with a blank, got ${shown}`);
  return value;
}

/** Any text, as given. */
export function textValue(value: string): string {
  return value;
}

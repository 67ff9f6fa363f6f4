/**
 * The values a run is configured with, checked and converted: dates, counts, shares, an RSI
 * method. Each parser refuses a bad value with a `ValueRefused` saying what is expected
 * ("expected a whole number of at least 1, got "0""); whoever reads the value adds where it came
 * from (a flag, an Argo parameter, a file).
 *
 * Pure: no command-line framework, so the pipeline definition and the cdk8s app can name these
 * parsers without loading any CLI code.
 */
import { isIsoDate, type IsoDate } from "./dates.ts";
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
  if (!isIsoDate(value)) throw new ValueRefused(`expected a date written YYYY-MM-DD, got "${value}"`);
  return value;
}

export function positiveIntValue(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new ValueRefused(`expected a whole number of at least 1, got "${value}"`);
  return Number(value);
}

export function nonNegativeIntValue(value: string): number {
  if (!/^\d+$/.test(value)) throw new ValueRefused(`expected a whole number, got "${value}"`);
  return Number(value);
}

/** A whole number within [min, max]; `what` says what it counts, for the message. */
export function boundedIntValue(min: number, max: number, what: string): ValueParser<number> {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new ValueRefused(`expected ${min} to ${max} ${what}, got "${value}"`);
    return n;
  };
}

/** A share of the symbols, 0 to 1. */
export function shareValue(value: string): number {
  const share = Number(value);
  if (value.trim() === "" || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new ValueRefused(`expected a share between 0 and 1 (0.25 = 25%), got "${value}"`);
  }
  return share;
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

/** Any text, as given. */
export function textValue(value: string): string {
  return value;
}

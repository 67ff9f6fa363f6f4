/**
 * Flag parsers shared by every command. Each refuses a bad value with one line naming the flag
 * and what it expects; commander shows it as `error: option '--period <n>' argument ...`.
 */
import { InvalidArgumentError } from "commander";
import { isIsoDate, type IsoDate } from "../domain/dates.ts";
import { METHODS, type RsiMethod } from "../domain/rsi.ts";

/**
 * A date flag. An empty value (an Argo parameter left at its default "") stays "", which the
 * command reads as "not given": commander turns an `undefined` from a parser into "" anyway.
 */
export function isoDateArg(value: string): IsoDate | "" {
  if (value === "") return "";
  if (!isIsoDate(value)) throw new InvalidArgumentError(`expected a date written YYYY-MM-DD, got "${value}"`);
  return value;
}

export function positiveIntArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return Number(value);
}

export function nonNegativeIntArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

export function shareArg(value: string): number {
  const share = Number(value);
  if (value.trim() === "" || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new InvalidArgumentError(`expected a share between 0 and 1 (0.25 = 25%), got "${value}"`);
  }
  return share;
}

export function methodArg(value: string): RsiMethod {
  if (!(METHODS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${METHODS.join(", ")}, got "${value}"`);
  }
  return value as RsiMethod;
}

/**
 * Flag parsers shared by every command. Each refuses a bad value with one line naming the flag
 * and what it expects; commander shows it as `error: option '--period <n>' argument ...`.
 */
import { InvalidArgumentError, Option } from "commander";
import { isIsoDate, type IsoDate } from "../domain/dates.ts";
import { METHODS, type RsiMethod } from "../domain/rsi.ts";
import type { PipelineParameter } from "../pipeline.ts";

/**
 * The flag of a pipeline parameter (`--period <n>`), with its parser and, when it has one, its
 * default already parsed. Every step that takes the parameter and `stock-rsi run` build the flag
 * here, so its name, help and checks are the same everywhere.
 */
export function parameterOption(parameter: PipelineParameter): Option {
  const option = new Option(`${parameter.flag} <${parameter.valueName}>`, parameter.description).argParser(parameter.parse);
  return parameter.default === "" ? option : option.default(parameter.parse(parameter.default));
}

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

/** A whole number within [min, max]; `what` says what it counts, for the message. */
export function boundedIntArg(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected ${min} to ${max} ${what}, got "${value}"`);
    return n;
  };
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

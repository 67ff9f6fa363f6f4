/**
 * The artifact contract, version 1: the JSON files the steps pass to each other.
 *
 *   fetch ──prices.json──▶ compute-rsi ──rsi.json──▶ validate ──validated.json──▶ persist
 *
 * Every step validates what it reads against these schemas and refuses a bad file with one
 * line naming the file and the field. Fields a schema does not name are allowed and carried
 * along, so a newer producer can add information without breaking an older consumer; a change
 * that removes or retypes a field bumps `schemaVersion`.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { FIRST_DATE, isIsoDate, LAST_DATE } from "./dates.ts";
import { METHODS } from "./rsi.ts";

export const SCHEMA_VERSION = 1;

/**
 * The longest `source` (and run id) a store keeps: the MySQL columns are `VARCHAR(255)`. Longer
 * text would be refused by the server only after the whole run, so steps check it up front.
 */
export const MAX_LABEL_LENGTH = 255;

/**
 * zod/mini, not zod: the same schemas and messages at a fraction of the start-up (the classic API
 * costs each step about 70 ms to load, more than validate's own work on 5,000 symbols). zod/mini
 * ships without messages until a locale is chosen; English, as zod itself would say them. Its
 * `z.number()` refuses NaN and both infinities, so every number here is finite.
 */
z.config(en());

const isoDate = z.string().check(z.refine(isIsoDate, { message: `expected a date written YYYY-MM-DD between ${FIRST_DATE} and ${LAST_DATE}` }));

/**
 * Why a symbol has no RSI today. The set is fixed so that dashboards and alerts can rely on it.
 * - fetch: `not-found` (unknown or delisted), `rate-limited` (HTTP 429 after every retry),
 *   `server-error` (5xx after every retry), `network`, `invalid-response` (a body the Yahoo
 *   schema refuses), `deadline` (the fetch step's overall deadline passed first);
 * - compute-rsi: `too-few-closes` (fewer than period + 1 closes), `no-movement` (not one close
 *   changed: RSI is 0/0), `bad-price` (a close of zero or below: a broken quote, which would
 *   otherwise become a plausible-looking RSI);
 * - validate: `stale` (the last close is too old for the as-of date), `out-of-range`.
 */
export const FAILURE_REASONS = [
  "not-found",
  "rate-limited",
  "server-error",
  "network",
  "invalid-response",
  "deadline",
  "too-few-closes",
  "no-movement",
  "bad-price",
  "stale",
  "out-of-range",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const failureSchema = z.looseObject({
  symbol: z.string().check(z.minLength(1)),
  reason: z.enum(FAILURE_REASONS),
  message: z.string(),
});
export type Failure = z.infer<typeof failureSchema>;

export const barSchema = z.looseObject({
  date: isoDate,
  /** The day's close; `null` when the source had no close for a day it listed. */
  close: z.nullable(z.number()),
});
export type Bar = z.infer<typeof barSchema>;

export const seriesSchema = z
  .looseObject({
    symbol: z.string().check(z.minLength(1)),
    bars: z.array(barSchema),
  })
  .check(z.superRefine((series, ctx) => {
    for (let i = 1; i < series.bars.length; i++) {
      if (series.bars[i]!.date <= series.bars[i - 1]!.date) {
        ctx.addIssue({
          code: "custom",
          path: ["bars", i, "date"],
          message: "bars must be in strictly ascending date order",
        });
        return;
      }
    }
  }));
export type Series = z.infer<typeof seriesSchema>;

export const pricesSchema = z.looseObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  kind: z.literal("prices"),
  asOf: isoDate,
  source: z.string().check(z.minLength(1)),
  series: z.array(seriesSchema),
  failures: z.array(failureSchema),
});
export type PricesArtifact = z.infer<typeof pricesSchema>;

export const rsiResultSchema = z.looseObject({
  symbol: z.string().check(z.minLength(1)),
  /** The trading day of the last close used. */
  date: isoDate,
  /** Full double precision; rounding is for display only. */
  rsi: z.number(),
  /** The last close used; a price, so above zero (compute-rsi fails a series with any other close). */
  close: z.number().check(z.positive()),
});
export type RsiResult = z.infer<typeof rsiResultSchema>;

export const rsiSchema = z.looseObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  kind: z.literal("rsi"),
  asOf: isoDate,
  source: z.optional(z.string().check(z.minLength(1))),
  method: z.enum(METHODS),
  period: z.int().check(z.gte(1)),
  results: z.array(rsiResultSchema),
  failures: z.array(failureSchema),
});
export type RsiArtifact = z.infer<typeof rsiSchema>;

export const CHECK_OUTCOMES = ["pass", "warn", "fail"] as const;
export const checkSchema = z.looseObject({
  /** The rule's name, e.g. `rsi-in-range`. */
  rule: z.string(),
  outcome: z.enum(CHECK_OUTCOMES),
  /** One line a person reads in the Argo UI. */
  message: z.string(),
  /** The symbols the rule rejected or flagged. */
  symbols: z.optional(z.array(z.string())),
});
export type Check = z.infer<typeof checkSchema>;

/**
 * The rsi artifact after the validate step: `results` holds only the accepted values,
 * `failures` also lists what validation rejected, and `checks` says what ran and how it went.
 */
export const validatedSchema = z.extend(rsiSchema, {
  kind: z.literal("validated"),
  /** The latest trading day among the results: the day this run's values are stored under. */
  tradeDate: z.nullable(isoDate),
  passed: z.boolean(),
  checks: z.array(checkSchema),
});
export type ValidatedArtifact = z.infer<typeof validatedSchema>;

/**
 * How an artifact is read one element at a time: `streamed` names its bulk (one array), `before`
 * the members a reader needs before the first element (the schema's members ahead of `streamed`,
 * in the schema's order), and `quickElement` makes a quick reader for the elements.
 *
 * The zod schemas stay the contract. The quick reader returns, for an element it recognises, the
 * value zod would return for it (equal, with the same fields in the same order), and `undefined`
 * for any other: that element goes through zod, which refuses it with the usual message or
 * returns it. It allocates nothing per bar for an element the way the steps write it (its fields
 * in the schema's order, any others after them): dates are checked once per distinct date,
 * numbers by comparison, and the element is returned as it is.
 */
export interface StreamedContract<A, E> {
  readonly schema: z.ZodMiniType<A>;
  readonly streamed: string;
  readonly before: readonly string[];
  readonly element: z.ZodMiniType<E>;
  readonly quickElement: () => (value: unknown) => E | undefined;
}

const BAR_FIELDS = ["date", "close"] as const;
const SERIES_FIELDS = ["symbol", "bars"] as const;
const RESULT_FIELDS = ["symbol", "date", "rsi", "close"] as const;

/** Distinct dates in one artifact are few (one per trading day); each is checked once. */
function dateCheck(): (text: unknown) => text is string {
  const known = new Map<string, boolean>();
  return (text): text is string => {
    if (typeof text !== "string") return false;
    let valid = known.get(text);
    if (valid === undefined) {
      valid = isIsoDate(text);
      if (known.size < 100_000) known.set(text, valid);
    }
    return valid;
  };
}

/** What zod takes for an object (a class instance too; the reader only hands it JSON). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The fields come in `fields`' order, first, and none of the others is one of them (or
 * `__proto__`, which zod drops): then zod's copy has the same fields in the same order.
 */
function fieldsInOrder(value: object, fields: readonly string[]): boolean {
  let i = 0;
  for (const key in value) {
    if (i < fields.length) {
      if (key !== fields[i]) return false;
    } else if (key === "__proto__" || fields.includes(key)) {
      return false;
    }
    i++;
  }
  return i >= fields.length;
}

/**
 * An object zod's loose object schema of `fields` has accepted, as zod returns it: `fields` first,
 * in their order, then every other field `for...in` gives, in that order, less `__proto__` (zod
 * drops it rather than let it replace the copy's prototype); the values themselves, not copies.
 * The object itself when it already is so, unless `copy`; otherwise a copy made as zod makes it.
 */
function asZodReturns<T extends Record<string, unknown>>(value: T, fields: readonly string[], copy = false): T {
  if (!copy && fieldsInOrder(value, fields)) return value;
  const result: Record<string, unknown> = {};
  for (const field of fields) result[field] = value[field];
  for (const key in value) if (key !== "__proto__" && !fields.includes(key)) result[key] = value[key];
  return result as T;
}

/** The schema's members ahead of `streamed`, in its order. */
function membersBefore(schema: z.ZodMiniObject, streamed: string): string[] {
  const keys = Object.keys(schema.shape);
  return keys.slice(0, keys.indexOf(streamed));
}

const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && value - value === 0;

/**
 * A series zod accepts, whatever the order of its fields and its bars' fields, and whatever other
 * fields they carry (Yahoo's full quote, `{date, open, high, low, close, adjclose, volume}`, as
 * much as fetch's `{date, close}`): `symbol` text, `bars` an array of objects, each with a `date`
 * zod accepts and a `close` that is `null` or a finite number, the dates strictly ascending. A bar
 * whose fields are not in the schema's order is copied into it, as zod would copy it, and so are
 * its bars array and its series; a series written as the steps write it is returned as it is.
 */
function quickSeries(): (value: unknown) => Series | undefined {
  const isDate = dateCheck();
  return (value) => {
    if (!isRecord(value)) return undefined;
    const { symbol, bars } = value;
    if (typeof symbol !== "string" || symbol.length === 0 || !Array.isArray(bars)) return undefined;
    /** `bars` itself until a bar must be copied; from then, a copy. */
    let checked: unknown[] = bars;
    let previous = "";
    for (let i = 0; i < bars.length; i++) {
      const bar: unknown = bars[i];
      if (!isRecord(bar)) return undefined;
      const { date, close } = bar;
      if (!isDate(date) || (close !== null && !isFiniteNumber(close))) return undefined;
      if (i > 0 && date <= previous) return undefined;
      previous = date;
      const ordered = asZodReturns(bar, BAR_FIELDS);
      if (ordered !== bar && checked === bars) checked = bars.slice(0, i);
      if (checked !== bars) checked.push(ordered);
    }
    const series = asZodReturns(value, SERIES_FIELDS, checked !== bars);
    if (checked !== bars) series.bars = checked;
    return series as Series;
  };
}

export const PRICES: StreamedContract<PricesArtifact, Series> = {
  schema: pricesSchema,
  streamed: "series",
  before: membersBefore(pricesSchema, "series"),
  element: seriesSchema,
  quickElement: quickSeries,
};

/** A result as the steps write it (its fields in the schema's order), with valid values. */
function quickResult(): (value: unknown) => RsiResult | undefined {
  const isDate = dateCheck();
  return (result) =>
    isRecord(result) &&
    fieldsInOrder(result, RESULT_FIELDS) &&
    typeof result.symbol === "string" &&
    result.symbol.length > 0 &&
    isDate(result.date) &&
    isFiniteNumber(result.rsi) &&
    isFiniteNumber(result.close) &&
    result.close > 0
      ? (result as RsiResult)
      : undefined;
}

export const RSI: StreamedContract<RsiArtifact, RsiResult> = {
  schema: rsiSchema,
  streamed: "results",
  before: membersBefore(rsiSchema, "results"),
  element: rsiResultSchema,
  quickElement: quickResult,
};

export const VALIDATED: StreamedContract<ValidatedArtifact, RsiResult> = {
  schema: validatedSchema,
  streamed: "results",
  before: membersBefore(validatedSchema, "results"),
  element: rsiResultSchema,
  quickElement: quickResult,
};

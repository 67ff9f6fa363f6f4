/**
 * The artifact contract, version 1: the JSON files the steps pass to each other.
 *
 *   fetch ──prices.json──▶ compute-rsi ──rsi.json──▶ validate ──validated.json──▶ persist
 *
 * Every step validates what it reads against these schemas and refuses a bad file with one
 * line naming the file and the field. Fields a schema does not name are allowed and carried
 * along, so a newer producer can add information without breaking an older consumer; a change
 * that removes or retypes a field bumps `schemaVersion`.
 *
 * Every symbol an artifact names is a stored ticker (`isTicker`: upper case, as fetch writes
 * it), refused in the symbols file's words, and each artifact names a symbol once, in its bulk
 * or its failures: the steps never write `..`, `ibm` or a control character as a symbol, or a
 * symbol twice, so a file that does was edited or made by something else, and a step passing it
 * on would put it in a Yahoo path, a column name, a terminal or the run's notification.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { FIRST_DATE, isIsoDate, LAST_DATE } from "./dates.ts";
import { METHODS } from "./rsi.ts";
import { isTicker, notATicker, quotedSymbol } from "./symbols.ts";

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

/** A symbol as the steps write it: a stored ticker, or refused saying why, as everywhere (`notATicker`). */
const ticker = z.string().check(
  z.minLength(1),
  z.refine(isTicker, { error: (issue) => `${quotedSymbol(issue.input as string)} ${notATicker(issue.input as string, "stored")}` }),
);

/**
 * A symbol as a replayed prices file (`file:`) may hold it: any text, which that source reads by
 * the symbols file's rule (`aapl` answers for AAPL) and checks itself.
 */
const symbolText = z.string().check(z.minLength(1));

/**
 * Where each symbol of an artifact was first named, to refuse the second naming: one symbol, one
 * series or result or failure, or the step after would rank, store or notify one of two values
 * for it. The members are seen in the contract's order (its bulk, then `failures`), so a file is
 * refused at the same repeat whether it is read whole or one element at a time.
 */
export class SymbolPlaces {
  private readonly firstAt = new Map<string, string>();
  private found: { readonly path: readonly (string | number)[]; readonly message: string } | undefined;

  /** `artifact` as a message names it: `a prices artifact`. */
  constructor(private readonly artifact: string) {}

  see(symbol: string, member: string, index: number): void {
    if (this.found) return;
    const field = `${member}[${index}].symbol`;
    const first = this.firstAt.get(symbol);
    if (first === undefined) this.firstAt.set(symbol, field);
    else this.found = { path: [member, index, "symbol"], message: `${quotedSymbol(symbol)} is already at ${first}; ${this.artifact} names each symbol once` };
  }

  /** The first repeat seen: where, as a path into the artifact, and what to say. */
  get repeat() {
    return this.found;
  }
}

/** The check of a whole artifact that each symbol of `members` is named once. */
function eachSymbolOnce(artifact: string, members: readonly string[]) {
  return z.superRefine((value: Record<string, unknown>, ctx) => {
    const places = new SymbolPlaces(artifact);
    for (const member of members) (value[member] as readonly { readonly symbol: string }[]).forEach((e, i) => places.see(e.symbol, member, i));
    if (places.repeat) ctx.addIssue({ code: "custom", path: [...places.repeat.path], message: places.repeat.message, input: value });
  });
}

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

function failureOf(symbol: z.ZodMiniString) {
  return z.looseObject({
    symbol,
    reason: z.enum(FAILURE_REASONS),
    message: z.string(),
  });
}
export const failureSchema = failureOf(ticker);
export type Failure = z.infer<typeof failureSchema>;

export const barSchema = z.looseObject({
  date: isoDate,
  /** The day's close; `null` when the source had no close for a day it listed. */
  close: z.nullable(z.number()),
});
export type Bar = z.infer<typeof barSchema>;

function seriesOf(symbol: z.ZodMiniString) {
  return z.looseObject({ symbol, bars: z.array(barSchema) }).check(z.superRefine((series, ctx) => {
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
}
export const seriesSchema = seriesOf(ticker);
export type Series = z.infer<typeof seriesSchema>;

function pricesOf(symbol: z.ZodMiniString) {
  return z.looseObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    kind: z.literal("prices"),
    asOf: isoDate,
    source: z.string().check(z.minLength(1)),
    series: z.array(seriesOf(symbol)),
    failures: z.array(failureOf(symbol)),
  });
}
const pricesMembers = pricesOf(ticker);
export const pricesSchema = pricesMembers.check(eachSymbolOnce("a prices artifact", ["series", "failures"]));
export type PricesArtifact = z.infer<typeof pricesSchema>;

export const rsiResultSchema = z.looseObject({
  symbol: ticker,
  /** The trading day of the last close used. */
  date: isoDate,
  /** Full double precision; rounding is for display only. */
  rsi: z.number(),
  /** The last close used; a price, so above zero (compute-rsi fails a series with any other close). */
  close: z.number().check(z.positive()),
});
export type RsiResult = z.infer<typeof rsiResultSchema>;

const rsiMembers = z.looseObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  kind: z.literal("rsi"),
  asOf: isoDate,
  source: z.optional(z.string().check(z.minLength(1))),
  method: z.enum(METHODS),
  period: z.int().check(z.gte(1)),
  results: z.array(rsiResultSchema),
  failures: z.array(failureSchema),
});
export const rsiSchema = rsiMembers.check(eachSymbolOnce("an rsi artifact", ["results", "failures"]));
export type RsiArtifact = z.infer<typeof rsiSchema>;

export const CHECK_OUTCOMES = ["pass", "warn", "fail"] as const;
export const checkSchema = z.looseObject({
  /** The rule's name, e.g. `rsi-in-range`. */
  rule: z.string(),
  outcome: z.enum(CHECK_OUTCOMES),
  /** One line a person reads in the Argo UI. */
  message: z.string(),
  /** The symbols the rule rejected or flagged. */
  symbols: z.optional(z.array(ticker)),
});
export type Check = z.infer<typeof checkSchema>;

/**
 * The rsi artifact after the validate step: `results` holds only the accepted values,
 * `failures` also lists what validation rejected, and `checks` says what ran and how it went.
 */
const validatedMembers = z.extend(rsiMembers, {
  kind: z.literal("validated"),
  /** The latest trading day among the results: the day this run's values are stored under. */
  tradeDate: z.nullable(isoDate),
  passed: z.boolean(),
  checks: z.array(checkSchema),
});
export const validatedSchema = validatedMembers.check(eachSymbolOnce("a validated artifact", ["results", "failures"]));
export type ValidatedArtifact = z.infer<typeof validatedSchema>;

/**
 * How an artifact is read one element at a time: `streamed` names its bulk (one array), `before`
 * the members a reader needs before the first element (the schema's members ahead of `streamed`,
 * in the schema's order), and `quickElement` makes a quick reader for the elements.
 *
 * `schema` is the whole artifact's contract; `members` is the same less the check that spans the
 * bulk, each symbol named once, which a reader that has handed the bulk on element by element
 * makes itself: `onceEach` gives it the places to record each element's symbol in, then the other
 * members', in the order the whole schema checks them, so it refuses the same repeat.
 *
 * The zod schemas stay the contract. The quick reader returns, for an element it recognises, the
 * value zod would return for it (equal, with the same fields in the same order), and `undefined`
 * for any other: that element goes through zod, which refuses it with the usual message or
 * returns it. It allocates nothing per bar for an element the way the steps write it (its fields
 * in the schema's order, any others after them): dates are checked once per distinct date,
 * numbers by comparison, and the element is returned as it is.
 */
export interface StreamedContract<A, E extends { readonly symbol: string }> {
  readonly schema: z.ZodMiniType<A>;
  readonly members: z.ZodMiniObject;
  readonly streamed: string;
  readonly before: readonly string[];
  readonly element: z.ZodMiniType<E>;
  readonly quickElement: () => (value: unknown) => E | undefined;
  /** The places symbols are recorded in, and the members after the bulk that name symbols; none for a contract that leaves repeats to its reader. */
  readonly onceEach?: { readonly places: () => SymbolPlaces; readonly alsoIn: readonly string[] };
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
 * much as fetch's `{date, close}`): a `symbol` that `isSymbol` takes, `bars` an array of objects, each with a `date`
 * zod accepts and a `close` that is `null` or a finite number, the dates strictly ascending. A bar
 * whose fields are not in the schema's order is copied into it, as zod would copy it, and so are
 * its bars array and its series; a series written as the steps write it is returned as it is.
 */
function quickSeries(isSymbol: (text: string) => boolean): () => (value: unknown) => Series | undefined {
  return () => {
    const isDate = dateCheck();
    return (value) => {
      if (!isRecord(value)) return undefined;
      const { symbol, bars } = value;
      if (typeof symbol !== "string" || !isSymbol(symbol) || !Array.isArray(bars)) return undefined;
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
  };
}

export const PRICES: StreamedContract<PricesArtifact, Series> = {
  schema: pricesSchema,
  members: pricesMembers,
  streamed: "series",
  before: membersBefore(pricesMembers, "series"),
  element: seriesSchema,
  quickElement: quickSeries(isTicker),
  onceEach: { places: () => new SymbolPlaces("a prices artifact"), alsoIn: ["failures"] },
};

const recordedPrices = pricesOf(symbolText);

/**
 * A prices file replayed by the `file:` source: its symbols any text, which that source reads by
 * the symbols file's rule (`aapl` answers for AAPL, `ıbm` for nothing) and refuses twice itself.
 */
export const RECORDED_PRICES: StreamedContract<PricesArtifact, Series> = {
  schema: recordedPrices,
  members: recordedPrices,
  streamed: "series",
  before: membersBefore(recordedPrices, "series"),
  element: seriesOf(symbolText),
  quickElement: quickSeries((text) => text.length > 0),
};

/** A result as the steps write it (its fields in the schema's order), with valid values. */
function quickResult(): (value: unknown) => RsiResult | undefined {
  const isDate = dateCheck();
  return (result) =>
    isRecord(result) &&
    fieldsInOrder(result, RESULT_FIELDS) &&
    typeof result.symbol === "string" &&
    isTicker(result.symbol) &&
    isDate(result.date) &&
    isFiniteNumber(result.rsi) &&
    isFiniteNumber(result.close) &&
    result.close > 0
      ? (result as RsiResult)
      : undefined;
}

export const RSI: StreamedContract<RsiArtifact, RsiResult> = {
  schema: rsiSchema,
  members: rsiMembers,
  streamed: "results",
  before: membersBefore(rsiMembers, "results"),
  element: rsiResultSchema,
  quickElement: quickResult,
  onceEach: { places: () => new SymbolPlaces("an rsi artifact"), alsoIn: ["failures"] },
};

export const VALIDATED: StreamedContract<ValidatedArtifact, RsiResult> = {
  schema: validatedSchema,
  members: validatedMembers,
  streamed: "results",
  before: membersBefore(validatedMembers, "results"),
  element: rsiResultSchema,
  quickElement: quickResult,
  onceEach: { places: () => new SymbolPlaces("a validated artifact"), alsoIn: ["failures"] },
};

/**
 * The quick reader of a prices artifact's series (`PRICES.quickElement`) against zod, the
 * contract: over many generated series (fields in every order, fields the schema does not name,
 * `__proto__`, null closes, closes of the wrong type, non-finite numbers, malformed and
 * out-of-order dates, symbols that are no stored ticker) it reads exactly the series zod accepts,
 * and returns for each the value zod returns, field for field and in the same order. Through the
 * real reader, a file of such series (a symbol sometimes named twice) reads as zod reads it, and
 * a bad one is refused with zod's line.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRICES, pricesSchema } from "../../../steps/domain/artifacts.ts";
import { UserError } from "../../../steps/domain/errors.ts";
import { readArtifact } from "../../../steps/files/artifact-files.ts";
import { tempDir } from "../../support/cli.ts";

/** Marsaglia's xorshift32 (2003): the same seed generates the same cases on every run. */
function generator(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const chance = (p: number) => next() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return { next, chance, pick, shuffle };
}
type Generator = ReturnType<typeof generator>;

/**
 * An object with these fields in this order, made the way `JSON.parse` makes one: each field its
 * own data property, so `__proto__` is a field, not the prototype.
 */
function objectOf(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Values JSON can carry; `jsonOnly` false adds what only a program can hand over. */
function anyValue(g: Generator, jsonOnly: boolean): unknown {
  const values: unknown[] = [0, -1, 2.5, "x", "", true, false, null, [], [1, "a"], { a: 1 }, { __nested: [null] }];
  if (!jsonOnly) values.push(undefined, Number.NaN, Infinity, -Infinity, -0);
  return g.pick(values);
}

/** Stored tickers, Yahoo's shapes among them. */
const TICKERS = ["AAPL", "BRK.B", "^GSPC", "EURUSD=X", "WSU.DE", "1AB", "MSFT", "T"];
/** Text that is no stored ticker: lower case, no letter or digit, a control character, too long, a dotless ı, ß. */
const NOT_TICKERS = ["aapl", "Brk.B", "..", ".", "^", "X\u001b]0;pwned\u0007", "A B", "ABCDEFGHIJKLMNOPQRSTU", "ıBM", "ß", " AAPL"];

const BAD_DATES = ["2021-02-29", "2021-13-01", "2021-04-31", " 2021-05-17", "2021-05-17 ", "2021-5-17", "20210517", "1969-12-31", "10000-01-01", "+002021-05-17", "2021-05-17T00:00:00Z", ""];
const EXTRA_FIELDS = ["open", "high", "low", "adjclose", "volume", "note", "0", "7", "__proto__", "constructor", "toString", "Date", "closes"];

/** A trading day `i` days after 2021-01-04, written YYYY-MM-DD. */
const day = (i: number) => new Date(Date.UTC(2021, 0, 4 + i)).toISOString().slice(0, 10);

/** One bar: mostly valid, sometimes one field broken, missing or out of place; extras in any order. */
function bar(g: Generator, index: number, jsonOnly: boolean): unknown {
  if (g.chance(0.01)) return g.pick([null, [], "2021-05-17", 3]);
  let date: unknown = day(index);
  if (g.chance(0.04)) date = g.pick([...BAD_DATES, day(index - 1), day(index - 2), 20210517, null]);
  let close: unknown = g.chance(0.1) ? null : g.pick([100 + g.next() * 50, Math.fround(100 + g.next() * 50), 0, -0, -3.5, 1e308, 5e-324, 42]);
  if (g.chance(0.04)) close = g.pick(jsonOnly ? ["1.5", true, {}, [], "null"] : ["1.5", true, {}, [], undefined, Number.NaN, Infinity, -Infinity]);
  const entries: Array<readonly [string, unknown]> = [];
  if (!g.chance(0.01)) entries.push(["date", date]);
  if (!g.chance(0.01)) entries.push(["close", close]);
  for (const field of EXTRA_FIELDS) if (g.chance(field === "__proto__" ? 0.02 : 0.25)) entries.push([field, anyValue(g, jsonOnly)]);
  // Half of the bars keep the schema's order with extras after it (what fetch writes, and the
  // bench's `close` second); the others any order (Yahoo's CSV order among them).
  return objectOf(g.chance(0.5) ? entries : g.shuffle(entries));
}

/** One series of 0-8 bars: mostly valid, its fields in any order, sometimes extra fields. */
function series(g: Generator, jsonOnly: boolean): unknown {
  if (g.chance(0.01)) return g.pick([null, [], "AAPL", 1]);
  const count = Math.floor(g.next() * 9);
  const bars = Array.from({ length: count }, (_, i) => bar(g, i, jsonOnly));
  const entries: Array<readonly [string, unknown]> = [];
  if (!g.chance(0.01)) entries.push(["symbol", g.chance(0.02) ? g.pick(["", 5, null]) : g.chance(0.05) ? g.pick(NOT_TICKERS) : g.pick(TICKERS)]);
  if (!g.chance(0.01)) entries.push(["bars", g.chance(0.01) ? g.pick([{}, null, "[]"]) : bars]);
  for (const field of ["note", "__proto__", "1", "bars2"]) if (g.chance(field === "__proto__" ? 0.03 : 0.1)) entries.push([field, anyValue(g, jsonOnly)]);
  return objectOf(g.chance(0.5) ? entries : g.shuffle(entries));
}

/**
 * A value as `for...in` shows it, the order of fields included, and whether each object's
 * prototype is still Object's (a `__proto__` field zod kept would have replaced it).
 */
function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (typeof value !== "object" || value === null) return value;
  const fields: unknown[] = [];
  for (const key in value) fields.push([key, ordered((value as Record<string, unknown>)[key])]);
  return { plainObject: Object.getPrototypeOf(value) === Object.prototype, fields };
}

const CASES = 20_000;

describe("the quick reader of a prices series agrees with zod", () => {
  it(`reads exactly the series zod accepts, and returns zod's value, fields in zod's order (${CASES} generated series)`, () => {
    const g = generator(20210517);
    const quick = PRICES.quickElement();
    let accepted = 0;
    let copied = 0;
    for (let n = 0; n < CASES; n++) {
      const input = series(g, false);
      const shown = () => `case ${n}: ${JSON.stringify(ordered(input))}`;
      const before = ordered(input);
      const zod = PRICES.element.safeParse(input);
      const read = quick(input);
      expect(read !== undefined, shown()).toBe(zod.success);
      if (read !== undefined) {
        accepted++;
        if (read !== input) copied++;
        expect(ordered(read), shown()).toStrictEqual(ordered(zod.data));
      }
      // A reader, not a fixer: what it was handed is left as it was.
      expect(ordered(input), shown()).toStrictEqual(before);
    }
    // Both verdicts, and both ways of returning a series, are well represented.
    expect(accepted).toBeGreaterThan(CASES / 4);
    expect(CASES - accepted).toBeGreaterThan(CASES / 4);
    expect(copied).toBeGreaterThan(CASES / 10);
    expect(accepted - copied).toBeGreaterThan(CASES / 100);
  });

  it("accepts Yahoo's full bar in the order of its CSV download, and returns it in zod's order", () => {
    const input = { symbol: "AAPL", bars: [{ date: "2021-05-17", open: 126.82, high: 126.93, low: 125.17, close: 126.27, adjclose: 125.06, volume: 74244600 }] };
    const read = PRICES.quickElement()(input);
    expect(read).toBeDefined();
    expect(JSON.stringify(read)).toBe(JSON.stringify(PRICES.element.parse(input)));
    expect(Object.keys(read!.bars[0]!)).toEqual(["date", "close", "open", "high", "low", "adjclose", "volume"]);
  });

  it("returns a series written the way fetch writes it as it is, copying nothing", () => {
    const input = { symbol: "AAPL", bars: [{ date: "2021-05-14", close: 127.45 }, { date: "2021-05-17", close: null }], note: 1 };
    expect(PRICES.quickElement()(input)).toBe(input);
  });
});

describe("a prices file of such series, through the reader", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it("reads as zod reads the whole file, or is refused with zod's first problem (200 generated files)", () => {
    const g = generator(42);
    let refused = 0;
    for (let n = 0; n < 200; n++) {
      const failures = g.chance(0.3) ? [{ symbol: g.chance(0.1) ? g.pick(NOT_TICKERS) : g.pick(TICKERS), reason: "not-found", message: "gone" }] : [];
      const artifact = { schemaVersion: 1, kind: "prices", asOf: "2021-05-17", source: "test", series: Array.from({ length: 3 }, () => series(g, true)), failures };
      const text = JSON.stringify(artifact, null, g.chance(0.5) ? 2 : undefined);
      const path = join(dir.path, `prices-${n}.json`);
      writeFileSync(path, text);
      const zod = pricesSchema.safeParse(JSON.parse(text));
      if (zod.success) {
        expect(ordered(readArtifact(path, PRICES, "stock-rsi fetch")), text).toStrictEqual(ordered(zod.data));
      } else {
        refused++;
        const issue = zod.error.issues[0]!;
        const where = issue.path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
        expect(() => readArtifact(path, PRICES, "stock-rsi fetch"), text).toThrow(new UserError(`${path}: ${where}: ${issue.message}; regenerate it with stock-rsi fetch`));
      }
    }
    expect(refused).toBeGreaterThan(20);
    expect(refused).toBeLessThan(180);
  });
});

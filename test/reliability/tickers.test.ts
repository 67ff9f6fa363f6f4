/**
 * One ticker rule, whatever path a symbol comes in by (issue 17, items 13 and 14).
 *
 * - `.`, `..`, `-`, `^` and `=` were taken as symbols: nothing to name, and odd Yahoo paths
 *   (`/v8/finance/chart/..` is the endpoint's parent). A ticker now needs a letter or a digit,
 *   in the symbols file, `history`'s arguments, a replayed prices file and the artifacts persist
 *   stores alike.
 * - The `file:` source matched its series with `toUpperCase()`: a series named `ıbm` (dotless ı)
 *   answered for IBM, and of `IBM` and `ibm` the later one silently won. It now reads a file's
 *   symbols by the symbols file's rule (characters checked before upper-casing) and refuses a
 *   symbol it holds twice.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PricesArtifact, ValidatedArtifact } from "../../steps/domain/artifacts.ts";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectRefusal } from "./support.ts";

const AS_OF = "2021-05-17";
const dir = tempDir("stock-rsi-tickers-");
afterAll(() => dir.cleanup());
const write = (name: string, content: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
const NO_LETTER_OR_DIGIT = [".", "..", "-", "^", "=", "..^", "-=."];

/** A prices artifact and a validated artifact for AAPL, IBM and MSFT, as the steps write them. */
let prices: PricesArtifact;
let validated: ValidatedArtifact;
beforeAll(async () => {
  const artifacts = join(dir.path, "artifacts");
  const result = await stockRsi(["run", write("real", "AAPL\nIBM\nMSFT\n"), "--source", "sample", "--as-of", AS_OF, "--no-store", "--artifacts-dir", artifacts]);
  expect(result.code, result.stderr).toBe(0);
  prices = JSON.parse(readFileSync(join(artifacts, "prices.json"), "utf8")) as PricesArtifact;
  validated = JSON.parse(readFileSync(join(artifacts, "validated.json"), "utf8")) as ValidatedArtifact;
});

/** The prices artifact with its series renamed, in order; `undefined` drops a series. */
function pricesFile(name: string, symbols: readonly (string | undefined)[]): string {
  const series = prices.series.flatMap((s, i) => (symbols[i] === undefined ? [] : [{ ...s, symbol: symbols[i] }]));
  return write(name, JSON.stringify({ ...prices, series }));
}

const rankingOf = (stdout: string) => stdout.trim().split("\n");

describe("a ticker has a letter or a digit, on every path", () => {
  it.each(NO_LETTER_OR_DIGIT)("the symbols file: %j is refused with its line, before anything is fetched", async (symbol) => {
    const file = write("list", `AAPL\n${symbol}\n`);
    const result = await stockRsi(["run", file, "--source", "sample", "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}:2: "${symbol}" has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)` });
  });

  it("history's arguments: `..` is no symbol to look up", async () => {
    const result = await stockRsi(["history", "..", "--db", `sqlite:${join(dir.path, "none.db")}`]);
    expectRefusal(result, { code: 2, line: 'history: ".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)' });
  });

  it("a replayed prices file: a series named `.` is refused, naming it", async () => {
    const file = pricesFile("dot-prices.json", ["AAPL", ".", "MSFT"]);
    const result = await stockRsi(["run", write("two", "AAPL\nMSFT\n"), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[1].symbol: "." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)` });
  });

  it("an artifact persist would store: a result for `^` is refused and nothing is stored", async () => {
    const edited = { ...validated, results: validated.results.map((r, i) => (i === 0 ? { ...r, symbol: "^" } : r)) };
    const file = write("caret-validated.json", JSON.stringify(edited));
    const db = join(dir.path, "caret.db");
    const result = await stockRsi(["persist", "--in", file, "--db", `sqlite:${db}`]);
    expectRefusal(result, { code: 2, line: `${file}: results[0].symbol: "^" has no letter or digit; a ticker has at least one (BRK-B, ^GSPC); regenerate it with stock-rsi validate` });
    expect(existsSync(db)).toBe(false);
  });

  it("what holds: Yahoo's real shapes (^GSPC, EURUSD=X, BRK-B, WSU.DE, 1AB) pass the symbols file", async () => {
    const result = await stockRsi(["run", write("shapes", "^gspc\nEURUSD=X\nBRK-B\nWSU.DE\n1ab\n"), "--source", "sample", "--as-of", AS_OF, "--no-store"]);
    expect(result.code, result.stderr).toBe(0);
    expect(rankingOf(result.stdout).map((l) => l.split(" ")[0]).sort()).toEqual(["1AB", "BRK-B", "EURUSD=X", "WSU.DE", "^GSPC"]);
  });
});

describe("the file: source reads symbols by the symbols file's exact rule", () => {
  const symbols = () => write("aapl-ibm-msft", "AAPL\nIBM\nMSFT\n");

  it("a series named ıbm (dotless ı) does not answer for IBM: the file is refused, naming the series", async () => {
    const file = pricesFile("dotless.json", ["AAPL", "ıbm", "MSFT"]);
    const result = await stockRsi(["run", symbols(), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[1].symbol: "ıbm" has characters a ticker cannot have; use only letters, digits and . - ^ =` });
  });

  it("two series for one symbol (IBM, then ibm) are refused, naming both: neither shadows the other", async () => {
    const withTwin = { ...prices, series: [...prices.series, { ...prices.series[0]!, symbol: "ibm" }] };
    const file = write("twins.json", JSON.stringify(withTwin));
    const result = await stockRsi(["run", symbols(), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[3].symbol: "ibm" is IBM again, already at series[1].symbol; a prices file holds each symbol once` });
  });

  it("backfill --prices lists the file's symbols by the same rule, and refuses the same file", async () => {
    const withTwin = { ...prices, series: [...prices.series, { ...prices.series[0]!, symbol: "Ibm" }] };
    const file = write("twins-backfill.json", JSON.stringify(withTwin));
    const result = await stockRsi(["backfill", "--prices", file, "--from", AS_OF, "--to", AS_OF, "--lookback-days", "30", "--db", `sqlite:${join(dir.path, "bf.db")}`]);
    expectRefusal(result, { code: 2, line: `${file}: series[3].symbol: "Ibm" is IBM again, already at series[1].symbol; a prices file holds each symbol once` });
  });

  it("what holds: lower case answers for its ticker, as in a symbols file, with the same ranking", async () => {
    const upper = pricesFile("upper.json", ["AAPL", "IBM", "MSFT"]);
    const lower = pricesFile("lower.json", ["aapl", "Ibm", "msft"]);
    const fromUpper = await stockRsi(["run", symbols(), "--source", `file:${upper}`, "--as-of", AS_OF, "--no-store"]);
    const fromLower = await stockRsi(["run", symbols(), "--source", `file:${lower}`, "--as-of", AS_OF, "--no-store"]);
    expect(fromUpper.code, fromUpper.stderr).toBe(0);
    expect(fromLower.code, fromLower.stderr).toBe(0);
    expect(rankingOf(fromUpper.stdout)).toHaveLength(3);
    expect(fromLower.stdout).toBe(fromUpper.stdout);
  });
});

import { describe, expect, it } from "vitest";
import { shown, storedRunProblem, storedValueProblem } from "../../../steps/domain/stored-values.ts";
import { parseSymbols } from "../../../steps/domain/symbols.ts";

describe("a value read back from a store", () => {
  const good = { symbol: "BRK-B", date: "2021-05-17", rsi: 46.89 };

  it("is a ticker, a real date and a finite RSI within 0-100, the bounds included", () => {
    for (const rsi of [0, 46.89, 100]) expect(storedValueProblem({ ...good, rsi })).toBeUndefined();
  });

  it("says what is wrong with an RSI that is not one", () => {
    expect(storedValueProblem({ ...good, rsi: "46.89" })).toBe('rsi "46.89" is text, not a number');
    expect(storedValueProblem({ ...good, rsi: null })).toBe("rsi is NULL");
    expect(storedValueProblem({ ...good, rsi: Number.NaN })).toBe("rsi NaN is not a finite number");
    expect(storedValueProblem({ ...good, rsi: -Infinity })).toBe("rsi -Infinity is not a finite number");
    expect(storedValueProblem({ ...good, rsi: 100.0001 })).toBe("rsi 100.0001 is outside 0-100");
    expect(storedValueProblem({ ...good, rsi: 47n })).toBe("rsi 47 is not a number");
    expect(storedValueProblem({ ...good, rsi: new Uint8Array(3) })).toBe("rsi (a blob of 3 bytes) is not a number");
  });

  it("says what is wrong with a date or a symbol, the date first", () => {
    expect(storedValueProblem({ ...good, date: "2021-02-30" })).toBe("trade_date \"2021-02-30\" is not a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31");
    expect(storedValueProblem({ ...good, date: 20210517, symbol: "x" })).toMatch(/^trade_date 20210517 is not a date/);
    expect(storedValueProblem({ ...good, symbol: "aapl" })).toBe('symbol "aapl" has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)');
    expect(storedValueProblem({ ...good, symbol: 42 })).toBe("symbol 42 is not text, so not a ticker");
  });

  it("refuses a stored symbol in the symbols file's words: a ticker has at least one letter or digit", () => {
    expect(storedValueProblem({ ...good, symbol: ".." })).toBe('symbol ".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)');
    for (const symbol of ["..", "^", "-=", "AB;C", "X`FLOAT", "ÄPL", "A".repeat(21)]) {
      let fileLine = "";
      try {
        parseSymbols(`${symbol}\n`, "symbols");
      } catch (err) {
        fileLine = (err as Error).message;
      }
      const reason = fileLine.slice(fileLine.indexOf('" ') + 2);
      expect(reason, symbol).toMatch(/^(has|is) /);
      expect(storedValueProblem({ ...good, symbol }), symbol).toBe(`symbol ${shown(symbol)} ${reason}`);
    }
  });

  it("shows stored text quoted, escaped and cut, so a warning stays one short line", () => {
    expect(shown("a\nb")).toBe('"a\\nb"');
    expect(shown("x".repeat(100))).toBe(`"${"x".repeat(37)}..."`);
  });
});

describe("a run record read back from a store", () => {
  const good = { runId: "daily", tradeDate: "2021-05-17", asOf: "2021-05-17", source: "yahoo", ranked: 180, failed: 0 };

  it("has a run id, two dates, a source and two counts", () => {
    expect(storedRunProblem(good)).toBeUndefined();
    expect(storedRunProblem({ ...good, runId: "" })).toBe('run_id "" is not a run id');
    expect(storedRunProblem({ ...good, asOf: "0000-00-00" })).toMatch(/^as_of "0000-00-00" is not a date/);
    expect(storedRunProblem({ ...good, failed: -1 })).toBe("failed -1 is not a count");
    expect(storedRunProblem({ ...good, ranked: 1.5 })).toBe("ranked 1.5 is not a count");
  });
});

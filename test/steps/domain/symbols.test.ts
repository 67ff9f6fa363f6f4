import { describe, expect, it } from "vitest";
import { parseSymbols } from "../../../steps/domain/symbols.ts";
import { readSymbolsFile } from "../../../steps/files/symbols-file.ts";
import { UserError } from "../../../steps/domain/errors.ts";
import { USER_SYMBOLS } from "../../support/cli.ts";

function refusal(text: string): string {
  try {
    parseSymbols(text, "symbols");
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected the file to be refused");
}

describe("the symbols file", () => {
  it("reads the user's real list of 180 symbols", () => {
    const { symbols, warnings } = readSymbolsFile(USER_SYMBOLS);
    expect(symbols).toHaveLength(180);
    expect(symbols.slice(0, 3)).toEqual(["AAGIY", "AAPL", "ABBV"]);
    expect(warnings).toEqual([]);
  });

  it("trims, upper-cases, and skips blank lines and comments", () => {
    const { symbols } = parseSymbols("# my list\n  aapl \n\n\tmsft\r\nbrk-b # Berkshire\n^gspc\nwsu.de\neurusd=x\n", "symbols");
    expect(symbols).toEqual(["AAPL", "MSFT", "BRK-B", "^GSPC", "WSU.DE", "EURUSD=X"]);
  });

  it("drops a repeated symbol with a warning naming both lines", () => {
    const { symbols, warnings } = parseSymbols("AAPL\nmsft\naapl\n", "list.txt");
    expect(symbols).toEqual(["AAPL", "MSFT"]);
    expect(warnings).toEqual(["list.txt:3: AAPL is already listed on line 1; ignoring the repeat"]);
  });

  it("refuses two symbols on one line, naming the line", () => {
    expect(refusal("AAPL\nMSFT GOOG\n")).toBe('symbols:2: "MSFT GOOG" has 2 symbols on one line; put one symbol per line');
  });

  it("refuses characters a ticker cannot have, such as SQL", () => {
    expect(refusal("AAPL\nX`; DROP TABLE stocks;--\n")).toMatch(/^symbols:2: .* on one line/);
    expect(refusal("AAPL\nAB'C\n")).toBe(`symbols:2: "AB'C" has characters a ticker cannot have; use only letters, digits and . - ^ =`);
    expect(refusal("AAPL\nAB;C\n")).toMatch(/^symbols:2: "AB;C" has characters a ticker cannot have/);
  });

  it("refuses a symbol over 20 characters", () => {
    expect(refusal(`AAPL\n${"A".repeat(21)}\n`)).toMatch(/^symbols:2: "A{21}" is longer than 20 characters/);
    expect(parseSymbols("A".repeat(20), "symbols").symbols).toEqual(["A".repeat(20)]);
  });

  it("refuses an empty list", () => {
    expect(refusal("# nothing yet\n\n")).toBe("symbols: lists no symbols; put one ticker per line (e.g. AAPL)");
  });

  it("refuses a file that does not exist, naming it", () => {
    expect(() => readSymbolsFile("/nonexistent/symbols")).toThrow("/nonexistent/symbols: cannot read the symbols file (no such file)");
  });
});

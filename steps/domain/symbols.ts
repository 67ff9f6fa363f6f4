/**
 * The symbols file: the user's list of tickers, one per line, as their original program read it.
 *
 * Lines are trimmed and upper-cased; blank lines and `#` comments are skipped; a repeated
 * symbol is dropped with a warning. Anything else is refused with its line number, before
 * anything is fetched or stored: a symbol also becomes a column name in the user's wide
 * `stocks` table and part of a Yahoo URL, so only Yahoo's ticker alphabet gets through
 * (`A-Z 0-9 . - ^ =`, which covers `BRK-B`, `WSU.DE`, `^GSPC` and `EURUSD=X`), with at least one
 * letter or digit: `.`, `..`, `-`, `^` or `=` alone name nothing, and `..` in a URL's path is
 * its parent (`/v8/finance/chart/..` is `/v8/finance/`).
 *
 * The rule is `isTicker`, and every path a symbol comes in by agrees with it: the symbols file,
 * `history`'s arguments, a replayed prices file (`file:`), the artifacts persist stores, the
 * columns of the wide table and of a legacy import.
 */
import { UserError } from "./errors.ts";

/** A ticker, upper case: the alphabet, and at least one letter or digit. */
export const SYMBOL_PATTERN = /^[.\-^=]*[A-Z0-9][A-Z0-9.\-^=]*$/;
export const MAX_SYMBOL_LENGTH = 20;

/**
 * The longest list a run takes. A run asks Yahoo once per symbol (10,000 requests at the default
 * pace take about the default fetch deadline) and its steps hold every series in memory (about
 * 26 KB a symbol for three months: 10,000 fit the step pods' 512 MiB, the 100,000 of a mistaken
 * file need 2.6 GB). A longer list is refused before anything is fetched.
 */
export const MAX_SYMBOLS = 10_000;
/** The ticker alphabet in either case, as a user may write it. */
const WRITTEN_SYMBOL = /^[A-Za-z0-9.\-^=]+$/;

/**
 * True for a symbol that may be stored and become a column name: the symbols file's own rule.
 * Upper case only: the file's lines are upper-cased before they are checked.
 */
export function isTicker(symbol: string): boolean {
  return symbol.length <= MAX_SYMBOL_LENGTH && SYMBOL_PATTERN.test(symbol);
}

/**
 * The ticker a user wrote (`aapl`, `BRK-b`), upper-cased, or undefined when it is not one. The
 * characters are checked *before* upper-casing: JavaScript upper-cases `ı` (dotless i) to `I`
 * and `ß` to `SS`, so `ıbm` and `straße` would otherwise pass as IBM and STRASSE, tickers the
 * user never wrote.
 */
export function tickerAsWritten(text: string): string | undefined {
  if (!WRITTEN_SYMBOL.test(text)) return undefined;
  const ticker = text.toUpperCase();
  return isTicker(ticker) ? ticker : undefined;
}

/**
 * Why `text` is not a ticker, in a few words for a message (`has no letter or digit; a ticker has
 * at least one (BRK-B, ^GSPC)`); undefined when it is one. The one wording of `isTicker`'s rule,
 * whatever a symbol came in by: each message quotes the symbol its own way, then says this.
 * - `written` (the symbols file, `history`'s arguments, a replayed prices file): what a user
 *   wrote, upper-cased first, so lower case is allowed (`tickerAsWritten`);
 * - `stored` (an artifact persist stores, a row read back, a legacy table's column): a ticker is
 *   upper case already (`isTicker`).
 */
export function notATicker(text: string, as: "written" | "stored" = "written"): string | undefined {
  if (as === "written" ? tickerAsWritten(text) !== undefined : isTicker(text)) return undefined;
  if (!WRITTEN_SYMBOL.test(text)) return "has characters a ticker cannot have; use only letters, digits and . - ^ =";
  if (text.length > MAX_SYMBOL_LENGTH) return `is longer than ${MAX_SYMBOL_LENGTH} characters; is it a symbol?`;
  if (!/[A-Za-z0-9]/.test(text)) return "has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)";
  return "has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)";
}

/**
 * A symbol as a message quotes it: in JSON's quotes and escapes, so a control character is shown
 * (`"X\u001b]0;"`), never acted on; cut at 60 characters, so a mistaken megabyte is not echoed.
 */
export function quotedSymbol(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

export interface SymbolList {
  readonly symbols: readonly string[];
  readonly warnings: readonly string[];
}

/** Parses the file's text; `fileName` only labels messages. Throws `UserError` on a bad line. */
export function parseSymbols(text: string, fileName: string): SymbolList {
  const symbols: string[] = [];
  const firstSeenOn = new Map<string, number>();
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const content = raw.replace(/#.*/, "").trim();
    if (content === "") return;
    const tokens = content.split(/\s+/);
    if (tokens.length > 1) {
      throw new UserError(
        `${fileName}:${lineNo}: "${content}" has ${tokens.length} symbols on one line; put one symbol per line`,
      );
    }
    const symbol = tickerAsWritten(content);
    if (symbol === undefined) throw new UserError(`${fileName}:${lineNo}: "${truncate(content)}" ${notATicker(content)}`);
    const seen = firstSeenOn.get(symbol);
    if (seen !== undefined) {
      warnings.push(`${fileName}:${lineNo}: ${symbol} is already listed on line ${seen}; ignoring the repeat`);
      return;
    }
    if (symbols.length === MAX_SYMBOLS) {
      throw new UserError(
        `${fileName}:${lineNo}: more than ${MAX_SYMBOLS} symbols; a run asks Yahoo once per symbol and holds every series in memory, so a longer list is refused (split it into several lists)`,
      );
    }
    firstSeenOn.set(symbol, lineNo);
    symbols.push(symbol);
  });
  if (symbols.length === 0) {
    throw new UserError(`${fileName}: lists no symbols; put one ticker per line (e.g. AAPL)`);
  }
  return { symbols, warnings };
}

function truncate(text: string): string {
  return text.length > 30 ? `${text.slice(0, 27)}...` : text;
}

/**
 * Hostile and mistyped input, refused with one printable line and nothing written: database URLs
 * and Yahoo mirrors with credentials in every shape a hurried user types, and symbols files with
 * look-alike letters, terminal escape sequences, SQL, and text that is not a list of symbols.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectNoSecrets, expectPrintable, expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-hostile-");
afterAll(() => dir.cleanup());
const SECRET = "Pw-9f3Kq";
const write = (name: string, content: string | Buffer) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
const symbols = write("symbols", "AAPL\nMSFT\n");

describe.concurrent("a password in a database URL is never printed, whatever the URL's shape", () => {
  it.each([
    // [what the user typed, how the message shows it]
    [`mysql:/stock_rsi:${SECRET}@db/stock_rsi`, "mysql:/stock_rsi:***@db/stock_rsi"],
    [`mysql:stock_rsi:${SECRET}@db/stock_rsi`, "mysql:stock_rsi:***@db/stock_rsi"],
    [`mysql//stock_rsi:${SECRET}@db/stock_rsi`, "mysql//stock_rsi:***@db/stock_rsi"],
    [` mysql://stock_rsi:${SECRET}@db/stock_rsi`, " mysql://stock_rsi:***@db/stock_rsi"],
    [`mysql:///stock_rsi:${SECRET}@db/stock_rsi`, "mysql:///stock_rsi:***@db/stock_rsi"],
    [`MYSQL://stock_rsi:${SECRET}@db/stock_rsi`, "MYSQL://stock_rsi:***@db/stock_rsi"],
    [`postgres://stock_rsi:${SECRET}@db/stock_rsi`, "postgres://stock_rsi:***@db/stock_rsi"],
    [`stock_rsi:${SECRET}@db/stock_rsi`, "stock_rsi:***@db/stock_rsi"],
    [`mysql:stock_rsi:${SECRET}`, "mysql:stock_rsi:***"],
    [`mysql://stock_rsi:${SECRET}@db:port/stock_rsi`, "mysql://stock_rsi:***@db:port/stock_rsi"],
    [`mysql://stock_rsi:${SECRET}/stock_rsi`, "mysql://stock_rsi:***/stock_rsi"],
    [`mysql://stock_rsi:${SECRET}@[::1/stock_rsi`, "mysql://stock_rsi:***@[::1/stock_rsi"],
    [`mysql://stock_rsi:p@ss/${SECRET}@db/stock_rsi`, "mysql://stock_rsi:***@db/stock_rsi"],
    [`mysql://stock_rsi:${SECRET}@db/stock_rsi?ssl-mode=SOMETIMES`, "mysql://stock_rsi:***@db/stock_rsi?ssl-mode=SOMETIMES"],
    [`mysql://stock_rsi@db/stock_rsi?password=${SECRET}`, "mysql://stock_rsi@db/stock_rsi?password=***"],
    [`mysql://stock_rsi:${SECRET}@db/`, "mysql://stock_rsi:***@db/"],
  ])("--db %j: exit 2, shown as %j", async (url, shown) => {
    const result = await stockRsi(["migrate", "--db", url]);
    const line = expectRefusal(result, { code: 2, line: /^--db: /, secrets: [SECRET] });
    expect(line).toContain(`"${shown}"`);
  });

  it.each([
    [`http://reader:${SECRET}@mirror.example:8080`, "http://reader:***@mirror.example:8080"],
    [`http//reader:${SECRET}@mirror.example`, "http//reader:***@mirror.example"],
    [`ftp://reader:${SECRET}@mirror.example`, "ftp://reader:***@mirror.example"],
  ])("--yahoo-url %j: exit 2 before any request, shown as %j", async (url, shown) => {
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", join(dir.path, "p.json"), "--yahoo-url", url]);
    const line = expectRefusal(result, { code: 2, line: /^--yahoo-url: /, secrets: [SECRET] });
    expect(line).toContain(`"${shown}"`);
    expect(existsSync(join(dir.path, "p.json"))).toBe(false);
  });

  it("a well-formed URL whose server refuses the connection: the password stays out of every line", async () => {
    const result = await stockRsi(["migrate", "--db", `mysql://stock_rsi:${SECRET}@127.0.0.1:9/stock_rsi?retry-deadline=0`]);
    expectRefusal(result, { code: 3, line: /^mysql:\/\/stock_rsi@127\.0\.0\.1:9\/stock_rsi: could not bring the schema up to date: connection refused/, secrets: [SECRET] });
  });
});

describe.concurrent("a hostile symbols file is refused by line, before anything is fetched or stored", () => {
  const refused = (name: string, content: string | Buffer, line: string | RegExp) => async () => {
    const file = write(name, content);
    const db = join(dir.path, `${name}.db`);
    const result = await stockRsi(["run", file, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`]);
    expectRefusal(result, { code: 2, line: typeof line === "string" ? `${file}${line}` : line });
    expect(existsSync(db)).toBe(false);
    expect(result.stderr).not.toContain("fetch: ");
  };

  it("a dotless ı is not an i: ıbm is not IBM", refused("dotless-i", "AAPL\nıbm\n", ':2: "ıbm" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it("ß is not SS: straße is not STRASSE", refused("eszett", "straße\n", ':1: "straße" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it("a fullwidth Ａ is not A", refused("fullwidth", "ＡAPL\n", ':1: "ＡAPL" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it(
    "a terminal escape sequence is shown escaped, never sent to the terminal",
    refused("escape", "AAPL\n\u001b[2J\u001b[31mMSFT\n", ':2: "\\x1b[2J\\x1b[31mMSFT" has characters a ticker cannot have; use only letters, digits and . - ^ ='),
  );
  it(
    "a right-to-left override is shown escaped",
    refused("bidi", "AA\u202ePL\n", ':1: "AA\\u202ePL" has characters a ticker cannot have; use only letters, digits and . - ^ ='),
  );
  it("a NUL byte", refused("nul", "AAPL\u0000\n", ':1: "AAPL\\x00" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it("SQL for the wide table's column names", refused("sql", "AAPL\nX`FLOAT);DROP\n", ':2: "X`FLOAT);DROP" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it("two symbols on a line", refused("two", "AAPL MSFT\n", ':1: "AAPL MSFT" has 2 symbols on one line; put one symbol per line'));
  it("a CSV instead of a list", refused("csv", "symbol,weight\nAAPL,0.5\n", ':1: "symbol,weight" has characters a ticker cannot have; use only letters, digits and . - ^ ='));
  it("a line longer than a ticker", refused("long", `${"A".repeat(5000)}\n`, `:1: "${"A".repeat(27)}..." is longer than 20 characters; is it a symbol?`));
  it("comments only", refused("comments", "# my list\n\n   # nothing yet\n", ": lists no symbols; put one ticker per line (e.g. AAPL)"));

  it("what holds: a byte-order mark, CRLF line ends, lower case and repeats are read as the user meant", async () => {
    const file = write("windows", "\ufeffaapl\r\nMSFT\r\nmsft\r\n# done\r\n");
    const result = await stockRsi(["run", file, "--source", "sample", "--as-of", "2021-05-17", "--no-store"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean).map((l) => l.split(" ")[0]).sort()).toEqual(["AAPL", "MSFT"]);
    expect(result.stderr).toContain(`fetch: warning: ${file}:3: MSFT is already listed on line 2; ignoring the repeat`);
    expectPrintable(result.stderr);
  });

  it("history refuses a look-alike ticker too", async () => {
    const result = await stockRsi(["history", "ıbm", "--db", `sqlite:${join(dir.path, "none.db")}`]);
    expectRefusal(result, { code: 2, line: 'history: "ıbm" has characters a ticker cannot have; use only letters, digits and . - ^ =' });
  });
});

describe("text from an artifact is echoed printable", () => {
  it("a failure message holding escape sequences and a newline stays one printable line", async () => {
    const rsi = write(
      "rsi-escapes.json",
      JSON.stringify({
        schemaVersion: 1,
        kind: "rsi",
        asOf: "2021-05-17",
        source: "sample",
        method: "seed",
        period: 14,
        results: [{ symbol: "AAPL", date: "2021-05-17", rsi: 50, close: 100 }],
        failures: [{ symbol: "MSFT", reason: "not-found", message: "gone\u001b[2K\rvalidate: passed\nfake line" }],
      }),
    );
    const result = await stockRsi(["validate", "--in", rsi, "--out", join(dir.path, "v.json"), "--max-failed-share", "0.5"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("validate: no value for MSFT (not-found): gone\\x1b[2K\\rvalidate: passed\\nfake line\n");
    expectPrintable(result.stderr);
    expectNoSecrets(result, []);
  });
});

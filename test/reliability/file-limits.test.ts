/**
 * Files the user names that are not what they should be: a device that never ends (/dev/zero),
 * a FIFO that blocks until someone writes, a directory, a file far too large, a list of symbols
 * far too long. Each is refused with one line, at once, before anything is fetched or stored,
 * instead of growing the process to gigabytes or waiting forever. (An artifact larger than the
 * longest string V8 can hold is written and read one series at a time: that case is
 * test/steps/files/larger-than-a-string.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_SYMBOLS } from "../../steps/domain/symbols.ts";
import { readSymbolsFile } from "../../steps/files/symbols-file.ts";
import { REPO_ROOT, stockRsi, tempDir } from "../support/cli.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-limits-");
afterAll(() => dir.cleanup());
const fifo = join(dir.path, "fifo");
execFileSync("mkfifo", [fifo]);
const LIMIT_MS = 20_000;
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\n");
const dump = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");

/** Distinct tickers: A, B, ..., Z, AA, AB, ... */
function tickers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    let name = "";
    for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    return name;
  });
}

describe.concurrent("the symbols file", () => {
  it.each([
    ["/dev/zero", "it is a device, not a file"],
    [fifo, "it is a FIFO, not a file"],
    [dir.path, "it is a directory"],
  ])("%s: exit 2 at once (%s)", async (path, reason) => {
    const result = await stockRsi(["run", path, "--source", "sample", "--no-store"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `${path}: cannot read the symbols file (${reason})` });
  });

  it("a file over 1 MiB: exit 2 naming its size and the limit", async () => {
    const big = join(dir.path, "big-symbols");
    writeFileSync(big, `# ${"x".repeat(2 * 1024 * 1024)}\nAAPL\n`);
    const result = await stockRsi(["run", big, "--source", "sample", "--no-store"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `${big}: cannot read the symbols file (2.0 MiB, more than the 1.0 MiB it may have)` });
  });

  it(`a list of more than ${MAX_SYMBOLS} symbols: exit 2 at the first symbol over, before anything is fetched`, async () => {
    const long = join(dir.path, "long-symbols");
    writeFileSync(long, `${tickers(MAX_SYMBOLS + 1).join("\n")}\n`);
    const result = await stockRsi(["run", long, "--source", "sample", "--no-store"], { timeoutMs: LIMIT_MS });
    expectRefusal(result, {
      code: 2,
      line: `${long}:${MAX_SYMBOLS + 1}: more than ${MAX_SYMBOLS} symbols; a run asks Yahoo once per symbol and holds every series in memory, so a longer list is refused (split it into several lists)`,
    });
    expect(result.stderr).not.toContain("fetch: ");
  });

  it(`exactly ${MAX_SYMBOLS} symbols are read`, () => {
    const most = join(dir.path, "most-symbols");
    writeFileSync(most, `${tickers(MAX_SYMBOLS).join("\n")}\n`);
    expect(readSymbolsFile(most).symbols).toHaveLength(MAX_SYMBOLS);
  });
});

describe.concurrent("an artifact a step reads", () => {
  it.each([
    ["/dev/zero", "it is a device, not a file"],
    [fifo, "it is a FIFO, not a file"],
    [dir.path, "it is a directory"],
  ])("compute-rsi --in %s: exit 2 at once (%s), nothing written", async (path, reason) => {
    const out = join(dir.path, `rsi-${reason.length}.json`);
    const result = await stockRsi(["compute-rsi", "--in", path, "--out", out], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `${path}: cannot read the file (${reason})` });
    expect(existsSync(out)).toBe(false);
  });
});

describe.concurrent("the password file and the TLS files of a database URL", () => {
  it.each([
    ["/dev/zero", "it is a device, not a file"],
    [fifo, "it is a FIFO, not a file"],
    [dir.path, "it is a directory"],
  ])("MYSQL_PASSWORD_FILE=%s: exit 2 at once (%s)", async (path, reason) => {
    const result = await stockRsi(["migrate", "--db", "mysql://stock_rsi@127.0.0.1:9/stock_rsi"], { env: { MYSQL_PASSWORD_FILE: path }, timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `MYSQL_PASSWORD_FILE=${path}: cannot read the password file (${reason})` });
  });

  it("a password file over 4 KiB: exit 2, and none of its text is printed", async () => {
    const file = join(dir.path, "password");
    const text = "not-a-password-".repeat(400);
    writeFileSync(file, text);
    const result = await stockRsi(["migrate", "--db", "mysql://stock_rsi@127.0.0.1:9/stock_rsi"], { env: { MYSQL_PASSWORD_FILE: file }, timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `MYSQL_PASSWORD_FILE=${file}: cannot read the password file (5.9 KiB, more than the 4.0 KiB it may have)`, secrets: ["not-a-password"] });
  });

  it.each(["ssl-ca", "ssl-cert"])("%s=/dev/zero: exit 2 at once", async (option) => {
    const pair = option === "ssl-cert" ? `&ssl-key=${symbols}` : "";
    const url = `mysql://stock_rsi@127.0.0.1:9/stock_rsi?ssl-mode=REQUIRED&${option}=/dev/zero${pair}`;
    const result = await stockRsi(["migrate", "--db", url], { env: { MYSQL_PASSWORD: "x" }, timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `--db: ${option}=/dev/zero: cannot read the file (it is a device, not a file)` });
  });
});

describe.concurrent("the mysqldump of import-legacy", () => {
  it.each([
    ["/dev/zero", "it is a device, not a file"],
    [fifo, "it is a FIFO, not a file"],
  ])("--dump %s: exit 2 at once (%s), no database created", async (path, reason) => {
    const db = join(dir.path, `dump-${reason.length}.db`);
    const result = await stockRsi(["import-legacy", "--dump", path, "--db", `sqlite:${db}`], { timeoutMs: LIMIT_MS });
    expectRefusal(result, { code: 2, line: `${path}: cannot read the dump (${reason})` });
  });

  it("the user's real dump still reads", async () => {
    const result = await stockRsi(["import-legacy", "--dump", dump, "--db", `sqlite:${join(dir.path, "real.db")}`], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("imported 23296 values");
  });
});

/**
 * A `%` that starts no escape in a notification channel's URL (`smtp://u:50%off@...`), the same
 * realistic typo the MySQL URL refuses: Node's HTTP client and the mail library decode a URL's
 * credentials and throw on it, which once ended notify (and a run given the URL) with a stack
 * trace, exit 70, and, from the environment, a run that said nothing of the channel it never
 * reached. Each channel kind, from each place a URL comes from: one line naming the channel by
 * scheme and host and the part at fault, the password never printed, and the run's own outcome
 * unchanged.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectNoSecrets, expectPrintable, expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-notify-urls-");
afterAll(() => dir.cleanup());
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\n");
const SECRET = "s3cr3t-PW";
const ADVICE = 'a "%" must start an escape such as %40; write a % itself as %25';

/** Each channel kind with a stray % in its password or user name, and how notify names it. */
const URLS = [
  [`smtp://u:${SECRET}%@127.0.0.1:25?from=a@example.com&to=b@example.com`, "smtp://127.0.0.1:25", "password"],
  [`smtps://u%zz@127.0.0.1:465?from=a@example.com&to=b@example.com`, "smtps://127.0.0.1:465", "user name"],
  [`ntfy+https://u:${SECRET}%@127.0.0.1:1/topic`, "ntfy+https://127.0.0.1:1", "password"],
  [`https://u:${SECRET}%@127.0.0.1:1/hook`, "https://127.0.0.1:1", "password"],
  [`http://u%@127.0.0.1:1/hook`, "http://127.0.0.1:1", "user name"],
] as const;

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain("URIError");
}

describe.concurrent("a % that is not percent-encoding in a channel's URL", () => {
  it.each(URLS)("notify --notify %s: not sent, one line naming the %s, exit 2", async (url, shown, part) => {
    const result = await stockRsi(["notify", "--status", "Succeeded", "--notify", url], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(2);
    noStack(result.stderr);
    expectPrintable(result.stderr);
    expectNoSecrets(result, [SECRET, url]);
    const line = result.stderr.split("\n").find((l) => l.startsWith("notify: not sent: "));
    expect(line).toBe(`notify: not sent: --notify: ${shown}: the ${part} is not valid percent-encoding: ${ADVICE} (and @ as %40, : as %3A, / as %2F)`);
  });

  it.each(URLS)("run --notify %s: refused before the first step, nothing stored", async (url, shown, part) => {
    const db = join(dir.path, `refused-${shown.replace(/\W/g, "")}-${part.length}.db`);
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`, "--notify", url], { cwd: dir.path });
    const line = expectRefusal(result, { code: 2, line: /^--notify: /, secrets: [SECRET, url] });
    expect(line).toBe(`--notify: ${shown}: the ${part} is not valid percent-encoding: ${ADVICE} (and @ as %40, : as %3A, / as %2F)`);
    expect(() => new Database(db, { fileMustExist: true })).toThrow();
  });

  it("from STOCK_RSI_NOTIFY and STOCK_RSI_NOTIFY_FILE: the run stores its day and exits 0, notify names the channel it could not use", async () => {
    const file = join(dir.path, "channels");
    writeFileSync(file, `# the team\n${URLS[2][0]}\n`);
    const db = join(dir.path, "from-env.db");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`], {
      cwd: dir.path,
      env: { STOCK_RSI_NOTIFY: URLS[0][0], STOCK_RSI_NOTIFY_FILE: file },
    });
    expect(result.code, result.stderr).toBe(0);
    noStack(result.stderr);
    expectNoSecrets(result, [SECRET, URLS[0][0], URLS[2][0]]);
    expect(result.stdout).toMatch(/^(AAPL|MSFT) \d+\.\d\d\n(AAPL|MSFT) \d+\.\d\d\n$/);
    const notSent = result.stderr.split("\n").filter((l) => l.startsWith("notify: not sent: "));
    expect(notSent).toEqual([
      `notify: not sent: STOCK_RSI_NOTIFY: smtp://127.0.0.1:25: the password is not valid percent-encoding: ${ADVICE} (and @ as %40, : as %3A, / as %2F)`,
      expect.stringMatching(/^notify: not sent: STOCK_RSI_NOTIFY_FILE line 2: ntfy\+https:\/\/127\.0\.0\.1:1: the password is not valid percent-encoding: /),
    ]);
    const sqlite = new Database(db, { readonly: true });
    try {
      expect(sqlite.prepare("SELECT COUNT(*) AS n FROM rsi_values").get()).toEqual({ n: 2 });
    } finally {
      sqlite.close();
    }
  });

  it("a % written as %25 is a percent sign: the URL is read, and only the delivery fails", async () => {
    const result = await stockRsi(["notify", "--status", "Succeeded", "--notify", "https://u:50%25off@127.0.0.1:1/hook", "--notify-deadline-seconds", "2"], { cwd: dir.path });
    noStack(result.stderr);
    expect(result.stderr).not.toContain("not valid percent-encoding");
    expect(result.stderr).toMatch(/notify: .*https:\/\/127\.0\.0\.1:1/);
    expectNoSecrets(result, ["50%off", "50%25off"]);
  });
});

/**
 * A MySQL URL (and a Yahoo mirror URL) that cannot work is refused at once, with one line naming
 * the part at fault and exit 2, before anything is opened or retried: a `%` that is not
 * percent-encoding in the password, user, database or host; a port no server can listen on; a
 * `socket=` path that is not a socket; TLS files that are not PEM. A socket that is one but has no
 * server behind it is named in every line about it. No server is needed: none of these may reach
 * one.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-mysql-url-");
afterAll(() => dir.cleanup());
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\n");
/** Long enough for a 60 s retry to show as a hang, short enough to fail the test well before its own timeout. */
const LIMIT = { timeoutMs: 20_000 };
const SECRET = "50%off-Kq";

/** The commands that take `--db`, each as a user would type it with `url`. */
const commands: Record<string, (url: string) => string[]> = {
  history: (url) => ["history", "AAPL", "--db", url],
  "history --gaps": (url) => ["history", "--gaps", "--db", url],
  report: (url) => ["report", "--out", join(dir.path, "r.html"), "--db", url],
  migrate: (url) => ["migrate", "--db", url],
  run: (url) => ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", url],
};

describe.concurrent("a % that is not percent-encoding: one line naming the part, exit 2, the password never printed", () => {
  it.each([
    ["password", `mysql://stock_rsi:${SECRET}@127.0.0.1:9/stock_rsi`, 'the password in "mysql://stock_rsi:***@127.0.0.1:9/stock_rsi"'],
    ["password", `mysql://stock_rsi:${SECRET}%C3@127.0.0.1:9/stock_rsi`, 'the password in "mysql://stock_rsi:***@127.0.0.1:9/stock_rsi"'],
    ["user name", "mysql://stock%rsi@127.0.0.1:9/stock_rsi", 'the user name in "mysql://stock%rsi@127.0.0.1:9/stock_rsi"'],
    ["database name", "mysql://stock_rsi@127.0.0.1:9/stock%rsi", 'the database name in "mysql://stock_rsi@127.0.0.1:9/stock%rsi"'],
  ])("%s: %j", async (_part, url, named) => {
    for (const [name, args] of Object.entries(commands)) {
      const result = await stockRsi(args(url), { ...LIMIT, env: { MYSQL_PASSWORD: "unused" } });
      const line = expectRefusal(result, { code: 2, line: /^--db: /, secrets: [SECRET, "50%off"] });
      expect(line, name).toContain(named);
      expect(line, name).toContain("%25");
    }
  });

  it("a % in the host: named as not a host name or IP address", async () => {
    const result = await stockRsi(commands.history!("mysql://stock_rsi@db%1:9/stock_rsi"), LIMIT);
    expectRefusal(result, { code: 2, line: /^--db: the host "db%1" in "mysql:\/\/stock_rsi@db%1:9\/stock_rsi" is not a host name or an IP address/ });
  });

  it("a % written as %25 is a percent sign: the URL is read, and only the connection fails", async () => {
    const result = await stockRsi(["migrate", "--db", "mysql://stock_rsi:50%25off@127.0.0.1:9/stock_rsi?retry-deadline=0"], LIMIT);
    expectRefusal(result, { code: 3, line: /could not bring the schema up to date: connection refused by 127\.0\.0\.1:9/, secrets: ["50%off", "50%25off"] });
  });
});

describe.concurrent("an endpoint no server can be at is refused at once, named", () => {
  it.each([
    ["0", /^--db: port 0 in "mysql:\/\/stock_rsi@127\.0\.0\.1:0\/stock_rsi" is not a TCP port; give one from 1 to 65535/],
    ["65536", /^--db: port 65536 in "mysql:\/\/stock_rsi@127\.0\.0\.1:65536\/stock_rsi" is not a TCP port; give one from 1 to 65535/],
    ["99999999999", /^--db: port 99999999999 in .* is not a TCP port/],
  ])("port %s: exit 2, no retry", async (port, line) => {
    for (const args of [commands.history!, commands.run!]) {
      expectRefusal(await stockRsi(args(`mysql://stock_rsi@127.0.0.1:${port}/stock_rsi`), LIMIT), { code: 2, line });
    }
  });

  it("socket=/dev/null, a directory, a regular file: not a socket, exit 2, the path named", async () => {
    const file = join(dir.path, "not-a-socket");
    writeFileSync(file, "");
    for (const [path, kind] of [
      ["/dev/null", "a character device"],
      [dir.path, "a directory"],
      [file, "a regular file"],
    ] as const) {
      for (const [name, args] of Object.entries(commands)) {
        const result = await stockRsi(args(`mysql://stock_rsi@localhost/stock_rsi?socket=${path}`), LIMIT);
        expectRefusal(result, { code: 2, line: `--db: socket=${path} is ${kind}, not a Unix socket; give the path of the server's socket (e.g. /run/mysqld/mysqld.sock)` });
        // `run` refuses it before its first step: nothing fetched, no artifact written.
        if (name === "run") expect(result.stderr, name).not.toMatch(/^fetch/m);
      }
    }
  });

  it("a socket no server listens on (a server that crashed left it): retried, every line naming the socket", async () => {
    const path = join(dir.path, "stale.sock");
    // A process that binds the socket and dies at once (SIGKILL) leaves the file without a listener.
    spawnSync(process.execPath, ["-e", `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`]);
    expect(existsSync(path)).toBe(true);
    const result = await stockRsi(commands.history!(`mysql://stock_rsi@localhost/stock_rsi?socket=${path}&retry-deadline=1`), LIMIT);
    expectRefusal(result, { code: 3, line: new RegExp(`: could not read the schema version: connection refused on socket ${path} \\(is the server running\\?\\); gave up after`) });
    for (const line of result.stderr.trim().split("\n")) expect(line).toContain(`socket ${path}`);
    expect(result.stderr).not.toContain("localhost:3306");
  });

  it("a socket path where nothing is: exit 4 at once, the path named", async () => {
    const path = join(dir.path, "no-server-here.sock");
    const result = await stockRsi(commands.history!(`mysql://stock_rsi@localhost/stock_rsi?socket=${path}`), LIMIT);
    expectRefusal(result, { code: 4, line: new RegExp(`: could not read the schema version: no socket at ${path} \\(is the server running, and is this its socket\\?\\)$`) });
  });
});

describe.concurrent("TLS files that are not PEM are refused before connecting", () => {
  const tls = join(dir.path, "tls");
  mkdirSync(tls);
  const openssl = (...args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: tls, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=der-ca", "-keyout", "ca.key", "-out", "ca.pem");
  openssl("x509", "-in", "ca.pem", "-outform", "der", "-out", "ca.der");
  openssl("pkey", "-in", "ca.key", "-outform", "der", "-out", "ca.key.der");
  writeFileSync(join(tls, "random.bin"), randomBytes(700));
  // PEM armour around bytes that are not a certificate.
  writeFileSync(join(tls, "garbage.pem"), `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString("base64")}\n-----END CERTIFICATE-----\n`);
  const url = (query: string) => `mysql://stock_rsi@127.0.0.1:9/stock_rsi?retry-deadline=0&${query}`;

  it.each([
    ["ssl-ca", "ca.der", "DER, not PEM"],
    ["ssl-ca", "random.bin", "random bytes"],
    ["ssl-cert", "ca.der", "DER, not PEM"],
  ])("%s=%s (%s): exit 2, says it is not PEM", async (option, file, _what) => {
    const path = join(tls, file);
    const extra = option === "ssl-cert" ? `&ssl-mode=REQUIRED&ssl-key=${join(tls, "ca.key")}` : "";
    const result = await stockRsi(commands.history!(url(`${option}=${path}${extra}`)), LIMIT);
    expectRefusal(result, {
      code: 2,
      line: `--db: ${option}=${path} is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----" line); convert a DER file with: openssl x509 -inform der -in ${path} -out ${path}.pem`,
    });
  });

  it("ssl-key in DER: exit 2, says it is not a PEM key", async () => {
    const path = join(tls, "ca.key.der");
    const result = await stockRsi(commands.history!(url(`ssl-mode=REQUIRED&ssl-cert=${join(tls, "ca.pem")}&ssl-key=${path}`)), LIMIT);
    expectRefusal(result, {
      code: 2,
      line: `--db: ssl-key=${path} is not a PEM private key file (no "-----BEGIN ... PRIVATE KEY-----" line); convert a DER file with: openssl pkey -inform der -in ${path} -out ${path}.pem`,
    });
  });

  it("PEM armour around bytes that are not a certificate: exit 2, says which certificate", async () => {
    const path = join(tls, "garbage.pem");
    const result = await stockRsi(commands.history!(url(`ssl-ca=${path}`)), LIMIT);
    expectRefusal(result, { code: 2, line: new RegExp(`^--db: ssl-ca=${path}: certificate 1 in the file cannot be read \\(.+\\)$`) });
  });

  it("a real PEM CA passes the check (and only the connection fails)", async () => {
    expect(readFileSync(join(tls, "ca.pem"), "utf8")).toContain("-----BEGIN CERTIFICATE-----");
    const result = await stockRsi(commands.history!(url(`ssl-ca=${join(tls, "ca.pem")}`)), LIMIT);
    expectRefusal(result, { code: 3, line: /connection refused by 127\.0\.0\.1:9/ });
  });
});

describe.concurrent("the Yahoo mirror URL", () => {
  it.each([
    ["http://127.0.0.1:8%/", /is not a URL/],
    ["http://mirror%.example", /is not a URL/],
    ["http://127.0.0.1:0", /^--yahoo-url: port 0 in "http:\/\/127\.0\.0\.1:0" is not a TCP port; give one from 1 to 65535/],
  ])("--yahoo-url %j: exit 2 before any request", async (mirror, line) => {
    const out = join(dir.path, `p-${randomBytes(4).toString("hex")}.json`);
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", out, "--yahoo-url", mirror], LIMIT);
    expectRefusal(result, { code: 2, line });
    expect(existsSync(out)).toBe(false);
  });

  it("STOCK_RSI_YAHOO_URL with port 0: exit 2, named as the variable", async () => {
    const out = join(dir.path, "p-env.json");
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", out], { ...LIMIT, env: { STOCK_RSI_YAHOO_URL: "http://127.0.0.1:0" } });
    expectRefusal(result, { code: 2, line: /^STOCK_RSI_YAHOO_URL: port 0 in "http:\/\/127\.0\.0\.1:0" is not a TCP port/ });
    expect(existsSync(out)).toBe(false);
  });
});

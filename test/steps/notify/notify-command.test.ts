/**
 * `stock-rsi notify` against real servers on 127.0.0.1: an HTTP server answering as Slack's and
 * ntfy's endpoints answer (status codes, slow answers, a 500 then a 200, an answer that never
 * comes) and a real SMTP server receiving the mail. Each case checks what was sent, what was
 * tried again and when it gave up, and that no part of a channel's URL or password reaches
 * stdout or stderr.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../../steps/domain/errors.ts";
import { SLACK_OK, ntfyOk, startMailServer, startWebhookServer, type MailServer, type WebhookServer } from "../../support/channel-doubles.ts";
import { stockRsi, tempDir, type CliResult } from "../../support/cli.ts";
import { expectNoSecrets, expectPrintable } from "../../reliability/support.ts";

const dir = tempDir("stock-rsi-notify-");
const results = {
  ranking: join(dir.path, "ranking.txt"),
  signals: join(dir.path, "signals.txt"),
  failed: join(dir.path, "failed-symbols.txt"),
  tradeDate: join(dir.path, "trade-date.txt"),
  report: join(dir.path, "report.html"),
  undelivered: join(dir.path, "undelivered.txt"),
};
writeFileSync(results.ranking, "NVDA 78.12\nAAPL 71.25\nMSFT 55.50\nAMD 50.00\nIBM 45.10\nT 40.00\nPFE 29.10\nKO 22.40\n");
writeFileSync(results.signals, "AAPL entered-overbought 68.40 -> 71.25\nPFE entered-oversold 31.20 -> 29.10\n");
writeFileSync(results.failed, "XYZ not-found: no such symbol\nABC stale: last close 2021-05-10, 3 weekdays behind\n");
writeFileSync(results.tradeDate, "2021-05-14\n");
writeFileSync(results.report, "<!doctype html><html><body><h1>The run's report</h1><p>NVDA 78.12</p></body></html>\n");

/** A run that passed, with every result it writes; then the channels. */
const passedRun = [
  "notify", "--status", "Succeeded", "--as-of", "2021-05-17", "--run-id", "stock-rsi-daily-1621288800",
  "--trade-date", results.tradeDate, "--ranking", results.ranking, "--signals", results.signals, "--failed-symbols", results.failed,
  "--report", results.report, "--undelivered-out", results.undelivered, "--report-link", "https://argo.example.com/workflows/stock-rsi/stock-rsi-daily-1621288800",
];

let web: WebhookServer;
beforeAll(async () => {
  web = await startWebhookServer();
});
afterAll(async () => {
  await web.close();
  dir.cleanup();
});
afterEach(() => web.requests.splice(0));

/** A Slack webhook path is its secret: a different one per case, so each case's requests are its own. */
let hooks = 0;
function slackHook(): { path: string; url: string; secret: string } {
  const secret = `XsEcReT${++hooks}a7Gd9Qw2`;
  const path = `/services/T0ACME/B0RSI${hooks}/${secret}`;
  return { path, url: `slack+${web.url}${path}`, secret };
}

function notify(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return stockRsi(args, { env: { STOCK_RSI_NOTIFY: undefined, STOCK_RSI_NOTIFY_FILE: undefined, SMTP_PASSWORD: undefined, SMTP_PASSWORD_FILE: undefined, ...env }, timeoutMs: 60_000 });
}

/** The lines notify printed about deliveries. */
const deliveryLines = (r: CliResult) => r.stderr.split("\n").filter((l) => /^notify: (delivered|not delivered|not sent)/.test(l));

describe("stock-rsi notify, to a Slack incoming webhook", () => {
  it("posts text and blocks once, and says so in one line without the webhook's path", async () => {
    const hook = slackHook();
    web.answer(hook.path, SLACK_OK);
    const r = await notify([...passedRun, "--notify", hook.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(deliveryLines(r)).toEqual([`notify: delivered to slack+${web.url} (--notify)`]);
    const [sent, ...more] = web.requestsTo(hook.path);
    expect(more).toEqual([]);
    expect(sent!.method).toBe("POST");
    expect(sent!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(sent!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(body.text.split("\n").slice(0, 4)).toEqual([
      ":white_check_mark: stock-rsi 2021-05-14: passed, 2 crossings",
      "",
      "Entered overbought: AAPL 71.25",
      "Entered oversold: PFE 29.10",
    ]);
    expect(body.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "stock-rsi 2021-05-14: passed, 2 crossings", emoji: true } });
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "section", "section", "section", "context"]);
    expect(readFileSync(results.undelivered, "utf8")).toBe("0\n");
    expectNoSecrets(r, [hook.secret, hook.path]);
  });

  it("tries again after a 500 and delivers at the second attempt", async () => {
    const hook = slackHook();
    web.answer(hook.path, { status: 500, body: "internal_error" }, SLACK_OK);
    const r = await notify([...passedRun, "--notify", hook.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(web.requestsTo(hook.path)).toHaveLength(2);
    expect(deliveryLines(r)).toEqual([`notify: delivered to slack+${web.url} (--notify) at attempt 2`]);
    expectNoSecrets(r, [hook.secret, hook.path]);
  });

  it("waits what a 429's Retry-After asks when it fits, and gives up at once when it does not", async () => {
    const fits = slackHook();
    web.answer(fits.path, { status: 429, body: "rate_limited", headers: { "retry-after": "1" } }, SLACK_OK);
    const r = await notify([...passedRun, "--notify", fits.url, "--notify-deadline-seconds", "20"]);
    expect(r.code, r.stderr).toBe(0);
    expect(web.requestsTo(fits.path)).toHaveLength(2);

    const tooLong = slackHook();
    web.answer(tooLong.path, { status: 429, body: "rate_limited", headers: { "retry-after": "3600" } });
    const given = await notify([...passedRun, "--notify", tooLong.url, "--notify-deadline-seconds", "20"]);
    expect(given.code).toBe(ExitCode.unavailable);
    expect(web.requestsTo(tooLong.path)).toHaveLength(1);
    expect(deliveryLines(given)).toEqual([
      `notify: not delivered to slack+${web.url} (--notify): answered HTTP 429 "rate_limited"; it asked to wait 3600 s (Retry-After), past the 20 s allowed`,
    ]);
    expect(readFileSync(results.undelivered, "utf8")).toBe("1\n");
    expectNoSecrets(given, [tooLong.secret, tooLong.path]);
  });

  it("does not try again a webhook Slack no longer knows (404 no_service), and exits 4", async () => {
    const hook = slackHook();
    web.answer(hook.path, { status: 404, body: "no_service" });
    const r = await notify([...passedRun, "--notify", hook.url]);
    expect(r.code).toBe(ExitCode.refused);
    expect(web.requestsTo(hook.path)).toHaveLength(1);
    expect(deliveryLines(r)).toEqual([`notify: not delivered to slack+${web.url} (--notify): answered HTTP 404 "no_service"`]);
    // No `stock-rsi:` line: in a run, the run's own failure stays its one error line.
    expect(r.stderr).not.toMatch(/^stock-rsi: /m);
    expectNoSecrets(r, [hook.secret, hook.path]);
  });

  it("takes a slow answer within the bound", async () => {
    const hook = slackHook();
    web.answer(hook.path, { ...SLACK_OK, delayMs: 1500 } as typeof SLACK_OK);
    const r = await notify([...passedRun, "--notify", hook.url, "--notify-deadline-seconds", "10"]);
    expect(r.code, r.stderr).toBe(0);
    expect(deliveryLines(r)).toEqual([`notify: delivered to slack+${web.url} (--notify)`]);
  });

  it("gives up on an answer that never comes when its bound is over, and ends", async () => {
    const hook = slackHook();
    web.answer(hook.path, { hang: true });
    const r = await notify([...passedRun, "--notify", hook.url, "--notify-deadline-seconds", "2"]);
    // The test would kill it after 60 s: it ended on its own, with its bound.
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(ExitCode.unavailable);
    expect(deliveryLines(r)).toEqual([`notify: not delivered to slack+${web.url} (--notify): no answer within 2.0 s; no time left for another attempt within the 2.0 s allowed (--notify-deadline-seconds)`]);
    expectNoSecrets(r, [hook.secret, hook.path]);
  });
});

describe("stock-rsi notify, to ntfy and to a JSON webhook", () => {
  it("publishes to ntfy with the title, priority, tags and click-through as headers, logging in with the URL's token", async () => {
    web.answer("/stock-rsi-alerts", ntfyOk("stock-rsi-alerts"));
    const host = web.url.replace("http://", "");
    const r = await notify([...passedRun, "--notify", `ntfy+http://:tk_s3cretToken42@${host}/stock-rsi-alerts`]);
    expect(r.code, r.stderr).toBe(0);
    const [sent] = web.requestsTo("/stock-rsi-alerts");
    expect(sent!.headers).toMatchObject({
      title: "stock-rsi 2021-05-14: passed, 2 crossings",
      priority: "3",
      tags: "chart_with_upwards_trend",
      click: "https://argo.example.com/workflows/stock-rsi/stock-rsi-daily-1621288800",
      authorization: `Basic ${Buffer.from(":tk_s3cretToken42").toString("base64")}`,
      "content-type": "text/plain; charset=utf-8",
    });
    expect(sent!.body.split("\n").slice(0, 2)).toEqual(["Entered overbought: AAPL 71.25", "Entered oversold: PFE 29.10"]);
    expect(deliveryLines(r)).toEqual([`notify: delivered to ntfy+${web.url} (--notify)`]);
    expectNoSecrets(r, ["tk_s3cretToken42", "stock-rsi-alerts"]);
  });

  it("posts the versioned JSON payload of a failed run, with null for what it never produced", async () => {
    const failures = JSON.stringify([{ displayName: "fetch(0)", templateName: "fetch", phase: "Failed", message: "main: Error (exit code 3): stock-rsi: fetch: Yahoo did not answer" }]);
    const r = await notify(["notify", "--status", "Failed", "--failures", failures, "--as-of", "2021-05-17", "--notify", `${web.url}/hooks/rsi?token=abcd1234efgh`]);
    expect(r.code, r.stderr).toBe(0);
    const [sent] = web.requestsTo("/hooks/rsi?token=abcd1234efgh");
    const payload = JSON.parse(sent!.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      schemaVersion: 1,
      pipeline: "stock-rsi",
      asOf: "2021-05-17",
      tradeDate: null,
      outcome: { status: "step-failed", step: "fetch", exitCode: 3, message: "fetch: Yahoo did not answer" },
      crossings: null,
      strongest: null,
      ranked: null,
      title: "stock-rsi 2021-05-17: FAILED at fetch (exit 3)",
    });
    expectNoSecrets(r, ["abcd1234efgh", "/hooks/rsi"]);
  });
});

describe("stock-rsi notify, when a server echoes the secret", () => {
  it("cleans a channel's token out of what the server answered before printing it", async () => {
    web.answer("/hooks/stock?token=Echo7oken9xyz", { status: 400, body: "unknown hook /hooks/stock?token=Echo7oken9xyz (token Echo7oken9xyz revoked)" });
    const r = await notify([...passedRun, "--notify", `${web.url}/hooks/stock?token=Echo7oken9xyz`]);
    expect(r.code).toBe(ExitCode.refused);
    expect(deliveryLines(r)).toEqual([`notify: not delivered to ${web.url} (--notify): answered HTTP 400 "unknown hook *** (token *** revoked)"`]);
    expectNoSecrets(r, ["Echo7oken9xyz", "/hooks/stock"]);
  });
});

describe("stock-rsi notify, by email", () => {
  let mail: MailServer;
  beforeAll(async () => {
    mail = await startMailServer({ users: { "rsi@example.com": "correct horse battery" }, rejections: [] });
  });
  afterAll(async () => mail.close());

  it("sends the run's report as the HTML body, logging in with the password from SMTP_PASSWORD_FILE", async () => {
    const passwordFile = join(dir.path, "smtp-password");
    writeFileSync(passwordFile, "correct horse battery\n", { mode: 0o600 });
    const url = `smtp://rsi%40example.com@127.0.0.1:${mail.port}?from=stock-rsi@example.com&to=me@example.com,partner@example.com`;
    const r = await notify([...passedRun, "--notify", url], { SMTP_PASSWORD_FILE: passwordFile });
    expect(r.code, r.stderr).toBe(0);
    expect(deliveryLines(r)).toEqual([`notify: delivered to smtp://127.0.0.1:${mail.port} (--notify)`]);
    const received = mail.messages.at(-1)!;
    expect(received).toMatchObject({ from: "stock-rsi@example.com", to: ["me@example.com", "partner@example.com"], user: "rsi@example.com", subject: "stock-rsi 2021-05-14: passed, 2 crossings" });
    expect(received.html.trim()).toBe(readFileSync(results.report, "utf8").trim());
    expect(received.text.split(/\r?\n/).slice(0, 2)).toEqual(["Entered overbought: AAPL 71.25", "Entered oversold: PFE 29.10"]);
    expectNoSecrets(r, ["correct horse battery", "rsi%40example.com"]);
  });

  it("is refused at once when the server refuses the login, and the wrong password is never printed", async () => {
    const before = mail.messages.length;
    const r = await notify([...passedRun, "--notify", `smtp://rsi%40example.com@127.0.0.1:${mail.port}?from=stock-rsi@example.com&to=me@example.com`], {
      SMTP_PASSWORD: "wrong-Passw0rd!",
    });
    expect(r.code).toBe(ExitCode.refused);
    expect(mail.messages.length).toBe(before);
    expect(mail.logins.filter((l) => l.password === "wrong-Passw0rd!")).toHaveLength(1);
    expect(deliveryLines(r)).toEqual([expect.stringMatching(new RegExp(`^notify: not delivered to smtp://127\\.0\\.0\\.1:${mail.port} \\(--notify\\): login failed: `))]);
    expectNoSecrets(r, ["wrong-Passw0rd!"]);
  });

  it("with a user and no password anywhere, says where a password comes from and sends nothing", async () => {
    const r = await notify([...passedRun, "--notify", `smtp://rsi%40example.com@127.0.0.1:${mail.port}?from=a@example.com&to=b@example.com`], {
      SMTP_PASSWORD_FILE: join(dir.path, "no-such-file"),
    });
    expect(r.code).toBe(ExitCode.refused);
    expect(deliveryLines(r)).toEqual([
      `notify: not delivered to smtp://127.0.0.1:${mail.port} (--notify): no password to log in to smtp://127.0.0.1:${mail.port} (--notify) as rsi@example.com: set SMTP_PASSWORD_FILE to a file holding it, or SMTP_PASSWORD (SMTP_PASSWORD_FILE=${join(dir.path, "no-such-file")} does not exist)`,
    ]);
  });

  it("tries again when the server says later (451), and the message arrives once", async () => {
    const busy = await startMailServer({ rejections: [{ code: 451, message: "4.3.0 try again later" }] });
    try {
      const r = await notify([...passedRun, "--notify", `smtp://127.0.0.1:${busy.port}?from=stock-rsi@example.com&to=me@example.com`]);
      expect(r.code, r.stderr).toBe(0);
      expect(deliveryLines(r)).toEqual([`notify: delivered to smtp://127.0.0.1:${busy.port} (--notify) at attempt 2`]);
      expect(busy.messages).toHaveLength(1);
    } finally {
      await busy.close();
    }
  });

  it("speaks TLS from the first byte to an smtps:// server whose certificate it trusts", async () => {
    const tls = join(dir.path, "tls");
    mkdirSync(tls, { recursive: true });
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", join(tls, "key.pem"), "-out", join(tls, "cert.pem")], { stdio: "ignore" });
    const secure = await startMailServer({ tls: { key: readFileSync(join(tls, "key.pem"), "utf8"), cert: readFileSync(join(tls, "cert.pem"), "utf8") }, users: { rsi: "tls-pass" } });
    try {
      const url = `smtps://rsi:tls-pass@localhost:${secure.port}?from=stock-rsi@example.com&to=me@example.com`;
      const trusted = await notify([...passedRun, "--notify", url], { NODE_EXTRA_CA_CERTS: join(tls, "cert.pem") });
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(secure.messages).toHaveLength(1);
      // Without the CA, the certificate is not trusted: refused, not retried, nothing sent.
      const untrusted = await notify([...passedRun, "--notify", url]);
      expect(untrusted.code).toBe(ExitCode.refused);
      expect(deliveryLines(untrusted)[0]).toMatch(/: TLS failed: /);
      expect(secure.messages).toHaveLength(1);
      expectNoSecrets(trusted, ["tls-pass"]);
      expectNoSecrets(untrusted, ["tls-pass"]);
    } finally {
      await secure.close();
    }
  });
});

describe("stock-rsi notify, with several channels", () => {
  it("delivers to each working channel once, reports each broken one in one line, and keeps every secret out of its output", async () => {
    const good = slackHook();
    const gone = slackHook();
    web.answer(good.path, SLACK_OK);
    web.answer(gone.path, { status: 410, body: "channel_is_archived" });
    const closed = await closedPort();
    const channelsFile = join(dir.path, "channels");
    writeFileSync(channelsFile, [`# the team's Slack`, good.url, gone.url, `https://127.0.0.1:${closed}/hook/k3yK3yK3y`, "slakk+https://hooks.slack.com/services/T/B/typoSecret99", ""].join("\n"));
    const r = await notify([...passedRun, "--notify-deadline-seconds", "3"], { STOCK_RSI_NOTIFY_FILE: channelsFile });
    // A bad URL is bad input (2), whatever else happened.
    expect(r.code).toBe(ExitCode.badInput);
    expect(web.requestsTo(good.path)).toHaveLength(1);
    expect(web.requestsTo(gone.path)).toHaveLength(1);
    const lines = deliveryLines(r);
    expect(lines).toHaveLength(4);
    expect(lines).toEqual(
      expect.arrayContaining([
        `notify: delivered to slack+${web.url} (STOCK_RSI_NOTIFY_FILE line 2)`,
        `notify: not delivered to slack+${web.url} (STOCK_RSI_NOTIFY_FILE line 3): answered HTTP 410 "channel_is_archived"`,
        expect.stringMatching(
          new RegExp(`^notify: not delivered to https://127\\.0\\.0\\.1:${closed} \\(STOCK_RSI_NOTIFY_FILE line 4\\): connection refused \\(is the server running\\?\\) \\(attempt \\d+, after [\\d.]+ s\\); no time left for another attempt within the 3\\.0 s allowed`),
        ),
        "notify: not sent: STOCK_RSI_NOTIFY_FILE line 5: slakk+https://hooks.slack.com: unknown scheme slakk+https:; use https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, smtp://USER@HOST:PORT?from=...&to=... or smtps://...",
      ]),
    );
    expect(readFileSync(results.undelivered, "utf8")).toBe("3\n");
    expectPrintable(r.stderr);
    expectNoSecrets(r, [good.secret, gone.secret, "k3yK3yK3y", "typoSecret99", good.path, gone.path]);
  });

  it("with no channel configured, says so in one line, writes 0 undelivered and succeeds", async () => {
    const r = await notify(passedRun, { STOCK_RSI_NOTIFY_FILE: join(dir.path, "secret-not-mounted", "urls") });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `notify: no channel is configured (give --notify URL, or set STOCK_RSI_NOTIFY or STOCK_RSI_NOTIFY_FILE: STOCK_RSI_NOTIFY_FILE=${join(dir.path, "secret-not-mounted", "urls")} does not exist); nothing sent\n`,
    );
    expect(readFileSync(results.undelivered, "utf8")).toBe("0\n");
  });

  it("refuses a status Argo never gives, in one line", async () => {
    const r = await notify(["notify", "--status", "Suceeded"]);
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.stderr).toBe("stock-rsi: --status Suceeded: expected how the run ended, Succeeded, Failed, Error (Argo's {{workflow.status}})\n");
  });
});

/** A port on 127.0.0.1 nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

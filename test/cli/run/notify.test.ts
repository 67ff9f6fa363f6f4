/**
 * `stock-rsi run --notify URL` on a laptop: the run ends with the pipeline's exit step, on success
 * and on failure alike, one message per channel, delivered to real servers on 127.0.0.1; and the
 * run's exit status, its ranking on stdout and its one error line stay the steps' own, whatever
 * happens to the delivery.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../../steps/domain/errors.ts";
import type { Payload } from "../../../steps/notify/formats.ts";
import { SLACK_OK, startWebhookServer, type WebhookServer } from "../../support/channel-doubles.ts";
import { stockRsi, tempDir, USER_SYMBOLS, type CliResult } from "../../support/cli.ts";
import { expectNoSecrets, expectRefusal } from "../../reliability/support.ts";

const AS_OF = "2021-05-17";
const SLACK_PATH = "/services/T0ACME/B0RUN/runWebhookSecret31";
const HOOK_PATH = "/hooks/rsi";
const SECRETS = ["runWebhookSecret31", "/services/T0ACME"];

let web: WebhookServer;
let dir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  web = await startWebhookServer();
  dir = tempDir("stock-rsi-run-notify-");
});
afterAll(async () => {
  await web.close();
  dir.cleanup();
});
afterEach(() => web.requests.splice(0));

function run(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return stockRsi(["run", USER_SYMBOLS, "--source", "sample", ...args], {
    env: { STOCK_RSI_NOTIFY: undefined, STOCK_RSI_NOTIFY_FILE: undefined, ...env },
    timeoutMs: 120_000,
  });
}

const payloads = () => web.requestsTo(HOOK_PATH).map((r) => JSON.parse(r.body) as Payload);

describe("stock-rsi run --notify", () => {
  it("on success sends one message per channel, with the ranking's extremes and the report file, and prints the same ranking", async () => {
    web.answer(SLACK_PATH, SLACK_OK);
    const report = join(dir.path, "report.html");
    const plain = await run(["--as-of", AS_OF, "--no-store"]);
    const r = await run(["--as-of", AS_OF, "--no-store", "--report", report, "--notify", `slack+${web.url}${SLACK_PATH}`, "--notify", `${web.url}${HOOK_PATH}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(web.requestsTo(SLACK_PATH)).toHaveLength(1);
    const [payload, ...more] = payloads();
    expect(more).toEqual([]);
    expect(payload).toMatchObject({ schemaVersion: 1, asOf: AS_OF, tradeDate: AS_OF, outcome: { status: "passed" }, ranked: 180, reportUrl: pathToFileURL(report).href });
    expect(payload!.strongest!.map((s: { symbol: string; rsi: number }) => `${s.symbol} ${s.rsi.toFixed(2)}`)).toEqual(plain.stdout.split("\n").slice(0, 5));
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("notify: "));
    expect(lines[0]).toBe(`notify: "stock-rsi ${AS_OF}: passed, no crossings" to 2 channels`);
    // Delivered at once to both, in whichever order they answered.
    expect(lines.slice(1).sort()).toEqual([`notify: delivered to ${web.url} (--notify #2)`, `notify: delivered to slack+${web.url} (--notify #1)`]);
    expectNoSecrets(r, SECRETS);
  });

  it("on a failed run still notifies, and exits with the step's status and its one error line", async () => {
    const r = await run(["--as-of", AS_OF, "--no-store", "--lookback-days", "5"], { STOCK_RSI_NOTIFY: `${web.url}${HOOK_PATH}` });
    expectRefusal(r, { code: ExitCode.policyFailed, line: /^validate: FAILED, nothing will be stored: failed-share: 180 of 180/ });
    const [payload] = payloads();
    expect(payload!.outcome).toEqual({ status: "validation-failed", step: "validate", exitCode: 1, message: expect.stringMatching(/^validate: FAILED, nothing will be stored/) });
    expect(payload!.withoutValue).toEqual({ total: 180, byReason: { "too-few-closes": 180 } });
    expect(payload!.tradeDate).toBeNull();
  });

  it("a channel that hangs changes neither the exit status nor the ranking, and the run ends within the delivery's bound", async () => {
    web.answer(SLACK_PATH, { hang: true });
    const plain = await run(["--as-of", AS_OF, "--no-store"]);
    const r = await run(["--as-of", AS_OF, "--no-store", "--notify", `slack+${web.url}${SLACK_PATH}`, "--notify-deadline-seconds", "2"]);
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain(`notify: not delivered to slack+${web.url} (--notify): no answer within 2.0 s`);
    expect(r.stderr).not.toMatch(/^stock-rsi: /m);
    expectNoSecrets(r, SECRETS);
  });

  it("a channel that refuses leaves a failed run's status and its one error line alone", async () => {
    web.answer(SLACK_PATH, { status: 403, body: "invalid_token" });
    const r = await run(["--as-of", AS_OF, "--no-store", "--lookback-days", "5", "--notify", `slack+${web.url}${SLACK_PATH}`]);
    expectRefusal(r, { code: ExitCode.policyFailed, line: /^validate: FAILED/, secrets: SECRETS });
    expect(r.stderr).toContain(`notify: not delivered to slack+${web.url} (--notify): answered HTTP 403 "invalid_token"`);
  });

  it("refuses a --notify URL it cannot use before the first step, naming it by scheme and host only", async () => {
    const r = await run(["--as-of", AS_OF, "--no-store", "--notify", "slack+hooks.slack.com/services/T0/B0/typoWebhookSecret"]);
    expectRefusal(r, {
      code: ExitCode.badInput,
      line: "--notify: a URL: not a URL; use https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, smtp://USER@HOST:PORT?from=...&to=... or smtps://...",
      secrets: ["typoWebhookSecret", "/services/T0"],
    });
    expect(r.stderr).not.toMatch(/^fetch: /m);
  });

  it("never reports an earlier run's results as this run's: a run that fails in fetch sends no crossings, though its artifacts directory holds some", async () => {
    const artifacts = join(dir.path, "kept");
    const earlier = await run(["--as-of", AS_OF, "--no-store", "--artifacts-dir", artifacts]);
    expect(earlier.code).toBe(0);
    writeFileSync(join(artifacts, "signals.txt"), "AAPL entered-overbought 68.40 -> 71.25\n");
    const r = await run(["--as-of", AS_OF, "--no-store", "--artifacts-dir", artifacts, "--source", "file:/nonexistent/prices.json", "--notify", `${web.url}${HOOK_PATH}`]);
    expect(r.code).toBe(ExitCode.badInput);
    const [payload] = payloads();
    expect(payload!.outcome).toMatchObject({ status: "step-failed", step: "fetch", exitCode: 2 });
    expect([payload!.crossings, payload!.strongest, payload!.tradeDate, payload!.withoutValue, payload!.reportUrl]).toEqual([null, null, null, null, null]);
  });
});

/**
 * The DAG in dist/ runs: the synthesized WorkflowTemplate, executed task by task with the same
 * `stock-rsi` commands its containers run, against the offline `sample` source and SQLite. A
 * wrong argument, artifact path or parameter in the YAML fails here, not on the user's cluster.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../steps/domain/errors.ts";
import { BIN, exec, stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { hostPathOf, runDag, workflowInDist, type ContainerRun, type DagRunOptions, type ProcessResult } from "../support/argo-dag-runner.ts";
import type { Payload } from "../../steps/notify/formats.ts";
import { SLACK_OK, startMailServer, startWebhookServer, type MailServer, type WebhookServer } from "../support/channel-doubles.ts";
import { expectNoSecrets } from "../reliability/support.ts";

const AS_OF = "2021-05-17";

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/**
 * This machine as the container runtime: `stock-rsi ...` runs as `node bin/stock-rsi.mjs ...`,
 * every artifact path the template declares is the file runDag placed for it, and the persist
 * step's MySQL URL becomes a SQLite file (there is no cluster Service to reach).
 */
function stockRsiOnThisMachine(dbFile: string) {
  return (container: ContainerRun): Promise<ProcessResult> => {
    const [command, ...args] = onHostPaths(container);
    if (command !== "stock-rsi") throw new Error(`task ${container.task}: unexpected command ${command}`);
    const mapped = args.map((word, i) => (args[i - 1] === "--db" && word.startsWith("mysql://") ? `sqlite:${dbFile}` : word));
    // Paths in the environment (a mounted Secret's files) lead to the same files on this machine.
    const env = Object.fromEntries(Object.entries(container.env).map(([name, value]) => [name, hostPathOf(container, value) ?? value]));
    return exec(process.execPath, [BIN, ...mapped], { env: { ...process.env, ARGO_PROGRESS_FILE: undefined, STOCK_RSI_NOTIFY: undefined, ...env } });
  };
}

/** The container's argv with each word that is a declared artifact path replaced by that file on this machine. */
function onHostPaths(container: ContainerRun): string[] {
  return container.argv.map((word) => hostPathOf(container, word) ?? word);
}

function options(overrides: Partial<DagRunOptions> & Pick<DagRunOptions, "run">): DagRunOptions & { sleeps: number[] } {
  const dir = tempDir("stock-rsi-dag-");
  cleanups.push(dir.cleanup);
  const sleeps: number[] = [];
  return {
    ...workflowInDist(),
    workDir: dir.path,
    workflowName: "stock-rsi-local",
    sleep: async (ms) => void sleeps.push(ms),
    sleeps,
    ...overrides,
  };
}

describe("the WorkflowTemplate in dist/, run locally", () => {
  it("ranks the user's symbols exactly as `stock-rsi run` does, and persist stores them", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const dbFile = `${db.path}/rsi.db`;
    const run = options({ parameters: { source: "sample", "as-of": AS_OF }, run: stockRsiOnThisMachine(dbFile) });

    const result = await runDag(run);

    const failed = result.tasks.filter((t) => t.phase !== "Succeeded").map((t) => `${t.name}: ${t.attempts.at(-1)?.stderr ?? t.phase}`);
    expect(failed).toEqual([]);
    expect(result.tasks.map((t) => [t.name, t.attempts.length])).toEqual([
      ["fetch", 1],
      ["compute-rsi", 1],
      ["validate", 1],
      ["persist", 1],
    ]);
    const reference = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--no-store", "--as-of", AS_OF]);
    expect(reference.code).toBe(0);
    expect(reference.stdout.split("\n").length).toBeGreaterThan(100);
    // The ranking as the Argo UI shows it (persist's output parameter, exported to the workflow)...
    expect(result.outputs.ranking).toBe(reference.stdout);
    // ...is what persist printed, and what it stored under the run's name.
    expect(result.tasks.find((t) => t.name === "persist")!.attempts[0]!.stdout).toBe(reference.stdout);
    const stored = querySqlite(dbFile, "SELECT COUNT(*) AS n, MIN(run_id) AS run FROM rsi_values");
    expect(stored).toEqual([{ n: reference.stdout.trim().split("\n").length, run: "stock-rsi-local" }]);
    // validate's failed symbols are an output parameter too, one line per symbol without a value.
    const validated = JSON.parse(
      readFileSync(result.tasks.find((t) => t.name === "validate")!.outputArtifacts.validated!, "utf8"),
    ) as { failures: unknown[] };
    const failedLines = result.outputs["failed-symbols"]!.split("\n").filter(Boolean);
    expect(failedLines).toHaveLength(validated.failures.length);
  });

  it("a run with another symbols list ranks that list (the symbols parameter overrides the ConfigMap)", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const run = options({
      parameters: { source: "sample", "as-of": AS_OF, symbols: "AAPL\nMSFT\n# a comment\nNVDA\n" },
      run: stockRsiOnThisMachine(`${db.path}/rsi.db`),
    });
    const result = await runDag(run);
    expect(result.phase).toBe("Succeeded");
    expect(result.outputs.ranking!.split("\n").filter(Boolean).map((l) => l.split(" ")[0]).sort()).toEqual(["AAPL", "MSFT", "NVDA"]);
  });

  it("retries fetch after it exits 3 (service unavailable), waiting the template's back-off", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const real = stockRsiOnThisMachine(`${db.path}/rsi.db`);
    // Yahoo is away for the first attempt: the step exits with its "unavailable" status.
    const run = options({
      parameters: { source: "sample", "as-of": AS_OF },
      run: (c) => (c.task === "fetch" && c.attempt === 1 ? exec(process.execPath, ["-e", `process.exit(${ExitCode.unavailable})`]) : real(c)),
    });
    const result = await runDag(run);
    expect(result.phase).toBe("Succeeded");
    expect(result.tasks.find((t) => t.name === "fetch")!.attempts.map((a) => a.code)).toEqual([ExitCode.unavailable, 0]);
    expect(run.sleeps).toEqual([30_000]);
  });

  it("does not retry bad input (exit 2): fetch fails once and the steps after it never run", async () => {
    const run = options({ parameters: { source: "sample", "as-of": AS_OF, "lookback-days": "0" }, run: stockRsiOnThisMachine("/nonexistent") });
    const result = await runDag(run);
    expect(result.phase).toBe("Failed");
    expect(result.tasks.map((t) => [t.name, t.phase, t.attempts.map((a) => a.code)])).toEqual([
      ["fetch", "Failed", [ExitCode.badInput]],
      ["compute-rsi", "Omitted", []],
      ["validate", "Omitted", []],
      ["persist", "Omitted", []],
    ]);
    expect(result.tasks[0]!.attempts[0]!.stderr).toMatch(/lookback-days/);
    expect(run.sleeps).toEqual([]);
  });

  it("gives up on persist after its retry limit when the database stays unavailable", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const real = stockRsiOnThisMachine(`${db.path}/rsi.db`);
    const run = options({
      parameters: { source: "sample", "as-of": AS_OF },
      run: (c) => (c.task === "persist" ? exec(process.execPath, ["-e", `process.exit(${ExitCode.unavailable})`]) : real(c)),
    });
    const result = await runDag(run);
    const persist = result.tasks.find((t) => t.name === "persist")!;
    expect(persist.phase).toBe("Failed");
    // limit 3: the first attempt and three retries, the waits doubling from 20 s.
    expect(persist.attempts).toHaveLength(4);
    expect(run.sleeps).toEqual([20_000, 40_000, 80_000]);
  });
});

describe("the backfill WorkflowTemplate in dist/, run locally", () => {
  it("fetches the range once, then stores each trading day exactly as a daily run of that day would", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const filled = `${db.path}/backfill.db`;
    const run = options({
      ...workflowInDist("stock-rsi-backfill"),
      workflowName: "stock-rsi-backfill-local",
      parameters: { source: "sample", from: "2021-05-12", to: "2021-05-17" },
      run: stockRsiOnThisMachine(filled),
    });
    const result = await runDag(run);
    const failed = result.tasks.filter((t) => t.phase !== "Succeeded").map((t) => `${t.name}: ${t.attempts.at(-1)?.stderr ?? t.phase}`);
    expect(failed).toEqual([]);
    expect(result.tasks.map((t) => t.name)).toEqual(["fetch", "backfill"]);
    expect(result.outputs.days).toBe("2021-05-12 stored 180\n2021-05-13 stored 180\n2021-05-14 stored 180\n2021-05-17 stored 180\n");

    const daily = `${db.path}/daily.db`;
    for (const day of ["2021-05-12", "2021-05-13", "2021-05-14", "2021-05-17"]) {
      expect((await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", day, "--db", `sqlite:${daily}`])).code).toBe(0);
    }
    const values = (file: string) => querySqlite(file, "SELECT trade_date, symbol, rsi, close, close_date FROM rsi_values ORDER BY trade_date, symbol");
    expect(values(filled)).toEqual(values(daily));
    // Each day under its own run id, leading back to the workflow.
    expect(querySqlite(filled, "SELECT run_id FROM rsi_runs ORDER BY trade_date").map((r) => (r as { run_id: string }).run_id)).toEqual([
      "stock-rsi-backfill-local:2021-05-12",
      "stock-rsi-backfill-local:2021-05-13",
      "stock-rsi-backfill-local:2021-05-14",
      "stock-rsi-backfill-local:2021-05-17",
    ]);
  });
});

describe("the exit handler in dist/, run locally: one message per channel, on success and on failure, never changing the run's outcome", () => {
  let web: WebhookServer;
  let mail: MailServer;
  beforeAll(async () => {
    web = await startWebhookServer();
    mail = await startMailServer({ users: { rsi: "smtp-Secret-pw" } });
  });
  afterAll(async () => {
    await web.close();
    await mail.close();
  });
  afterEach(() => {
    web.requests.splice(0);
    mail.messages.splice(0);
  });

  const SLACK_PATH = "/services/T0ACME/B0DAG/dagWebhookSecret77";
  const HOOK_PATH = "/hooks/rsi?token=jsonTok3n55";
  /** The Secret the user creates (docs/deploying.md): the channels, and the email's password. */
  const channels = () => ({
    "stock-rsi-notify": {
      urls: [`slack+${web.url}${SLACK_PATH}`, `${web.url}${HOOK_PATH}`, `smtp://rsi@127.0.0.1:${mail.port}?from=stock-rsi@example.com&to=me@example.com`].join("\n") + "\n",
      "smtp-password": "smtp-Secret-pw\n",
    },
  });
  const SECRETS = ["dagWebhookSecret77", "jsonTok3n55", "smtp-Secret-pw", "/services/T0ACME"];

  /** What the notify node printed, and every process's output: no secret may be in any of them. */
  const everything = (result: Awaited<ReturnType<typeof runDag>>) => {
    const attempts = [...result.tasks, ...(result.onExit?.steps ?? [])].flatMap((t) => t.attempts);
    return { stdout: attempts.map((a) => a.stdout).join(""), stderr: attempts.map((a) => a.stderr).join("") };
  };

  it("on success: the workflow Succeeded, and each channel got one message naming the day, the crossings and the report in the Argo UI", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const dbFile = `${db.path}/rsi.db`;
    // The day before, stored: today's crossings are measured against it.
    expect((await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${dbFile}`])).code).toBe(0);
    web.answer(SLACK_PATH, SLACK_OK);
    const run = options({ parameters: { source: "sample", "as-of": AS_OF }, secrets: channels(), run: stockRsiOnThisMachine(dbFile) });

    const result = await runDag(run);

    expect(result.phase).toBe("Succeeded");
    expect(result.onExit!.workflowStatus).toBe("Succeeded");
    expect(result.onExit!.phase).toBe("Succeeded");
    const notify = result.onExit!.steps[0]!;
    expect(notify.phase, notify.attempts[0]?.stderr).toBe("Succeeded");
    expect(notify.outputParameters.undelivered).toBe("0\n");
    expect(web.requestsTo(SLACK_PATH)).toHaveLength(1);
    expect(web.requestsTo(HOOK_PATH)).toHaveLength(1);
    expect(mail.messages).toHaveLength(1);

    const crossings = result.outputs.signals!.trim().split("\n").filter(Boolean);
    expect(crossings.length, "the sample prices cross 70 and 30 between these two days").toBeGreaterThan(0);
    const payload = JSON.parse(web.requestsTo(HOOK_PATH)[0]!.body) as Payload;
    expect(payload).toMatchObject({
      schemaVersion: 1,
      pipeline: "stock-rsi",
      runId: "stock-rsi-local",
      asOf: AS_OF,
      tradeDate: AS_OF,
      outcome: { status: "passed" },
      ranked: result.outputs.ranking!.trim().split("\n").length,
      reportUrl: "https://localhost:2746/workflows/stock-rsi/stock-rsi-local",
    });
    expect(payload.crossings!.map((c: { symbol: string; kind: string }) => `${c.symbol} ${c.kind}`)).toEqual(crossings.map((l) => l.split(" ").slice(0, 2).join(" ")));
    expect(payload.strongest!.map((r: { symbol: string; rsi: number }) => `${r.symbol} ${r.rsi.toFixed(2)}`)).toEqual(result.outputs.ranking!.split("\n").slice(0, 5));
    const slack = JSON.parse(web.requestsTo(SLACK_PATH)[0]!.body) as { text: string };
    expect(slack.text.split("\n")[0]).toBe(`:white_check_mark: stock-rsi ${AS_OF}: passed, ${crossings.length === 0 ? "no" : crossings.length} crossing${crossings.length === 1 ? "" : "s"}`);
    // The email's body is the run's own report, the persist node's artifact.
    const report = readFileSync(result.tasks.find((t) => t.name === "persist")!.outputArtifacts.report!, "utf8");
    expect(mail.messages[0]!.html.replace(/\r\n/g, "\n").trim()).toBe(report.trim());
    expectNoSecrets(everything(result), SECRETS);
  });

  it("on failure: the workflow Failed, and the message says which step failed and why", async () => {
    web.answer(SLACK_PATH, SLACK_OK);
    const run = options({ parameters: { source: "sample", "as-of": AS_OF, "lookback-days": "0" }, secrets: channels(), run: stockRsiOnThisMachine("/nonexistent") });

    const result = await runDag(run);

    expect(result.phase).toBe("Failed");
    expect(result.tasks.map((t) => t.phase)).toEqual(["Failed", "Omitted", "Omitted", "Omitted"]);
    expect(result.onExit!.workflowStatus).toBe("Failed");
    // Argo's own form: the JSON list, Go-quoted, naming fetch's retry node, its failed attempt and the DAG.
    const failures = JSON.parse(JSON.parse(result.onExit!.workflowFailures) as string) as { displayName: string; message: string }[];
    expect(failures.map((f) => f.displayName)).toEqual(["fetch", "fetch(0)", "stock-rsi-local"]);
    expect(failures[1]!.message).toMatch(/^main: Error \(exit code 2\): .*--lookback-days/);
    expect(result.onExit!.steps[0]!.phase, result.onExit!.steps[0]!.attempts[0]?.stderr).toBe("Succeeded");
    const payload = JSON.parse(web.requestsTo(HOOK_PATH)[0]!.body) as Payload;
    expect(payload.outcome).toEqual({ status: "step-failed", step: "fetch", exitCode: 2, message: expect.stringMatching(/--lookback-days .*got "0"$/) });
    expect([payload.tradeDate, payload.crossings, payload.strongest, payload.ranked]).toEqual([null, null, null, null]);
    expect(payload.title).toBe(`stock-rsi ${AS_OF}: FAILED at fetch (exit 2)`);
    expect(JSON.parse(web.requestsTo(SLACK_PATH)[0]!.body).text.split("\n")[0]).toBe(`:rotating_light: stock-rsi ${AS_OF}: FAILED at fetch (exit 2)`);
    // No report was written: the email is the message itself.
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]!.subject).toBe(`stock-rsi ${AS_OF}: FAILED at fetch (exit 2)`);
    expect(mail.messages[0]!.html).toContain("--lookback-days");
    expectNoSecrets(everything(result), SECRETS);
  });

  it("on a failed validation: the message counts the symbols without a value by reason", async () => {
    web.answer(SLACK_PATH, SLACK_OK);
    const run = options({ parameters: { source: "sample", "as-of": AS_OF, "lookback-days": "5" }, secrets: channels(), run: stockRsiOnThisMachine("/nonexistent") });
    const result = await runDag(run);
    expect(result.phase).toBe("Failed");
    expect(result.tasks.map((t) => [t.name, t.phase])).toEqual([["fetch", "Succeeded"], ["compute-rsi", "Succeeded"], ["validate", "Failed"], ["persist", "Omitted"]]);
    const payload = JSON.parse(web.requestsTo(HOOK_PATH)[0]!.body) as Payload;
    expect(payload.outcome).toMatchObject({ status: "validation-failed", step: "validate", exitCode: 1 });
    expect(payload.withoutValue).toEqual({ total: 180, byReason: { "too-few-closes": 180 } });
  });

  it("a channel that is down leaves a successful run Succeeded; the notify node fails, and says so in one line without the URL", async () => {
    web.answer(SLACK_PATH, { status: 404, body: "no_service" });
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const run = options({
      parameters: { source: "sample", "as-of": AS_OF },
      secrets: { "stock-rsi-notify": { urls: `slack+${web.url}${SLACK_PATH}\n` } },
      run: stockRsiOnThisMachine(`${db.path}/rsi.db`),
    });
    const result = await runDag(run);
    const notify = result.onExit!.steps[0]!;
    expect(notify.phase).toBe("Failed");
    expect(notify.attempts.map((a) => a.code)).toEqual([ExitCode.refused]);
    expect(notify.outputParameters.undelivered).toBe("1\n");
    expect(notify.attempts[0]!.stderr).toContain(`notify: not delivered to slack+${web.url} (STOCK_RSI_NOTIFY_FILE line 1): answered HTTP 404 "no_service"`);
    // continueOn: the exit handler's node succeeds, so Argo leaves the run's phase alone.
    expect(result.onExit!.phase).toBe("Succeeded");
    expect(result.phase).toBe("Succeeded");
    expectNoSecrets(everything(result), SECRETS);
  });

  it("without the Secret, the exit handler says no channel is configured, in one line, and succeeds", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const run = options({ parameters: { source: "sample", "as-of": AS_OF }, run: stockRsiOnThisMachine(`${db.path}/rsi.db`) });
    const result = await runDag(run);
    expect(result.phase).toBe("Succeeded");
    const notify = result.onExit!.steps[0]!;
    expect(notify.phase).toBe("Succeeded");
    expect(notify.attempts[0]!.stderr).toMatch(/^notify: no channel is configured \(give --notify URL, or set STOCK_RSI_NOTIFY or STOCK_RSI_NOTIFY_FILE: STOCK_RSI_NOTIFY_FILE=\S+\/urls lists none|does not exist\); nothing sent\n$/);
    expect(notify.attempts[0]!.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(web.requests).toEqual([]);
  });

  it("the backfill template notifies too, with its days", async () => {
    const db = tempDir("stock-rsi-dag-db-");
    cleanups.push(db.cleanup);
    const run = options({
      ...workflowInDist("stock-rsi-backfill"),
      workflowName: "stock-rsi-backfill-local",
      parameters: { source: "sample", from: "2021-05-12", to: "2021-05-17" },
      secrets: { "stock-rsi-notify": { urls: `${web.url}${HOOK_PATH}\n` } },
      run: stockRsiOnThisMachine(`${db.path}/backfill.db`),
    });
    const result = await runDag(run);
    expect(result.phase).toBe("Succeeded");
    const payload = JSON.parse(web.requestsTo(HOOK_PATH)[0]!.body) as Payload;
    expect(payload).toMatchObject({ pipeline: "stock-rsi-backfill", firstDay: "2021-05-12", asOf: "2021-05-17", outcome: { status: "passed" } });
    expect(payload.days!.map((d: { date: string; outcome: string }) => `${d.date} ${d.outcome}`)).toEqual(["2021-05-12 stored", "2021-05-13 stored", "2021-05-14 stored", "2021-05-17 stored"]);
    expect(payload.title).toBe("stock-rsi backfill 2021-05-12 to 2021-05-17: passed, 4 days stored");
  });
});

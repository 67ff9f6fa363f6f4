/**
 * The DAG in dist/ runs: the synthesized WorkflowTemplate, executed task by task with the same
 * `stock-rsi` commands its containers run, against the offline `sample` source and SQLite. A
 * wrong argument, artifact path or parameter in the YAML fails here, not on the user's cluster.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../steps/domain/errors.ts";
import { BIN, exec, stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { hostPathOf, runDag, workflowInDist, type ContainerRun, type DagRunOptions, type ProcessResult } from "../support/argo-dag-runner.ts";

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

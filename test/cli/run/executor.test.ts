import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../steps/domain/errors.ts";
import { pipeline } from "../../../steps/pipeline.ts";
import { executePipeline, resolveArgs, type ExecutionPlan } from "../../../cli/run/executor.ts";

const plan: ExecutionPlan = {
  artifactsDir: "/art",
  inputFiles: { symbols: "/home/u/symbols" },
  parameters: { method: "wilder", "as-of": "2021-05-17" },
  settings: { db: "sqlite:x.db", json: true },
};
const step = (name: string) => pipeline.steps.find((s) => s.name === name)!;

describe("the executor", () => {
  it("gives each step the argv its container gets, with artifact paths in one directory", () => {
    expect(resolveArgs(pipeline, step("fetch"), plan)).toEqual([
      "fetch", "--symbols", "/home/u/symbols", "--out", "/art/prices.json", "--as-of", "2021-05-17", "--lookback-days", "91", "--source", "yahoo",
      "--concurrency", "4", "--request-interval-ms", "0", "--fetch-deadline-seconds", "600", "--max-stale-days", "3",
    ]);
    expect(resolveArgs(pipeline, step("compute-rsi"), plan)).toEqual(["compute-rsi", "--in", "/art/prices.json", "--out", "/art/rsi.json", "--method", "wilder", "--period", "14"]);
    expect(resolveArgs(pipeline, step("persist"), plan)).toEqual([
      "persist", "--in", "/art/validated.json", "--report-out", "/art/report.html", "--ranking-out", "/art/ranking.txt", "--signals-out", "/art/signals.txt",
      "--db", "sqlite:x.db", "--json",
    ]);
    // An output the user names goes where they said.
    expect(resolveArgs(pipeline, step("persist"), { ...plan, outputFiles: { report: "/home/u/today.html" } })).toContain("/home/u/today.html");
  });

  it("passes a setting nobody set at its default, and refuses one the pipeline does not define", () => {
    const bare: ExecutionPlan = { ...plan, settings: {} };
    expect(resolveArgs(pipeline, step("persist"), bare).slice(-2)).toEqual(["--db", "sqlite:stock-rsi.db"]);
    expect(() => resolveArgs(pipeline, step("persist"), { ...plan, settings: { dbb: "x" } })).toThrow('run: "dbb" is not a pipeline setting');
  });

  it("stops at the first failing step", async () => {
    const ran: string[] = [];
    const outcomes = await executePipeline(pipeline, plan, async (s) => {
      ran.push(s.name);
      return s.name === "validate" ? ExitCode.policyFailed : ExitCode.ok;
    });
    expect(ran).toEqual(["fetch", "compute-rsi", "validate"]);
    expect(outcomes.at(-1)).toEqual({ step: "validate", exitCode: 1, attempts: 1 });
  });

  it("retries a step that declares retries only when it exits unavailable, with growing waits", async () => {
    const waits: number[] = [];
    let persistAttempts = 0;
    const outcomes = await executePipeline(
      pipeline,
      plan,
      async (s) => {
        if (s.name !== "persist") return ExitCode.ok;
        persistAttempts++;
        return persistAttempts < 3 ? ExitCode.unavailable : ExitCode.ok;
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(outcomes.at(-1)).toEqual({ step: "persist", exitCode: 0, attempts: 3 });
    expect(waits).toEqual([20_000, 40_000]);

    let validateAttempts = 0;
    await executePipeline(pipeline, plan, async (s) => (s.name === "validate" ? (validateAttempts++, ExitCode.unavailable) : ExitCode.ok), { sleep: async () => undefined });
    expect(validateAttempts).toBe(1);
  });

  it("gives up after the declared limit", async () => {
    const outcomes = await executePipeline(pipeline, plan, async (s) => (s.name === "fetch" ? ExitCode.unavailable : ExitCode.ok), { sleep: async () => undefined });
    expect(outcomes).toEqual([{ step: "fetch", exitCode: 3, attempts: 3 }]);
  });
});

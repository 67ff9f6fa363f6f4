import { describe, expect, it } from "vitest";
import {
  backfillPipeline,
  executionOrder,
  exitStepArgv,
  pipeline,
  resultFile,
  settingValues,
  settingWords,
  SETTINGS,
  sourceOf,
  stepArgv,
  stepNamed,
  upstreamOf,
  type ArgvBinding,
  type ExitArgvBinding,
  type PipelineDefinition,
} from "../../steps/pipeline.ts";

/** Binds every declaration to a readable marker, to see where each lands in the argv. */
const markers: ArgvBinding = {
  parameter: (p) => `<${p.name}>`,
  setting: (s) => s.default,
  input: (i) => `<in:${i.name}>`,
  output: (o) => `<out:${o.name}>`,
};

describe("the pipeline definition", () => {
  it("is fetch → compute-rsi → validate → persist", () => {
    expect(executionOrder(pipeline).map((s) => s.name)).toEqual(["fetch", "compute-rsi", "validate", "persist"]);
    expect(pipeline.steps.map((s) => [s.name, upstreamOf(s)])).toEqual([
      ["fetch", []],
      ["compute-rsi", ["fetch"]],
      ["validate", ["compute-rsi"]],
      ["persist", ["validate"]],
    ]);
  });

  it("reads every input from an output its upstream step declares, or from a pipeline input", () => {
    for (const step of pipeline.steps) {
      for (const input of step.inputs) expect(() => sourceOf(pipeline, input), `${step.name}.${input.name}`).not.toThrow();
    }
    const broken = { ...stepNamed(pipeline, "validate").inputs[0]!, from: { step: "compute-rsi" as const, output: "rsy" } };
    expect(() => sourceOf(pipeline, broken)).toThrow("input rsi reads compute-rsi.rsy, which no step writes");
  });

  it("derives each step's argv from its declarations: subcommand, files, parameters, settings", () => {
    expect(stepArgv(pipeline, stepNamed(pipeline, "compute-rsi"), markers)).toEqual([
      "compute-rsi", "--in", "<in:prices>", "--out", "<out:rsi>", "--method", "<method>", "--period", "<period>",
    ]);
    expect(stepArgv(pipeline, stepNamed(pipeline, "validate"), markers)).toEqual([
      "validate", "--in", "<in:rsi>", "--out", "<out:validated>", "--failures-out", "<out:failed-symbols>",
      "--ranked-count-out", "<out:ranked-count>", "--failed-count-out", "<out:failed-count>", "--trade-date-out", "<out:trade-date>",
      "--max-failed-share", "<max-failed-share>", "--max-stale-days", "<max-stale-days>",
    ]);
    // Settings at their defaults: the database URL is passed, the switches and empty texts are not.
    expect(stepArgv(pipeline, stepNamed(pipeline, "persist"), markers)).toEqual([
      "persist", "--in", "<in:validated>", "--report-out", "<out:report>", "--ranking-out", "<out:ranking>", "--signals-out", "<out:signals>",
      "--db", "sqlite:stock-rsi.db",
    ]);
  });

  it("derives the backfill DAG's argv the same way: fetch takes the range under its own flags, backfill runs in persist's image", () => {
    expect(stepArgv(backfillPipeline, stepNamed(backfillPipeline, "fetch"), markers).slice(0, 9)).toEqual([
      "fetch", "--symbols", "<in:symbols>", "--out", "<out:prices>", "--as-of", "<to>", "--first-day", "<from>",
    ]);
    const backfill = stepNamed(backfillPipeline, "backfill");
    expect(backfill.image).toBe("persist");
    expect(stepArgv(backfillPipeline, backfill, markers)).toEqual([
      "backfill", "--prices", "<in:prices>", "--days-out", "<out:days>", "--from", "<from>", "--to", "<to>", "--lookback-days", "<lookback-days>",
      "--method", "<method>", "--period", "<period>", "--max-failed-share", "<max-failed-share>", "--max-stale-days", "<max-stale-days>",
      "--overwrite", "<overwrite>", "--db", "sqlite:stock-rsi.db",
    ]);
  });

  it("names only parameters and settings it defines", () => {
    const typo: PipelineDefinition = {
      ...pipeline,
      steps: pipeline.steps.map((s) => (s.name === "fetch" ? { ...s, settings: [...s.settings, "yahoo-ulr"] } : s)),
    };
    expect(() => stepArgv(typo, stepNamed(typo, "fetch"), markers)).toThrow("step fetch: unknown setting yahoo-ulr");
    const unknownParameter = { ...pipeline, steps: pipeline.steps.map((s) => (s.name === "fetch" ? { ...s, parameters: ["as-off"] } : s)) };
    expect(() => stepArgv(unknownParameter, stepNamed(unknownParameter, "fetch"), markers)).toThrow("step fetch: unknown parameter as-off");
  });

  it("a list setting passes --FLAG once per value, and nothing when empty", () => {
    expect(settingWords(SETTINGS.notify, ["https://a.example/x", "ntfy+https://n.example/t"])).toEqual(["--notify", "https://a.example/x", "--notify", "ntfy+https://n.example/t"]);
    expect(settingWords(SETTINGS.notify, [])).toEqual([]);
    expect(() => settingWords(SETTINGS.notify, "https://a.example/x")).toThrow("setting notify: takes a list of values");
    expect(() => settingWords(SETTINGS.db, ["x"])).toThrow("setting db: takes text");
  });

  it("derives the exit step's argv from its declarations: the pipeline, the run's outcome, the results this run wrote, parameters, settings", () => {
    const binding: ExitArgvBinding = {
      outcome: (what) => `<${what}>`,
      // A run that failed before persist: persist's results are left out.
      result: (result, file) => (result.from.step === "persist" ? undefined : `<result:${file.name}>`),
      output: (o) => `<out:${o.name}>`,
      parameter: (p) => `<${p.name}>`,
      setting: (s) => s.default,
    };
    expect(pipeline.onExit!.image).toBe("persist");
    expect(exitStepArgv(pipeline, binding)).toEqual([
      "notify", "--pipeline", "stock-rsi", "--status", "<status>", "--failures", "<failures>", "--report-link", "<reportLink>",
      "--trade-date", "<result:trade-date>", "--failed-symbols", "<result:failed-symbols>", "--undelivered-out", "<out:undelivered>",
      "--as-of", "<as-of>", "--method", "<method>", "--period", "<period>", "--notify-deadline-seconds", "30",
    ]);
    // Backfill's exit step reads its days, and names the range by the run's own flags.
    expect(exitStepArgv(backfillPipeline, binding).slice(0, 13)).toEqual([
      "notify", "--pipeline", "stock-rsi-backfill", "--status", "<status>", "--failures", "<failures>", "--report-link", "<reportLink>",
      "--days", "<result:days>", "--undelivered-out", "<out:undelivered>",
    ]);
    expect(exitStepArgv(backfillPipeline, binding)).toEqual(expect.arrayContaining(["--as-of", "<to>", "--first-day", "<from>"]));
  });

  it("reads, in its exit step, only files a step of the pipeline writes", () => {
    for (const definition of [pipeline, backfillPipeline]) {
      for (const result of definition.onExit!.results) expect(() => resultFile(definition, result), `${definition.name} ${result.flag}`).not.toThrow();
    }
    const broken = { ...pipeline, onExit: { ...pipeline.onExit!, results: [{ flag: "--ranking" as const, from: { step: "persist" as const, output: "rankings" } }] } };
    expect(() => resultFile(broken, broken.onExit.results[0]!)).toThrow("the exit step reads persist.rankings, which no step writes");
  });

  it("a setting passes --FLAG VALUE, a switch passes --FLAG, and empty or false passes nothing", () => {
    expect(settingWords(SETTINGS.db, "mysql://u@h/db")).toEqual(["--db", "mysql://u@h/db"]);
    expect(settingWords(SETTINGS.runId, "")).toEqual([]);
    expect(settingWords(SETTINGS.json, true)).toEqual(["--json"]);
    expect(settingWords(SETTINGS.noWideTable, false)).toEqual([]);
    expect(() => settingWords(SETTINGS.json, "yes")).toThrow("setting json: a switch takes true or false");
    expect(() => settingWords(SETTINGS.db, true)).toThrow("setting db: takes text");
  });

  it("fills unset settings with their defaults and refuses names it does not define", () => {
    expect(settingValues(pipeline, { json: true }, "here")).toEqual({
      db: "sqlite:stock-rsi.db", "run-id": "", json: true, "yahoo-url": "", "no-wide-table": false, notify: [], "notify-deadline-seconds": "30",
    });
    expect(() => settingValues(pipeline, { "yahoo-ulr": "x" }, "deployment config")).toThrow(
      'deployment config: "yahoo-ulr" is not a pipeline setting; known: db, run-id, json, yahoo-url, no-wide-table, notify, notify-deadline-seconds',
    );
  });

  it("refuses a cycle", () => {
    const cyclic: PipelineDefinition = {
      ...pipeline,
      steps: pipeline.steps.map((s) =>
        s.name === "fetch" ? { ...s, inputs: [...s.inputs, { name: "validated", flag: "--validated", from: { step: "validate", output: "validated" } }] } : s,
      ),
    };
    expect(() => executionOrder(cyclic)).toThrow("pipeline stock-rsi: cycle through step");
  });
});

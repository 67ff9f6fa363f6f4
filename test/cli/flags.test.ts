/**
 * One definition for every flag: each step's command, `stock-rsi run` and the WorkflowTemplate in
 * dist/ take their flags from `steps/pipeline.ts`, so they accept the same set.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { loadAllCommands, runCli } from "../../cli/program.ts";
import { backfillPipeline, pipeline } from "../../steps/pipeline.ts";
import { captureIo, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { loadManifests } from "../synth/support/manifests.ts";

const commands = new Map<string, Command>(
  (await loadAllCommands()).map((factory) => {
    const command = factory(captureIo(), async () => 0);
    return [command.name(), command];
  }),
);
const flagsOf = (name: string): Set<string> => new Set(commands.get(name)!.options.map((o) => o.long!));

/** For each WorkflowTemplate in dist/, each container template's subcommand and the flags it is started with. */
function templateFlags(): Map<string, Map<string, { command: string; flags: string[] }>> {
  const templates = loadManifests()
    .filter((m) => m.object.kind === "WorkflowTemplate")
    .map((m) => m.object as unknown as { metadata: { name: string }; spec: { templates: { name: string; container?: { args: string[] } }[] } });
  return new Map(
    templates.map((wt) => [
      wt.metadata.name,
      new Map(wt.spec.templates.filter((t) => t.container).map((t) => [t.name, { command: t.container!.args[0]!, flags: t.container!.args.filter((w) => w.startsWith("--")) }])),
    ]),
  );
}

describe("the flags of the steps, run and the WorkflowTemplates", () => {
  it("each step's command (and the exit step's) is named as its step and accepts every flag its Argo template passes, in both templates", () => {
    const fromTemplates = templateFlags();
    expect([...fromTemplates.keys()].sort()).toEqual([backfillPipeline.name, pipeline.name].sort());
    for (const definition of [pipeline, backfillPipeline]) {
      const steps = fromTemplates.get(definition.name)!;
      expect([...steps.keys()].sort()).toEqual([...definition.steps.map((s) => s.name), definition.onExit!.name].sort());
      for (const [step, { command, flags }] of steps) {
        expect(command, `${definition.name}: ${step}`).toBe(step);
        expect(commands.has(command), `a command named ${command}`).toBe(true);
        for (const flag of flags) expect(flagsOf(command), `${definition.name}: ${command} ${flag}`).toContain(flag);
      }
    }
  });

  it("run takes exactly the steps' run parameters and settings, plus what only a local run has", () => {
    const stepFlags = new Set<string>();
    for (const step of pipeline.steps) {
      const own = new Set<string>([...step.inputs, ...step.outputs, ...step.outputParameters].map((f) => f.flag));
      for (const flag of flagsOf(step.name)) if (!own.has(flag)) stepFlags.add(flag);
    }
    // And the settings of the step the run ends with (--notify, its bound).
    for (const name of pipeline.onExit!.settings) stepFlags.add(pipeline.settings.find((s) => s.name === name)!.flag);
    // What only fetch has on its command line, not in the daily DAG: its choice of Yahoo price,
    // and the first day of a backfill's range.
    stepFlags.delete("--price-field");
    stepFlags.delete("--first-day");
    const run = flagsOf("run");
    run.delete("--artifacts-dir");
    run.delete("--report");
    expect([...run].sort()).toEqual([...stepFlags].sort());
  });

  it("a parameter's flag has the same help text on every command that takes it", () => {
    for (const parameter of pipeline.parameters) {
      const texts = new Set<string>();
      for (const command of commands.values()) {
        // report's and ranking's --as-of pick a stored day to draw or print; it is not the run parameter.
        if ((command.name() === "report" || command.name() === "ranking") && parameter.name === "as-of") continue;
        if (command.name() === pipeline.onExit!.name) {
          const option = command.options.find((o) => o.long === parameter.flag);
          if (option) expect(option.description, `notify ${parameter.flag}`).toBe(`the run's ${parameter.flag}, named in the message`);
          continue;
        }
        const option = command.options.find((o) => o.long === parameter.flag);
        if (option) texts.add(option.description);
      }
      expect([...texts], parameter.name).toEqual([parameter.description]);
    }
  });
});

describe("what --help says of a flag is what the command does", () => {
  it("an option's help states its default once", () => {
    const twice: string[] = [];
    for (const command of commands.values()) {
      const help = command.createHelp();
      for (const option of command.options) {
        const text = help.optionDescription(option);
        if ((text.match(/\bdefault\b/gi) ?? []).length > 1) twice.push(`${command.name()} ${option.long}: ${text}`);
      }
    }
    expect(twice).toEqual([]);
  });

  /** The least each command that refuses `--db none` needs before it gets to refuse it. */
  const refusingArgv: Readonly<Record<string, readonly string[]>> = {
    history: ["AAPL"],
    report: ["--out", "report.html"],
    migrate: [],
    ranking: [],
    status: [],
    backfill: [USER_SYMBOLS, "--from", "2021-05-10", "--to", "2021-05-11"],
    "import-legacy": ["--dump", "prod-db.sql"],
  };

  it("--db none is offered only by the commands that take it, those with --no-store; every other refuses it in one line", async () => {
    const withDb = [...commands.values()].filter((c) => c.options.some((o) => o.long === "--db"));
    expect(withDb.length).toBeGreaterThan(0);
    for (const command of withDb) {
      const help = command.createHelp();
      const db = help.optionDescription(command.options.find((o) => o.long === "--db")!);
      const options = command.options.map((o) => help.optionDescription(o)).join("\n");
      const takesNone = command.options.some((o) => o.long === "--no-store");
      expect(/\bnone\b/.test(db) || options.includes("--db none"), `${command.name()} --help:\n${options}`).toBe(takesNone);
      if (takesNone) continue;
      const argv = refusingArgv[command.name()];
      expect(argv, `the least argv of ${command.name()}, to add above`).toBeDefined();
      const io = captureIo();
      expect(await runCli([command.name(), ...argv!, "--db", "none"], io)).toBe(2);
      expect(io.stderr()).toMatch(new RegExp(`^stock-rsi: ${command.name()}: --db none .*; give the (database|one)`));
    }
  });

  it("--db none is taken by run and persist: the day is ranked and nothing is stored", async () => {
    const dir = tempDir();
    try {
      const run = captureIo();
      const args = ["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--artifacts-dir", dir.path, "--db", "none"];
      expect(await runCli(args, run), run.stderr()).toBe(0);
      expect(run.stdout()).toMatch(/^[A-Z.-]+ \d+\.\d\d\n/);
      const persist = captureIo();
      expect(await runCli(["persist", "--in", join(dir.path, "validated.json"), "--db", "none"], persist), persist.stderr()).toBe(0);
      expect(persist.stderr()).toContain("not storing");
    } finally {
      dir.cleanup();
    }
  });
});

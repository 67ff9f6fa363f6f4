/**
 * One definition for every flag: each step's command, `stock-rsi run` and the WorkflowTemplate in
 * dist/ take their flags from `steps/pipeline.ts`, so they accept the same set.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { loadAllCommands } from "../../cli/program.ts";
import { backfillPipeline, pipeline } from "../../steps/pipeline.ts";
import { captureIo } from "../support/cli.ts";
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
        // report's --as-of picks a stored day to draw; it is not the run parameter. notify is told
        // the run's parameters to name them in its message, and says so.
        if (command.name() === "report" && parameter.name === "as-of") continue;
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

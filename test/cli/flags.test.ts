/**
 * One definition for every flag: each step's command, `stock-rsi run` and the WorkflowTemplate in
 * dist/ take their flags from `steps/pipeline.ts`, so they accept the same set.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { loadAllCommands } from "../../cli/program.ts";
import { pipeline } from "../../steps/pipeline.ts";
import { captureIo } from "../support/cli.ts";
import { loadManifests } from "../synth/support/manifests.ts";

const commands = new Map<string, Command>(
  (await loadAllCommands()).map((factory) => {
    const command = factory(captureIo(), async () => 0);
    return [command.name(), command];
  }),
);
const flagsOf = (name: string): Set<string> => new Set(commands.get(name)!.options.map((o) => o.long!));

/** The flags each step's container is started with, as dist/ says. */
function templateFlags(): Map<string, string[]> {
  const template = loadManifests().find((m) => m.object.kind === "WorkflowTemplate")!.object as unknown as {
    spec: { templates: { name: string; container?: { args: string[] } }[] };
  };
  return new Map(
    template.spec.templates.filter((t) => t.container).map((t) => [t.name, t.container!.args.filter((word) => word.startsWith("--"))]),
  );
}

describe("the flags of the steps, run and the WorkflowTemplate", () => {
  it("each step's command is named as its step and accepts every flag its Argo template passes", () => {
    const fromTemplates = templateFlags();
    expect([...fromTemplates.keys()].sort()).toEqual(pipeline.steps.map((s) => s.name).sort());
    for (const [step, flags] of fromTemplates) {
      expect(commands.has(step), `a command named ${step}`).toBe(true);
      for (const flag of flags) expect(flagsOf(step), `${step} ${flag}`).toContain(flag);
    }
  });

  it("run takes exactly the steps' run parameters and settings, plus what only a local run has", () => {
    const stepFlags = new Set<string>();
    for (const step of pipeline.steps) {
      const own = new Set<string>([...step.inputs, ...step.outputs, ...step.outputParameters].map((f) => f.flag));
      for (const flag of flagsOf(step.name)) if (!own.has(flag)) stepFlags.add(flag);
    }
    // What only one step has on the command line, not in the DAG: fetch's choice of Yahoo price.
    stepFlags.delete("--price-field");
    const run = flagsOf("run");
    run.delete("--artifacts-dir");
    run.delete("--report");
    expect([...run].sort()).toEqual([...stepFlags].sort());
  });

  it("a parameter's flag has the same help text on every command that takes it", () => {
    for (const parameter of pipeline.parameters) {
      const texts = new Set<string>();
      for (const command of commands.values()) {
        // report's --as-of picks a stored day to draw; it is not the run parameter.
        if (command.name() === "report" && parameter.name === "as-of") continue;
        const option = command.options.find((o) => o.long === parameter.flag);
        if (option) texts.add(option.description);
      }
      expect([...texts], parameter.name).toEqual([parameter.description]);
    }
  });
});

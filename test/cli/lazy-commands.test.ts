/**
 * `stock-rsi` lists its subcommands without loading them: what the list in cli/program.ts shows of
 * each must be what the subcommand itself says, and `--help` must read the same either way.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS, loadAllCommands, runCli } from "../../cli/program.ts";
import { runCommandLine } from "../../steps/command-line/program.ts";
import { captureIo } from "../support/cli.ts";

/** What commander's help shows of a command in a list: name|alias, [options], arguments. */
function term(command: Command): string {
  return command.createHelp().subcommandTerm(command);
}

describe("the lazily loaded subcommands", () => {
  it("are listed as they describe themselves", async () => {
    const loaded = await loadAllCommands();
    expect(loaded).toHaveLength(COMMANDS.length);
    // A failure here means a subcommand changed its name, description or arguments: say the same
    // in its entry in cli/program.ts.
    COMMANDS.forEach((listed, i) => {
      const command = loaded[i]!(captureIo(), async () => 0);
      expect(command.name()).toBe(listed.name);
      expect(command.aliases()).toEqual(listed.aliases ?? []);
      expect(command.description()).toBe(listed.description);
      expect(term(command)).toBe([listed.name, ...(listed.aliases ?? []).slice(0, 1)].join("|") + ` ${listed.usage}`);
    });
  });

  it("give the same --help, and the same refusals, as the loaded commands", async () => {
    const loaded = await loadAllCommands();
    for (const argv of [["--help"], ["help", "run"], ["validate", "--help"], ["valdate"], ["compute", "--in", "x"]]) {
      const lazy = captureIo();
      const eager = captureIo();
      const lazyCode = await runCli(argv, lazy);
      const eagerCode = await runCommandLine(argv, eager, loaded);
      expect([lazyCode, lazy.stdout(), lazy.stderr()], argv.join(" ")).toEqual([eagerCode, eager.stdout(), eager.stderr()]);
    }
  });
});

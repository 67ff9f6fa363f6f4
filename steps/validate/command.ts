/**
 * `stock-rsi validate`: the third step, the gate. Reads the rsi artifact, applies the rules in
 * `rules.ts`, and writes the validated artifact with the checks that ran. When the policy fails
 * it still writes the artifact (so the Argo UI shows why) but exits 1, and persist refuses it.
 */
import type { Command } from "commander";
import { ExitCode } from "../domain/errors.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import type { Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import type { ValidateOptions } from "./step.ts";

export function validateCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "validate"), [ExitCode.ok, ExitCode.policyFailed, ExitCode.badInput, ExitCode.internal]).action(
    async (options: ValidateOptions) => {
      const { runValidate } = await import("./step.ts");
      runValidate(options, io);
    },
  );
}

/**
 * `stock-rsi compute-rsi`: the second step. Reads the prices artifact, computes each symbol's RSI
 * and writes the rsi artifact (`step.ts`, loaded when the command runs).
 */
import type { Command } from "commander";
import { ExitCode } from "../domain/errors.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import type { Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import type { ComputeOptions } from "./step.ts";

export function computeCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "compute-rsi"), [ExitCode.ok, ExitCode.badInput, ExitCode.internal])
    .alias("compute")
    .action(async (options: ComputeOptions) => {
      const { runCompute } = await import("./step.ts");
      runCompute(options, io);
    });
}

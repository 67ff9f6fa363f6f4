/**
 * `stock-rsi compute-rsi`: the second step. Reads the prices artifact, computes each symbol's RSI
 * and writes the rsi artifact.
 */
import type { Command } from "commander";
import { pricesSchema } from "../domain/artifacts.ts";
import { readArtifact, writeArtifact } from "../files/artifact-files.ts";
import { ExitCode } from "../domain/errors.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import { computeRsiArtifact } from "./compute.ts";

export interface ComputeOptions {
  readonly in: string;
  readonly out: string;
  readonly method: RsiMethod;
  readonly period: number;
}

export function computeCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "compute-rsi"), [ExitCode.ok, ExitCode.badInput, ExitCode.internal])
    .alias("compute")
    .action((options: ComputeOptions) => {
      runCompute(options, io);
    });
}

export function runCompute(options: ComputeOptions, io: Io): void {
  const prices = readArtifact(options.in, pricesSchema, "stock-rsi fetch");
  const artifact = computeRsiArtifact(prices, options.method, options.period);
  writeArtifact(options.out, artifact);
  const undefinedCount = artifact.failures.length - prices.failures.length;
  logLine(
    io,
    "compute-rsi",
    `${artifact.results.length} RSI values (${options.method}, period ${options.period}), ${undefinedCount} undefined; wrote ${options.out}`,
  );
}

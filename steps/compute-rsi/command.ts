/**
 * `stock-rsi compute`: the second step. Reads the prices artifact, computes each symbol's RSI
 * and writes the rsi artifact.
 */
import { Command } from "commander";
import { pricesSchema } from "../domain/artifacts.ts";
import { readArtifact, writeArtifact } from "../files/artifact-files.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import { PARAMETERS } from "../pipeline.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { parameterOption } from "../command-line/flags.ts";
import { computeRsiArtifact } from "./compute.ts";

export interface ComputeOptions {
  readonly in: string;
  readonly out: string;
  readonly method: RsiMethod;
  readonly period: number;
}

export function computeCommand(io: Io): Command {
  return new Command("compute")
    .description("compute each symbol's RSI from the prices artifact and write the rsi artifact")
    .requiredOption("--in <file>", "the prices artifact written by `stock-rsi fetch`")
    .requiredOption("--out <file>", "where to write the rsi artifact (JSON)")
    .addOption(parameterOption(PARAMETERS.method))
    .addOption(parameterOption(PARAMETERS.period))
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

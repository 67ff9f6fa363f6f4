/**
 * `stock-rsi compute-rsi`: the second step. Reads the prices artifact, computes each symbol's RSI
 * and writes the rsi artifact.
 */
import type { Command } from "commander";
import { PRICES, SCHEMA_VERSION, type Failure } from "../domain/artifacts.ts";
import { ArtifactWriter, readArtifactStream } from "../files/artifact-files.ts";
import { ExitCode } from "../domain/errors.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import { seriesRsi } from "./compute.ts";

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

/**
 * Reads the prices one series at a time and writes each result as it is computed, so memory holds
 * one series, whatever the number of symbols. The rsi artifact is what `computeRsiArtifact` gives
 * for the whole prices artifact, byte for byte.
 */
export function runCompute(options: ComputeOptions, io: Io): void {
  let writer: ArtifactWriter | undefined;
  let results = 0;
  const undefinedRsi: Failure[] = [];
  try {
    const prices = readArtifactStream(options.in, PRICES, "stock-rsi fetch", {
      head: (head) => {
        writer = new ArtifactWriter(options.out)
          .member("schemaVersion", SCHEMA_VERSION)
          .member("kind", "rsi")
          .member("asOf", head.asOf)
          .member("source", head.source)
          .member("method", options.method)
          .member("period", options.period)
          .beginArray("results");
      },
      element: (series) => {
        const outcome = seriesRsi(series, options.method, options.period);
        if (outcome.ok) {
          writer!.element(outcome.result);
          results++;
        } else {
          undefinedRsi.push(outcome.failure);
        }
      },
    });
    writer!.endArray().member("failures", [...prices.failures, ...undefinedRsi]).close();
  } catch (err) {
    writer?.abort();
    throw err;
  }
  logLine(io, "compute-rsi", `${results} RSI values (${options.method}, period ${options.period}), ${undefinedRsi.length} undefined; wrote ${options.out}`);
}

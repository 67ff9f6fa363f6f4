/**
 * The compute-rsi step's work on files: the prices artifact in, the rsi artifact out, one series
 * at a time. Its command (`command.ts`) loads this only when it runs, so `--help` does not load
 * the artifact contract and its schemas.
 */
import { PRICES, SCHEMA_VERSION, type Failure } from "../domain/artifacts.ts";
import { ArtifactWriter, readArtifactStream } from "../files/artifact-files.ts";
import { guardOutputs } from "../files/output-files.ts";
import type { RsiMethod } from "../domain/rsi.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { seriesRsi } from "./compute.ts";

export interface ComputeOptions {
  readonly in: string;
  readonly out: string;
  readonly method: RsiMethod;
  readonly period: number;
}

/**
 * Reads the prices one series at a time and writes each result as it is computed, so memory holds
 * one series, whatever the number of symbols. The rsi artifact is what `computeRsiArtifact` gives
 * for the whole prices artifact, byte for byte.
 */
export function runCompute(options: ComputeOptions, io: Io): void {
  const outputs = guardOutputs({ reads: [{ path: options.in, role: "the artifact this step reads (--in)" }], outputs: [{ flag: "--out", path: options.out }] });
  let writer: ArtifactWriter | undefined;
  let results = 0;
  const undefinedRsi: Failure[] = [];
  try {
    const prices = readArtifactStream(options.in, PRICES, "stock-rsi fetch", {
      head: (head) => {
        writer = new ArtifactWriter(outputs.open(options.out))
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

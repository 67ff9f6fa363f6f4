/**
 * `stock-rsi validate`: the third step, the gate. Reads the rsi artifact, applies the rules in
 * `rules.ts`, and writes the validated artifact with the checks that ran. When the policy fails
 * it still writes the artifact (so the Argo UI shows why) but exits 1, and persist refuses it.
 */
import type { Command } from "commander";
import { rsiSchema, type ValidatedArtifact } from "../domain/artifacts.ts";
import { readArtifact, writeArtifact, writeFileAtomic } from "../files/artifact-files.ts";
import { ExitCode, PolicyFailedError } from "../domain/errors.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import { summarize, validateRsi } from "./rules.ts";

export interface ValidateOptions {
  readonly in: string;
  readonly out: string;
  readonly failuresOut?: string;
  readonly rankedCountOut?: string;
  readonly failedCountOut?: string;
  readonly maxFailedShare: number;
  readonly maxStaleDays: number;
}

export function validateCommand(io: Io): Command {
  return stepCommand(pipeline, stepNamed(pipeline, "validate"), [ExitCode.ok, ExitCode.policyFailed, ExitCode.badInput, ExitCode.internal]).action(
    (options: ValidateOptions) => {
      runValidate(options, io);
    },
  );
}

export function runValidate(options: ValidateOptions, io: Io): ValidatedArtifact {
  const rsi = readArtifact(options.in, rsiSchema, "stock-rsi compute-rsi");
  const validated = validateRsi(rsi, { maxFailedShare: options.maxFailedShare, maxStaleDays: options.maxStaleDays });
  writeArtifact(options.out, validated);
  if (options.failuresOut) writeFileAtomic(options.failuresOut, failureLines(validated));
  // Whole numbers for monitoring (Argo's metrics read them from the node's output parameters).
  if (options.rankedCountOut) writeFileAtomic(options.rankedCountOut, `${validated.passed ? validated.results.length : 0}\n`);
  if (options.failedCountOut) writeFileAtomic(options.failedCountOut, `${validated.failures.length}\n`);

  for (const failure of validated.failures) logLine(io, "validate", `no value for ${failure.symbol} (${failure.reason}): ${failure.message}`);
  for (const check of validated.checks) {
    if (check.outcome !== "pass") logLine(io, "validate", `${check.outcome}: ${check.rule}: ${check.message}`);
  }
  const summary = summarize(validated);
  if (!validated.passed) throw new PolicyFailedError(`validate: ${summary}`);
  logLine(io, "validate", summary);
  return validated;
}


function failureLines(v: ValidatedArtifact): string {
  return v.failures.map((f) => `${f.symbol} ${f.reason}: ${f.message}\n`).join("");
}

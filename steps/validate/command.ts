/**
 * `stock-rsi validate`: the third step, the gate. Reads the rsi artifact, applies the rules in
 * `rules.ts`, and writes the validated artifact with the checks that ran. When the policy fails
 * it still writes the artifact (so the Argo UI shows why) but exits 1, and persist refuses it.
 */
import type { Command } from "commander";
import { RSI, type Failure } from "../domain/artifacts.ts";
import { ArtifactWriter, readArtifactStream, writeFileAtomic } from "../files/artifact-files.ts";
import { ExitCode, PolicyFailedError } from "../domain/errors.ts";
import { pipeline, stepNamed } from "../pipeline.ts";
import { logLine, type Io } from "../command-line/io.ts";
import { stepCommand } from "../command-line/flags.ts";
import { ValidationGate, type Verdict } from "./rules.ts";

export interface ValidateOptions {
  readonly in: string;
  readonly out: string;
  readonly failuresOut?: string;
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

/** What validate decided: the verdict, and how many results it admitted into the validated artifact. */
export interface ValidateOutcome extends Verdict {
  readonly admitted: number;
}

/**
 * Reads the rsi artifact one result at a time and writes each admitted result as it goes; the
 * validated artifact is what `validateRsi` gives for the whole rsi artifact, byte for byte: its
 * members in the rsi artifact's order, `results` and `failures` replaced, then `tradeDate`,
 * `passed` and `checks`.
 */
export function runValidate(options: ValidateOptions, io: Io): ValidateOutcome {
  let writer: ArtifactWriter | undefined;
  let gate: ValidationGate | undefined;
  let admitted = 0;
  let verdict: Verdict;
  try {
    const rsi = readArtifactStream(options.in, RSI, "stock-rsi compute-rsi", {
      head: (head) => {
        gate = new ValidationGate(head.asOf as string, { maxFailedShare: options.maxFailedShare, maxStaleDays: options.maxStaleDays });
        writer = new ArtifactWriter(options.out);
        for (const [key, value] of Object.entries(head)) writer.member(key, key === "kind" ? "validated" : value);
        writer.beginArray("results");
      },
      element: (result) => {
        if (!gate!.admit(result)) return;
        writer!.element(result);
        admitted++;
      },
    });
    verdict = gate!.verdict(rsi.failures);
    writer!.endArray();
    const replaced: Record<string, unknown> = { failures: verdict.failures, tradeDate: verdict.tradeDate, passed: verdict.passed, checks: verdict.checks };
    const keys = Object.keys(rsi);
    for (const key of keys.slice(keys.indexOf("results") + 1)) writer!.member(key, key in replaced ? replaced[key] : (rsi as Record<string, unknown>)[key]);
    for (const key of Object.keys(replaced)) if (!keys.includes(key)) writer!.member(key, replaced[key]);
    writer!.close();
  } catch (err) {
    writer?.abort();
    throw err;
  }
  if (options.failuresOut) writeFileAtomic(options.failuresOut, failureLines(verdict.failures));

  for (const failure of verdict.failures) logLine(io, "validate", `no value for ${failure.symbol} (${failure.reason}): ${failure.message}`);
  for (const check of verdict.checks) {
    if (check.outcome !== "pass") logLine(io, "validate", `${check.outcome}: ${check.rule}: ${check.message}`);
  }
  const outcome = { ...verdict, admitted };
  const summary = summarize(outcome);
  if (!verdict.passed) throw new PolicyFailedError(`validate: ${summary}`);
  logLine(io, "validate", summary);
  return outcome;
}

/** validate's one-line summary, for a run it just decided or a validated artifact read back. */
export function summarize(v: Pick<Verdict, "passed" | "checks" | "tradeDate"> & ({ readonly admitted: number } | { readonly results: readonly unknown[] })): string {
  const share = v.checks.find((c) => c.rule === "failed-share");
  if (!v.passed) {
    const failed = v.checks.filter((c) => c.outcome === "fail").map((c) => `${c.rule}: ${c.message}`);
    return `FAILED, nothing will be stored: ${failed.join("; ")}`;
  }
  const admitted = "admitted" in v ? v.admitted : v.results.length;
  return `passed: ${admitted} symbols ranked for ${v.tradeDate ?? "no trading day"}; ${share?.message ?? ""}`;
}

function failureLines(failures: readonly Failure[]): string {
  return failures.map((f) => `${f.symbol} ${f.reason}: ${f.message}\n`).join("");
}

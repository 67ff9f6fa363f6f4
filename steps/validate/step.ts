/**
 * The validate step's work on files: the rsi artifact in, the validated artifact (and the failed
 * symbols' lines) out, one result at a time. Its command (`command.ts`) loads this only when it
 * runs, so `--help` does not load the artifact contract and its schemas.
 */
import type { Failure } from "../domain/artifacts.ts";
import { RSI } from "../domain/artifacts.ts";
import { ArtifactWriter, readArtifactStream } from "../files/artifact-files.ts";
import { guardOutputs } from "../files/output-files.ts";
import { PolicyFailedError } from "../domain/errors.ts";
import { logLine, printable, type Io } from "../command-line/io.ts";
import { summarize, ValidationGate, type Verdict } from "./rules.ts";

export interface ValidateOptions {
  readonly in: string;
  readonly out: string;
  readonly failuresOut?: string;
  readonly rankedCountOut?: string;
  readonly failedCountOut?: string;
  readonly tradeDateOut?: string;
  readonly maxFailedShare: number;
  readonly maxStaleDays: number;
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
  const outputs = guardOutputs({
    reads: [{ path: options.in, role: "the artifact this step reads (--in)" }],
    outputs: [
      { flag: "--out", path: options.out },
      { flag: "--failures-out", path: options.failuresOut },
      { flag: "--ranked-count-out", path: options.rankedCountOut },
      { flag: "--failed-count-out", path: options.failedCountOut },
      { flag: "--trade-date-out", path: options.tradeDateOut },
    ],
  });
  let writer: ArtifactWriter | undefined;
  let gate: ValidationGate | undefined;
  let admitted = 0;
  let verdict: Verdict;
  try {
    const rsi = readArtifactStream(options.in, RSI, "stock-rsi compute-rsi", {
      head: (head) => {
        gate = new ValidationGate(head.asOf as string, { maxFailedShare: options.maxFailedShare, maxStaleDays: options.maxStaleDays });
        writer = new ArtifactWriter(outputs.open(options.out));
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
  if (options.failuresOut) outputs.write(options.failuresOut, failureLines(verdict.failures));
  // Whole numbers for monitoring (Argo's metrics read them from the node's output parameters).
  if (options.rankedCountOut) outputs.write(options.rankedCountOut, `${verdict.passed ? admitted : 0}\n`);
  if (options.failedCountOut) outputs.write(options.failedCountOut, `${verdict.failures.length}\n`);
  // What the run's notification names the day by (notify reads it, on Argo as a global output).
  if (options.tradeDateOut) outputs.write(options.tradeDateOut, verdict.tradeDate === null ? "" : `${verdict.tradeDate}\n`);

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

/**
 * `SYMBOL reason: message`, one line each (notify reads them so): the symbol is a ticker (the
 * contract's), the message, which a source or an edited file may have given a line break or an
 * escape sequence, is made printable.
 */
function failureLines(failures: readonly Failure[]): string {
  return failures.map((f) => `${f.symbol} ${f.reason}: ${printable(f.message)}\n`).join("");
}

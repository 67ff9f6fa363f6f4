/**
 * The edges a command touches besides files: its two output streams, the clock and the
 * environment. Commands receive an `Io` instead of reaching for `process`, so the local runner
 * can run steps in-process and tests can read what a command printed.
 */
import { existsSync } from "node:fs";
import { writePlatformFile } from "../files/output-files.ts";
import { printable } from "../domain/printable.ts";

export interface Io {
  /** stdout: the ranking or `--json` result, nothing else. */
  out(text: string): void;
  /** stderr: progress, warnings, failed symbols, the one-line summaries. */
  err(text: string): void;
  /** Whether stderr is a terminal (a progress bar) or a log (a pod: plain lines). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  /** Records why the command failed, in one line, where the platform shows it (see below). */
  reportFailure?(line: string): void;
}

/**
 * In a Kubernetes pod the kubelet mounts this file and shows what a container wrote there as its
 * termination message; Argo shows it as the step's message in the UI. Elsewhere it does not
 * exist, and nothing is written.
 */
const TERMINATION_LOG = "/dev/termination-log";

let stdoutGuarded = false;

/**
 * `stock-rsi ... | head` closes stdout early; the next write fails with EPIPE. That is the
 * reader's choice, not an error: stop quietly with the status the command already had.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export const processIo: Io = {
  out: (text) => {
    guardStdout();
    process.stdout.write(text);
  },
  err: (text) => void process.stderr.write(text),
  get stderrIsTTY() {
    return Boolean(process.stderr.isTTY);
  },
  env: process.env,
  now: () => new Date(),
  reportFailure(line) {
    // The message is a courtesy; the exit status and the log already say what happened.
    if (existsSync(TERMINATION_LOG)) writePlatformFile(TERMINATION_LOG, line);
  },
};

/** Prints one line on stderr, prefixed with the step's name like a log line. */
export function logLine(io: Io, step: string, message: string): void {
  io.err(`${step}: ${printable(message)}\n`);
}

export { printable } from "../domain/printable.ts";

/**
 * The edges a command touches besides files: its two output streams, the clock and the
 * environment. Commands receive an `Io` instead of reaching for `process`, so the local runner
 * can run steps in-process and tests can read what a command printed.
 */
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
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

/**
 * The status a shell reports for a process that SIGPIPE ended (128 + 13), as it does for
 * `seq 1000000 | head -1` under `set -o pipefail`; without it the pipeline's status is the reader's.
 */
export const CLOSED_OUTPUT_STATUS = 128 + osConstants.signals.SIGPIPE;

/**
 * `stock-rsi ... | head` closes the reader early, and the next write to it fails with EPIPE (Node
 * ignores SIGPIPE, which would have ended a C program there). That is the reader's choice, not an
 * error: end at once, quietly, with the status of a process SIGPIPE ended. Both streams, for
 * `2>&1 | head`. The process may end at any await, but a day is stored whole or not at all:
 * better-sqlite3 runs a transaction to its end synchronously, a MySQL transaction left unfinished
 * is rolled back by the server when the connection closes (steps/store/mysql/store.ts), and
 * output files are written synchronously, a temporary file then a rename. `run` removes its
 * temporary directory on exit. Installed once, by each process's entry point.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(CLOSED_OUTPUT_STATUS);
      throw err;
    });
  }
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
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

/**
 * The edges a command touches besides files: its two output streams, the clock and the
 * environment. Commands receive an `Io` instead of reaching for `process`, so the local runner
 * can run steps in-process and tests can read what a command printed.
 */
export interface Io {
  /** stdout: the ranking or `--json` result, nothing else. */
  out(text: string): void;
  /** stderr: progress, warnings, failed symbols, the one-line summaries. */
  err(text: string): void;
  /** Whether stderr is a terminal (a progress bar) or a log (a pod: plain lines). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get stderrIsTTY() {
    return Boolean(process.stderr.isTTY);
  },
  env: process.env,
  now: () => new Date(),
};

/** Prints one line on stderr, prefixed with the step's name like a log line. */
export function logLine(io: Io, step: string, message: string): void {
  io.err(`${step}: ${message}\n`);
}

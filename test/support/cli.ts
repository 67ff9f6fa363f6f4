/**
 * Runs `stock-rsi` the way a user does: `bin/stock-rsi.mjs` in a child process, real files,
 * real exit status.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Io } from "../../steps/command-line/io.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(REPO_ROOT, "bin/stock-rsi.mjs");
/** The user's real list of 180 symbols, as committed at the repository root. */
export const USER_SYMBOLS = join(REPO_ROOT, "symbols");

export interface CliResult {
  /** The exit status; -1 when a signal ended the process. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the process was killed for running past `timeoutMs`. */
  readonly timedOut?: boolean;
  /** How long it ran, in milliseconds. */
  readonly elapsedMs?: number;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /**
   * Kill the process (SIGKILL) when it runs longer than this; the result then says `timedOut`.
   * For inputs that once made a command spin forever.
   */
  timeoutMs?: number;
  /** Called with the child once it is started, e.g. to signal it. */
  onStart?: (child: ChildProcess) => void;
  /** Run as this user and group (needs root), e.g. a reader without write access. */
  uid?: number;
  gid?: number;
  /**
   * A file descriptor to give the child as its stdin, stdout or stderr instead of nothing or a pipe,
   * as a shell's `< file` or `>> log` does (`openSync(log, "a")`); what goes to stdout or stderr is
   * then not in the result.
   */
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

/** Runs any program to its end, collecting what it printed. */
export function exec(command: string, args: readonly string[], options: ExecOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: [options.stdin ?? "ignore", options.stdout ?? "pipe", options.stderr ?? "pipe"],
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr, timedOut, elapsedMs: Date.now() - started });
    });
    options.onStart?.(child);
  });
}

/** `stock-rsi ARGS` as a user runs it, outside Argo (no progress file). */
export function stockRsi(args: readonly string[], options: ExecOptions = {}): Promise<CliResult> {
  return exec(process.execPath, [BIN, ...args], { ...options, env: { ...process.env, ARGO_PROGRESS_FILE: undefined, ...options.env } });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "stock-rsi-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** An `Io` that records what a command printed, for in-process runs. */
export function captureIo(options: { now?: Date; env?: Record<string, string | undefined>; tty?: boolean } = {}): Io & {
  stdout: () => string;
  stderr: () => string;
} {
  let out = "";
  let err = "";
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stderrIsTTY: options.tty ?? false,
    env: options.env ?? {},
    now: () => options.now ?? new Date("2021-05-17T22:00:00Z"),
    stdout: () => out,
    stderr: () => err,
  };
}

/**
 * A reader that stops early: `stock-rsi history | head -1`, `stock-rsi run ... 2>&1 | head -1`.
 * The next write fails with EPIPE; the command ends there, quietly (no stack trace, no "write
 * EPIPE"), with the status a shell reports for a process SIGPIPE ended, 141 — and a day it was
 * storing is stored whole or not at all, and `run` leaves no temporary directory behind.
 *
 * The pipes are real: the built bin in a child process whose stdout (or stdout and stderr) is a
 * pipe the test closes, after the first chunk or before the command has written anything.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, exec, REPO_ROOT, stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";

const SIGPIPE_STATUS = 141;
const dir = tempDir("stock-rsi-closed-output-");
const history = join(dir.path, "history.db");
let symbols: string[];

beforeAll(async () => {
  const imported = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", `sqlite:${history}`]);
  expect(imported.code, imported.stderr).toBe(0);
  symbols = querySqlite<{ symbol: string }>(history, "SELECT DISTINCT symbol FROM rsi_values ORDER BY symbol").map((r) => r.symbol);
});
afterAll(() => dir.cleanup());

interface Stopped {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** What the reader took before it closed. */
  readonly firstChunk: string;
  /** stderr, when the test kept reading it. */
  readonly stderr: string;
}

/**
 * `stock-rsi ARGS` with a stdout that closes after its first chunk (`"first-chunk"`) or before
 * anything is written (`"at-once"`); with `alsoStderr`, stderr closes at once too (`2>&1 | head`).
 */
function withReaderThatStops(args: readonly string[], when: "first-chunk" | "at-once", options: { alsoStderr?: boolean; env?: Record<string, string> } = {}): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir.path, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ARGO_PROGRESS_FILE: undefined, ...options.env } });
    let firstChunk = "";
    let stderr = "";
    if (when === "at-once") child.stdout.destroy();
    else child.stdout.once("data", (chunk: Buffer) => ((firstChunk = chunk.toString()), child.stdout.destroy()));
    if (options.alsoStderr) child.stderr.destroy();
    else child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, firstChunk, stderr }));
  });
}

function expectQuiet(stopped: Stopped): void {
  expect(stopped.stderr).not.toMatch(/EPIPE|^\s+at |Error/m);
  expect({ code: stopped.code, signal: stopped.signal }, stopped.stderr).toEqual({ code: SIGPIPE_STATUS, signal: null });
}

describe.concurrent("a reader that stops early", () => {
  it("history of 23,296 values | a reader of one chunk: ends quietly, status 141", async () => {
    const stopped = await withReaderThatStops(["history", "--db", `sqlite:${history}`, ...symbols], "first-chunk");
    expect(stopped.firstChunk).toMatch(/^AAGIY \d{4}-\d\d-\d\d \d+\.\d\d\n/);
    expectQuiet(stopped);
    // Only what history says anyway, before it learns the reader has gone.
    for (const line of stopped.stderr.split("\n").filter(Boolean)) expect(line).toMatch(/^history: /);
  });

  it("the same through a shell: `history ... | head -1` prints one line, and the shell sees 141", async () => {
    const script = `"${process.execPath}" "${BIN}" history --db "sqlite:${history}" ${symbols.join(" ")} 2>"${join(dir.path, "sh-stderr")}" | head -1; exit \${PIPESTATUS[0]}`;
    const result = await exec("bash", ["-c", script], { cwd: dir.path });
    expect(result.stdout).toMatch(/^AAGIY \d{4}-\d\d-\d\d \d+\.\d\d\n$/);
    expect(result.code).toBe(SIGPIPE_STATUS);
    const stderr = (await exec("cat", [join(dir.path, "sh-stderr")])).stdout;
    expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
  });

  it.each([
    ["--help", ["--help"]],
    ["report --out -", ["report", "--db", `sqlite:${history}`, "--out", "-"]],
    ["ranking", ["ranking", "--db", `sqlite:${history}`]],
  ])("%s into a reader already gone: ends quietly, status 141", async (_name, args) => {
    const stopped = await withReaderThatStops(args, "at-once");
    expectQuiet(stopped);
  });
});

describe("a run whose reader stops early stores a day whole or not at all", () => {
  const AS_OF = "2024-03-28";

  it("run | a reader already gone: the ranking comes after the commit, so the day is stored whole; no temporary directory is left", async () => {
    const db = join(dir.path, "run-stdout.db");
    const tmp = tempDir("stock-rsi-closed-tmp-");
    try {
      const stopped = await withReaderThatStops(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--db", `sqlite:${db}`], "at-once", { env: { TMPDIR: tmp.path } });
      expectQuiet(stopped);
      expect(stopped.stderr).toMatch(/^persist: stored 180 values for 2024-03-28 /m);
      expect(querySqlite<{ n: number }>(db, "SELECT COUNT(*) AS n FROM rsi_values WHERE trade_date = ?", AS_OF)[0]!.n).toBe(180);
      expect(readdirSync(tmp.path)).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it("run 2>&1 | a reader already gone: it ends, the day stored whole or not at all, and leaves no temporary directory", async () => {
    const db = join(dir.path, "run-both.db");
    const tmp = tempDir("stock-rsi-closed-tmp-");
    try {
      const stopped = await withReaderThatStops(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--db", `sqlite:${db}`], "at-once", { alsoStderr: true, env: { TMPDIR: tmp.path } });
      expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: SIGPIPE_STATUS, signal: null });
      const stored = existsSync(db) ? querySqlite<{ n: number }>(db, "SELECT COUNT(*) AS n FROM rsi_values")[0]!.n : 0;
      expect([0, 180]).toContain(stored);
      expect(readdirSync(tmp.path)).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it("backfill 2>&1 | a reader already gone: every day in the store is whole", async () => {
    const db = join(dir.path, "backfill.db");
    const stopped = await withReaderThatStops(["backfill", USER_SYMBOLS, "--source", "sample", "--from", "2024-03-01", "--to", AS_OF, "--db", `sqlite:${db}`], "at-once", { alsoStderr: true });
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: SIGPIPE_STATUS, signal: null });
    const perDay = querySqlite<{ n: number }>(db, "SELECT COUNT(*) AS n FROM rsi_values GROUP BY trade_date");
    for (const { n } of perDay) expect(n).toBe(180);
  });
});

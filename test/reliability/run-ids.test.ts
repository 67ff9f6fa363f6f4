/**
 * A run id is printed wherever a run is shown (`status`, `ranking`, the report, the
 * notification), so it must be text a terminal shows rather than acts on (issue 17, second
 * round): `--run-id $'\e[31m…'` was stored, and `status` printed it raw. And its length was
 * checked only by persist, after fetch had run.
 *
 * Written: every command that takes `--run-id` (walked) refuses a control character, an escape
 * sequence or a mark that reorders text, an empty id and one longer than the store keeps (less
 * backfill's `:YYYY-MM-DD`), at the flag: exit 2, one line, nothing stored.
 * Read: a run id (or source) another writer stored with an escape sequence in it is printed
 * escaped by `status` (text and JSON), `ranking` and the report, never raw.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAllCommands } from "../../cli/program.ts";
import { MAX_RUN_ID_LENGTH } from "../../steps/domain/values.ts";
import { captureIo, stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { expectPrintable } from "./support.ts";

const dir = tempDir("stock-rsi-run-ids-");
afterAll(() => dir.cleanup());
const at = (name: string) => join(dir.path, name);
const symbols = at("symbols");
const artifacts = at("artifacts");

beforeAll(async () => {
  writeFileSync(symbols, "AAPL\nMSFT\n");
  const run = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--artifacts-dir", artifacts]);
  expect(run.code, run.stderr).toBe(0);
});

/** A command line of each command that takes `--run-id`, storing into `db` where it stores. */
const COMMANDS: Readonly<Record<string, (db: string) => string[]>> = {
  run: (db) => ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`],
  persist: (db) => ["persist", "--in", join(artifacts, "validated.json"), "--db", `sqlite:${db}`],
  backfill: (db) => ["backfill", symbols, "--from", "2021-05-10", "--to", "2021-05-14", "--source", "sample", "--db", `sqlite:${db}`],
  notify: () => ["notify", "--status", "Succeeded"],
};

const ESC = "\u001b";
/** Run ids no command may take: control characters (C0, DEL, C1), marks that reorder text, none at all, one too long. */
const REFUSED: readonly [string, string][] = [
  ["an escape sequence", `nightly${ESC}[31mred`],
  ["a newline", "nightly\nstock-rsi: all good"],
  ["a carriage return", "nightly\rgood"],
  ["a tab", "a\tb"],
  ["DEL", "a\u007fb"],
  ["a C1 control (CSI)", "a\u009b2Jb"],
  ["a right-to-left override", "a\u202eb"],
  ["nothing", ""],
  ["a lone blank", " "],
  ["a trailing blank", "nightly "],
  ["one character too many", "r".repeat(MAX_RUN_ID_LENGTH + 1)],
];

function expectRunIdRefused(result: CliResult, what: string): void {
  expect(result.code, `${what}\n${result.stderr}`).toBe(2);
  expect(result.stdout, what).toBe("");
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toMatch(/^error: option '--run-id <id>' argument '.*' is invalid\. expected a run id of /);
  expectPrintable(result.stderr);
}

describe("the commands that take --run-id", () => {
  it("are the ones walked here", async () => {
    const commands: Command[] = (await loadAllCommands()).map((factory) => factory(captureIo(), async () => 0));
    const taking = commands.filter((c) => c.options.some((o) => o.long === "--run-id")).map((c) => c.name());
    expect(taking.sort()).toEqual(Object.keys(COMMANDS).sort());
  });
});

describe.concurrent.each(Object.entries(COMMANDS))("%s --run-id", (name, args) => {
  it.each(REFUSED)("%s: refused at the flag, exit 2, one line, nothing stored", async (what, runId) => {
    const db = at(`${name}-${REFUSED.findIndex(([w]) => w === what)}.db`);
    expectRunIdRefused(await stockRsi([...args(db), "--run-id", runId]), `${name} ${what}`);
    expect(existsSync(db), "a store was created").toBe(false);
  });

  it(`the longest it takes, ${MAX_RUN_ID_LENGTH} characters, is stored`, async () => {
    if (name === "notify") return;
    const db = at(`${name}-longest.db`);
    const result = await stockRsi([...args(db), "--run-id", "r".repeat(MAX_RUN_ID_LENGTH)]);
    expect(result.code, result.stderr).toBe(0);
    const stored = new Database(db, { readonly: true });
    try {
      const ids = stored.prepare("SELECT DISTINCT run_id AS id FROM rsi_values").all() as { id: string }[];
      for (const { id } of ids) expect(id).toMatch(new RegExp(`^r{${MAX_RUN_ID_LENGTH}}(:\\d{4}-\\d{2}-\\d{2})?$`));
    } finally {
      stored.close();
    }
  });
});

describe("a run id another writer stored with control characters in it", () => {
  const db = at("other-writer.db");
  const evilId = `evil${ESC}[31m\u009b2J${ESC}]0;title\u0007`;
  const evilSource = `src${ESC}[2K\r`;

  beforeAll(async () => {
    const run = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`]);
    expect(run.code, run.stderr).toBe(0);
    const store = new Database(db);
    try {
      store.prepare("UPDATE rsi_runs SET run_id = ?, source = ?").run(evilId, evilSource);
      store.prepare("UPDATE rsi_values SET run_id = ?").run(evilId);
    } finally {
      store.close();
    }
  });

  it.each([
    ["status", []],
    ["status", ["--json"]],
    ["ranking", []],
    ["ranking", ["--json"]],
    ["report", ["--out", "-"]],
  ])("%s %s prints it escaped, never a raw control character", async (command, extra) => {
    const result = await stockRsi([command, "--db", `sqlite:${db}`, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expectPrintable(result.stdout.replace(/\n/g, ""));
    expectPrintable(result.stderr);
  });

  it("status shows which run it was, escaped", async () => {
    const result = await stockRsi(["status", "--db", `sqlite:${db}`]);
    expect(result.stdout).toContain("last run  evil\\x1b[31m\\x9b2J\\x1b]0;title\\x07, written ");
    expect(result.stdout).toContain("source: src\\x1b[2K\\r\n");
  });
});

/**
 * No output of any command replaces a SQLite database (issue 17, item 1, second round): the guard
 * (`steps/files/output-files.ts`) knew only the command's own store, so a command without `--db`
 * wrote over any store: `fetch --out stock-rsi.db` replaced the default store with a prices
 * artifact, exit 0, and `report --out other.db` replaced a second store. Now a database is known
 * by its content (`SQLite format 3\0`), whatever its name and whoever made it, through symbolic
 * links, and so are the files SQLite keeps beside one.
 *
 * The table of outputs is checked against a walk of every command's options, so an output flag
 * added later is in it the day it is added. The database aimed at is the user's history
 * (`test/fixtures/legacy/prod-db.sql`, imported by the CLI), never the command's own `--db`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAllCommands } from "../../cli/program.ts";
import { captureIo, REPO_ROOT, stockRsi, tempDir } from "../support/cli.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-output-databases-");
afterAll(() => dir.cleanup());
const at = (name: string) => join(dir.path, name);
const symbols = at("symbols");
const history = at("history.db");
const artifacts = at("artifacts");
const artifact = (name: string) => join(artifacts, name);
let historyBytes: Buffer;

beforeAll(async () => {
  writeFileSync(symbols, "AAPL\nMSFT\n");
  const imported = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", `sqlite:${history}`]);
  expect(imported.code, imported.stderr).toBe(0);
  historyBytes = readFileSync(history);
  const run = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${at("own.db")}`, "--artifacts-dir", artifacts]);
  expect(run.code, run.stderr).toBe(0);
});

/**
 * Each output flag of each command, with the rest of a command line that reaches its guard: the
 * files it reads exist, and a command with a `--db` has a store of its own, not the one aimed at.
 */
const OUTPUTS: readonly { command: string; flag: string; args: () => string[] }[] = [
  { command: "fetch", flag: "--out", args: () => ["fetch", "--symbols", symbols, "--source", "sample", "--as-of", "2021-05-17"] },
  { command: "compute-rsi", flag: "--out", args: () => ["compute-rsi", "--in", artifact("prices.json")] },
  ...["--out", "--failures-out", "--ranked-count-out", "--failed-count-out", "--trade-date-out"].map((flag) => ({
    command: "validate",
    flag,
    args: () => ["validate", "--in", artifact("rsi.json"), ...(flag === "--out" ? [] : ["--out", at(`validated${flag}.json`)])],
  })),
  ...["--report-out", "--ranking-out", "--signals-out"].map((flag) => ({
    command: "persist",
    flag,
    args: () => ["persist", "--in", artifact("validated.json"), "--db", `sqlite:${at(`persist${flag}.db`)}`],
  })),
  { command: "run", flag: "--report", args: () => ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${at("run.db")}`] },
  { command: "report", flag: "--out", args: () => ["report", "--db", `sqlite:${at("own.db")}`] },
  { command: "history", flag: "--chart", args: () => ["history", "AAPL", "--db", `sqlite:${at("own.db")}`] },
  { command: "notify", flag: "--undelivered-out", args: () => ["notify", "--status", "Succeeded"] },
  {
    command: "backfill",
    flag: "--days-out",
    args: () => ["backfill", symbols, "--from", "2021-05-10", "--to", "2021-05-14", "--source", "sample", "--db", `sqlite:${at("backfill.db")}`],
  },
];

describe("the outputs walked", () => {
  it("are every option of every command that says it writes a file", async () => {
    const commands: Command[] = (await loadAllCommands()).map((factory) => factory(captureIo(), async () => 0));
    const walked = commands.flatMap((command) =>
      command.options.filter((o) => /^(where to write|also write|also draw)\b/.test(o.description)).map((o) => `${command.name()} ${o.long}`),
    );
    expect(walked.sort()).toEqual(OUTPUTS.map((o) => `${o.command} ${o.flag}`).sort());
  });
});

describe.concurrent("an output is never a SQLite database, whichever command writes it", () => {
  it.each(OUTPUTS.map((o) => [`${o.command} ${o.flag}`, o] as const))("%s: the database, and a symbolic link to it", async (name, output) => {
    const target = at(`aimed-at-${name.replace(/ /g, "")}.db`);
    copyFileSync(history, target);
    const link = `${target}.link`;
    symlinkSync(target, link);
    for (const path of [target, link]) {
      const result = await stockRsi([...output.args(), output.flag, path], { cwd: dir.path });
      expectRefusal(result, { code: 2, line: `${output.flag} ${path}: that is a SQLite database; give another file (an output never replaces a database)` });
    }
    expect(readFileSync(target).equals(historyBytes), `${target} changed`).toBe(true);
  });

  it("fetch --out stock-rsi.db, the default store of the commands that have a --db, then history reads it", async () => {
    const cwd = at("default");
    mkdirSync(cwd);
    const imported = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql")], { cwd });
    expect(imported.code, imported.stderr).toBe(0);
    const before = readFileSync(join(cwd, "stock-rsi.db"));
    const result = await stockRsi(["fetch", "--symbols", symbols, "--source", "sample", "--as-of", "2021-05-17", "--out", "stock-rsi.db"], { cwd });
    expectRefusal(result, { code: 2, line: "--out stock-rsi.db: that is a SQLite database; give another file (an output never replaces a database)" });
    expect(readFileSync(join(cwd, "stock-rsi.db")).equals(before)).toBe(true);
    const read = await stockRsi(["history", "AAPL", "--from", "2021-01-04", "--to", "2021-01-08"], { cwd });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout.trim().split("\n").length).toBeGreaterThan(0);
  });

  it("the files SQLite keeps beside a database: refused whether or not they exist, none created", async () => {
    const target = at("beside.db");
    copyFileSync(history, target);
    writeFileSync(`${target}-journal`, "");
    for (const suffix of ["-journal", "-wal", "-shm"]) {
      const path = `${target}${suffix}`;
      const existed = existsSync(path);
      const result = await stockRsi(["compute-rsi", "--in", artifact("prices.json"), "--out", path]);
      expectRefusal(result, { code: 2, line: `--out ${path}: that is a file SQLite keeps beside the database ${target}; give another file` });
      expect(existsSync(path), path).toBe(existed);
    }
    expect(readFileSync(target).equals(historyBytes)).toBe(true);
  });

  it("a file that only looks like one by name, or an artifact, is written as before", async () => {
    const notADatabase = at("not-a-database.db");
    writeFileSync(notADatabase, "SQLite format 2\0 and then some text");
    const beside = at("not-a-database.db-wal");
    const result = await stockRsi(["compute-rsi", "--in", artifact("prices.json"), "--out", notADatabase]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(notADatabase, "utf8"))).toMatchObject({ kind: "rsi" });
    const wal = await stockRsi(["compute-rsi", "--in", artifact("prices.json"), "--out", beside]);
    expect(wal.code, wal.stderr).toBe(0);
  });
});

describe("what the store still holds", () => {
  it("the history is read back after every refusal above", async () => {
    const read = await stockRsi(["history", "AAPL", "--db", `sqlite:${history}`, "--from", "2021-01-04", "--to", "2021-01-08"]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/^AAPL 2021-01-0\d /m);
  });
});


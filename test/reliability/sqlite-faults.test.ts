/**
 * The embedded store under faults, with real files and real processes: a reader without write
 * access, the writer killed (SIGKILL) in the middle of a day, runs at the same time, a file locked
 * by another writer, and paths that are not a database (an in-memory one, a directory, a file of
 * something else, a read-only file).
 *
 * "A reader without write access" is a process running as `nobody` when the suite runs as root
 * (root ignores file permissions), or a directory made read-only otherwise.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir, USER_SYMBOLS, type ExecOptions } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { writeValidated } from "../steps/persist/validated-artifact.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-sqlite-faults-");
chmodSync(dir.path, 0o755);
afterAll(() => {
  chmodSync(dir.path, 0o755);
  dir.cleanup();
});
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
const asRoot = process.getuid?.() === 0;

/** A fresh directory holding a store with one stored day, and how to run a command that can only read there. */
async function storeWithADay(name: string) {
  const home = join(dir.path, name);
  mkdirSync(home, { mode: 0o755 });
  const db = join(home, "rsi.db");
  const stored = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`]);
  expect(stored.code).toBe(0);
  const reader: ExecOptions = asRoot ? { uid: 65534, gid: 65534, cwd: "/" } : {};
  const readOnly = <T>(fn: () => Promise<T>) =>
    asRoot
      ? fn()
      : (async () => {
          chmodSync(home, 0o555);
          try {
            return await fn();
          } finally {
            chmodSync(home, 0o755);
          }
        })();
  return { home, db, reader, readOnly };
}

const rows = (db: string) => querySqlite<{ symbol: string; rsi: number; run_id: string }>(db, "SELECT symbol, rsi, run_id FROM rsi_values ORDER BY trade_date, symbol");

describe("history reads a store it cannot write", () => {
  it("as a reader without write access to the file or its directory, history prints the stored values", async () => {
    const { db, reader, readOnly } = await storeWithADay("read-only");
    const result = await readOnly(() => stockRsi(["history", "AAPL", "MSFT", "--db", `sqlite:${db}`], reader));
    expect(result.stderr).not.toContain("stock-rsi: ");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^AAPL 2021-05-17 \d+\.\d\d\nMSFT 2021-05-17 \d+\.\d\d\n$/);
    expect(existsSync(`${db}-wal`) || existsSync(`${db}-shm`) || existsSync(`${db}-journal`)).toBe(false);
  });

  it("a file an older stock-rsi left in WAL mode: the reader is told what to run; one write converts it for good", async () => {
    const { db, reader, readOnly } = await storeWithADay("old-wal");
    const old = new Database(db);
    old.exec("PRAGMA journal_mode = WAL");
    old.close();
    const refused = await readOnly(() => stockRsi(["history", "AAPL", "--db", `sqlite:${db}`], reader));
    expectRefusal(refused, {
      code: 4,
      line: `sqlite:${db}: cannot read it without write access to its directory: it is in WAL mode, which an older stock-rsi set; run stock-rsi migrate --db sqlite:${db} once as a user who can write it`,
    });
    expect((await stockRsi(["migrate", "--db", `sqlite:${db}`])).code).toBe(0);
    const read = await readOnly(() => stockRsi(["history", "AAPL", "--db", `sqlite:${db}`], reader));
    expect(read.code).toBe(0);
    expect(read.stdout).toMatch(/^AAPL 2021-05-17 /);
  });
});

describe("a day is stored whole or not at all", () => {
  it("persist killed (SIGKILL) mid-transaction: the day stays as it was, and the next persist stores it", async () => {
    const { home, db } = await storeWithADay("kill9");
    const values = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`S${i}`, 10 + (i % 80)]));
    const artifact = writeValidated(home, { tradeDate: "2021-05-17", values }, "big.json");

    let killedMidTransaction = false;
    for (let attempt = 1; attempt <= 5 && !killedMidTransaction; attempt++) {
      const before = rows(db);
      let kill: (() => void) | undefined;
      // The rollback journal exists exactly while a write transaction is open.
      const watcher = watch(home, (_event, file) => {
        if (file === "rsi.db-journal" && kill) {
          kill();
          kill = undefined;
        }
      });
      const result = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${db}`, "--run-id", `killed-${attempt}`], {
        onStart: (child) => (kill = () => child.kill("SIGKILL")),
      });
      watcher.close();
      killedMidTransaction = result.code === -1 && existsSync(`${db}-journal`);
      // Whatever the timing, the store holds the day as it was or all of the new run, never a mix.
      const after = rows(db);
      const unchanged = JSON.stringify(after) === JSON.stringify(before);
      const complete = after.filter((r) => r.run_id === `killed-${attempt}`).length === 20_000;
      expect(unchanged || complete, "the store holds part of a run").toBe(true);
    }
    expect(killedMidTransaction, "no kill landed while the transaction was open").toBe(true);
    expect(querySqlite(db, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    const again = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${db}`, "--run-id", "again"]);
    expect(again.code).toBe(0);
    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_values WHERE run_id = 'again'")).toEqual([{ n: 20_000 }]);
  }, 120_000);

  it("three runs at once on one file: every run stored, one row per symbol", async () => {
    const db = join(dir.path, "concurrent.db");
    const runs = await Promise.all(
      [1, 2, 3].map((n) => stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`, "--run-id", `run-${n}`])),
    );
    for (const result of runs) {
      expect(result.stderr).not.toContain("stock-rsi: ");
      expect(result.code).toBe(0);
    }
    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_values")).toEqual([{ n: 180 }]);
    expect(querySqlite(db, "SELECT run_id FROM rsi_runs ORDER BY run_id")).toEqual([{ run_id: "run-1" }, { run_id: "run-2" }, { run_id: "run-3" }]);
  }, 120_000);

  it("a file another writer keeps locked: persist waits 5 s, then exit 3 saying so, the day unchanged", async () => {
    const { home, db } = await storeWithADay("locked");
    const before = rows(db);
    const holder = new Database(db);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const artifact = writeValidated(home, { tradeDate: "2021-05-17", values: { AAPL: 12.5 } }, "locked.json");
      const result = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${db}`]);
      expectRefusal(result, { code: 3, line: `sqlite:${db}: could not store 2021-05-17: database is locked (SQLITE_BUSY)` });
      expect(result.elapsedMs).toBeGreaterThan(4_500);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(rows(db)).toEqual(before);
  });
});

describe.concurrent("paths that are not a database", () => {
  const artifact = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 46.89 } }, "one.json");

  it("sqlite::memory: would keep nothing: exit 2 before anything runs", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", "sqlite::memory:"]);
    expectRefusal(result, { code: 2, line: '--db: "sqlite::memory:" is a database in memory, gone when the command ends; give a file (sqlite:PATH), or --no-store' });
    expect(result.stderr).not.toContain("fetch: ");
  });

  it("a directory: refused as bad input (exit 2) before SQLite opens it", async () => {
    const result = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${dir.path}`]);
    expectRefusal(result, { code: 2, line: `--db sqlite:${dir.path}: it is a directory, not a regular file; give a database file or a new path` });
  });

  it("a file that is not a database: exit 4, the file untouched", async () => {
    const notDb = join(dir.path, "not-a-db.txt");
    writeFileSync(notDb, "AAPL\nMSFT\n".repeat(100));
    const result = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${notDb}`]);
    expectRefusal(result, { code: 4, line: `sqlite:${notDb}: cannot open the database (file is not a database)` });
    expect(readFileSync(notDb, "utf8")).toBe("AAPL\nMSFT\n".repeat(100));
  });

  it("a store the writer may not write: exit 4, the day unchanged", async () => {
    const { home, db, reader, readOnly } = await storeWithADay("no-write");
    const before = rows(db);
    const other = writeValidated(home, { tradeDate: "2021-05-17", values: { AAPL: 12.5 } }, "no-write.json");
    const result = await readOnly(() => stockRsi(["persist", "--in", other, "--db", `sqlite:${db}`], reader));
    expectRefusal(result, { code: 4, line: new RegExp(`^sqlite:${db.replace(/[.]/g, "\\.")}: (cannot open the database \\(|could not store 2021-05-17: )attempt to write a readonly database`) });
    expect(rows(db)).toEqual(before);
  });
});

/**
 * A table another session has locked, on a real MariaDB: every command that reads or writes it
 * waits a bounded time per statement (`LOCK_WAIT_SECONDS`, shortened by a short `retry-deadline`),
 * retries until the deadline, and ends with exit 3 and one line saying the table is locked. The
 * server's own `lock_wait_timeout` (a day on MariaDB) would keep them waiting silently until killed.
 *
 * The commands run as child processes, as the user runs them; each has a kill timer of a minute,
 * so a command that hangs fails the test instead of holding it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { captureIo, stockRsi, tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { expectRefusal } from "./support.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-locks-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

const HANG = { timeoutMs: 60_000 };
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\n");

/** A database holding one stored day (2021-05-14), so that every reader has something to read. */
async function databaseWithADay(prefix: string): Promise<TestDatabase> {
  const db = await server.createDatabase(prefix);
  const first = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", db.url], { env: db.env });
  expect(first.code, first.stderr).toBe(0);
  return db;
}

/** A root session holding `LOCK TABLES <table> WRITE` in the database, until released. */
async function lockTable(db: TestDatabase, table: string): Promise<{ release: () => Promise<void> }> {
  const conn: Connection = await mysql.createConnection({ socketPath: server.socket, user: "root", database: db.name });
  await conn.query(`LOCK TABLES \`${table}\` WRITE`);
  return {
    release: async () => {
      await conn.query("UNLOCK TABLES").catch(() => {});
      await conn.end().catch(() => {});
    },
  };
}

describe("a table locked by another session", () => {
  it("history, history --gaps, report and run each end with exit 3 and one line naming the lock", async () => {
    const db = await databaseWithADay("locked");
    const url = `${db.url}?retry-deadline=1`;
    const lock = await lockTable(db, "rsi_values");
    try {
      const commands: Record<string, string[]> = {
        history: ["history", "AAPL", "--db", url],
        "history --gaps": ["history", "--gaps", "--from", "2021-05-10", "--to", "2021-05-14", "--db", url],
        report: ["report", "--out", join(dir.path, "r.html"), "--as-of", "2021-05-14", "--db", url],
        run: ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", url],
      };
      const results = await Promise.all(Object.values(commands).map((args) => stockRsi(args, { ...HANG, env: db.env })));
      Object.keys(commands).forEach((name, i) => {
        const line = expectRefusal(results[i]!, {
          code: 3,
          line: /: could not (read the history|read the stored trading days|store 2021-05-17): a table or row it needs is locked by another session \(waited 1 s; SHOW PROCESSLIST on the server shows who holds it\); gave up after \d+ attempts in \d+ s \(retry-deadline=1\)/,
          secrets: [server.pipelinePassword],
          stdoutAllowed: name === "run",
        });
        expect(line, name).toMatch(new RegExp(`^mysql://stock_rsi@127\\.0\\.0\\.1:\\d+/${db.name}: `));
      });
    } finally {
      await lock.release();
    }
    // Nothing of the refused run was stored.
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values WHERE trade_date = '2021-05-17'`)).toEqual([{ n: 0 }]);
  }, 120_000);

  it("with the default deadline, a reader says it is waiting for the lock, and reads once it is released", async () => {
    const db = await databaseWithADay("waits");
    const lock = await lockTable(db, "rsi_values");
    const io = captureIo({ env: db.env });
    let released = false;
    const reading = runCli(["history", "AAPL", "--db", db.url], io).finally(() => {
      if (!released) void lock.release();
    });
    try {
      // The first wait ends after LOCK_WAIT_SECONDS (10 s); the reader then says so and retries.
      while (!io.stderr().includes("locked by another session")) {
        expect(await Promise.race([reading.then(() => "ended"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 200))])).toBe("waiting");
      }
      expect(io.stderr()).toMatch(/^history: mysql:\/\/stock_rsi@127\.0\.0\.1:\d+\/\w+: a table or row it needs is locked by another session \(waited 10 s; .*\); retrying for up to 60 s$/m);
    } finally {
      released = true;
      await lock.release();
    }
    expect(await reading).toBe(0);
    expect(io.stdout()).toMatch(/^AAPL 2021-05-14 \d+\.\d\d$/m);
  }, 60_000);
});

/**
 * A real MariaDB that misbehaves under `stock-rsi run` and `persist`, each run as the user runs
 * it, a child process:
 * - what retrying cannot fix (a wrong password, a missing privilege, a value the table cannot
 *   hold, a symbol whose column the wide table cannot have) ends in seconds, once, with exit
 *   status 4 and one line; nothing is retried, by the step or by `run`;
 * - what can recover (the server down, restarting, killed) is waited for, saying so, and a server
 *   that stays down ends `run` with exit status 3 within about a minute;
 * - whatever happens, the database holds a day whole or not at all: the writer's process killed
 *   mid-transaction, the server killed mid-transaction and restarted, three runs at once.
 * The connection killed mid-transaction, and a server away past a short deadline, are in
 * `atomicity.mariadb.test.ts` beside this file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { holdDayRow, writerMidTransaction } from "../support/mariadb-faults.ts";
import { writeValidated } from "../steps/persist/validated-artifact.ts";
import { MIGRATIONS } from "../../steps/store/migrations.ts";
import { expectNoSecrets, expectRefusal } from "./support.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-faults-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\nIBM\n");
const run = (db: TestDatabase, extra: string[] = [], env: Record<string, string> = db.env, url = db.url) =>
  stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", url, ...extra], { env, timeoutMs: 150_000 });

/** A database holding one good day (2021-05-14), and what it holds, to compare after a failure. */
async function databaseWithADay(prefix: string): Promise<{ db: TestDatabase; contents: () => Promise<unknown> }> {
  const db = await server.createDatabase(prefix);
  const first = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", db.url], { env: db.env });
  expect(first.code).toBe(0);
  const contents = async () => ({
    values: await server.query(`SELECT trade_date, symbol, rsi, run_id FROM \`${db.name}\`.rsi_values ORDER BY trade_date, symbol`),
    runs: await server.query(`SELECT run_id, trade_date FROM \`${db.name}\`.rsi_runs ORDER BY run_id`),
    stocks: await server.query(`SELECT * FROM \`${db.name}\`.stocks ORDER BY date`),
  });
  return { db, contents };
}

describe("what retrying cannot fix ends in seconds with exit 4, once", () => {
  it("a wrong password: one line naming the account and where the password comes from; no retry", async () => {
    const { db, contents } = await databaseWithADay("badpw");
    const before = await contents();
    const result = await run(db, [], { MYSQL_PASSWORD: "Wr0ng-Pw-77" });
    expectRefusal(result, {
      code: 4,
      line: new RegExp(`^mysql://stock_rsi@127\\.0\\.0\\.1:\\d+/${db.name}: could not bring the schema up to date: access denied for user stock_rsi \\(.*\\); check MYSQL_PASSWORD or MYSQL_PASSWORD_FILE`),
      secrets: ["Wr0ng-Pw-77", server.pipelinePassword],
      stdoutAllowed: true,
    });
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(result.stderr).not.toMatch(/retrying|running it again/);
    expect(await contents()).toEqual(before);
  });

  it("the read-only account running persist: a missing privilege, named; the day as it was", async () => {
    const { db, contents } = await databaseWithADay("reader");
    const before = await contents();
    const result = await run(db, [], db.readerEnv, db.readerUrl);
    expectRefusal(result, {
      code: 4,
      line: /^mysql:\/\/stock_rsi_reader@127\.0\.0\.1:\d+\/\w+: could not store 2021-05-17: .*command denied to user 'stock_rsi_reader'.*; the account stock_rsi_reader lacks a privilege stock-rsi needs/,
      stdoutAllowed: true,
    });
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(result.stderr).not.toMatch(/retrying|running it again/);
    expect(await contents()).toEqual(before);
  });

  it("an account without CREATE on a new database: refused while migrating, nothing created", async () => {
    const db = await server.createDatabase("nocreate");
    await server.query(`CREATE USER IF NOT EXISTS 'limited'@'%' IDENTIFIED BY 'limited-pw'`);
    await server.query(`GRANT SELECT, INSERT, UPDATE ON \`${db.name}\`.* TO 'limited'@'%'`);
    const url = db.url.replace("stock_rsi@", "limited@");
    const result = await stockRsi(["migrate", "--db", url], { env: { MYSQL_PASSWORD: "limited-pw" }, timeoutMs: 60_000 });
    expectRefusal(result, { code: 4, line: /could not bring the schema up to date: CREATE command denied to user 'limited'.*lacks a privilege stock-rsi needs/, secrets: ["limited-pw"] });
    expect(await server.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [db.name])).toEqual([]);
  });

  it("a value too long for its column (a narrowed table): exit 4, the transaction rolled back", async () => {
    const { db, contents } = await databaseWithADay("toolong");
    const prices = join(dir.path, "toolong-prices.json");
    expect((await stockRsi(["fetch", "--symbols", symbols, "--out", prices, "--source", "sample", "--as-of", "2021-05-17"])).code).toBe(0);
    await server.query(`ALTER TABLE \`${db.name}\`.rsi_runs MODIFY source VARCHAR(10) NOT NULL`);
    const before = await contents();
    const result = await run(db, ["--source", `file:${prices}`]);
    expectRefusal(result, { code: 4, line: /could not store 2021-05-17: Data too long for column 'source'.*; nothing of this run was committed: 2021-05-17 holds what it held before$/, stdoutAllowed: true });
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(await contents()).toEqual(before);
  });

  it("a symbol named like the wide table's date column: stored in the long table, left out of stocks, said so", async () => {
    const db = await server.createDatabase("datecol");
    const file = join(dir.path, "date-symbol");
    writeFileSync(file, "AAPL\nDATE\n");
    const result = await stockRsi(["run", file, "--source", "sample", "--as-of", "2021-05-17", "--db", db.url], { env: db.env, timeoutMs: 60_000 });
    expect(result.stderr).toContain("persist: stocks table: wrote the day's row, adding 1 symbol columns (AAPL); DATE has no column there (the table's own date column has that name)");
    expect(result.code).toBe(0);
    expect(await server.query(`SELECT symbol FROM \`${db.name}\`.rsi_values ORDER BY symbol`)).toEqual([{ symbol: "AAPL" }, { symbol: "DATE" }]);
    const columns = await server.query<RowDataPacket[]>("SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'stocks' ORDER BY ORDINAL_POSITION", [db.name]);
    expect(columns.map((c) => c.c)).toEqual(["date", "AAPL"]);
  });

  it("an edited artifact with an RSI of 500 never reaches the stocks table", async () => {
    const { db, contents } = await databaseWithADay("tampered");
    const before = await contents();
    const artifact = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 500, MSFT: 40 } }, "rsi-500.json");
    const result = await stockRsi(["persist", "--in", artifact, "--db", db.url], { env: db.env });
    expectRefusal(result, { code: 2, line: `${artifact}: results[0].rsi: RSI 500 is outside 0-100; it no longer says what validate checked: regenerate it with stock-rsi validate; nothing was stored` });
    expect(await contents()).toEqual(before);
  });
});

describe("what can recover is waited for, saying so", () => {
  it("a server that stays down: run says what it waits for and ends with exit 3 within about a minute", async () => {
    const { db, contents } = await databaseWithADay("down");
    const before = await contents();
    await server.stop();
    let result;
    try {
      result = await run(db);
    } finally {
      await server.start();
    }
    expectRefusal(result, {
      code: 3,
      line: new RegExp(`^mysql://stock_rsi@127\\.0\\.0\\.1:${server.port}/${db.name}: could not bring the schema up to date: connection refused by 127\\.0\\.0\\.1:${server.port} \\(is the server running\\?\\); gave up after \\d+ attempts in \\d+ s \\(retry-deadline=60\\)$`),
      stdoutAllowed: true,
    });
    expect(result.stderr).toContain(`persist: mysql://stock_rsi@127.0.0.1:${server.port}/${db.name}: connection refused by 127.0.0.1:${server.port} (is the server running?); retrying for up to 60 s`);
    expect(result.stderr.match(/retrying for up to/g)).toHaveLength(1);
    expect(result.elapsedMs).toBeGreaterThan(55_000);
    expect(result.elapsedMs).toBeLessThan(100_000);
    expect(await contents()).toEqual(before);
  }, 180_000);

  it("the server killed (SIGKILL) mid-transaction and restarted: persist waits, then writes the day whole, once", async () => {
    const { db } = await databaseWithADay("crash");
    const symbols900 = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`S${i}`, 10]));
    const first = writeValidated(dir.path, { tradeDate: "2021-05-17", values: symbols900 }, "crash-first.json");
    expect((await stockRsi(["persist", "--in", first, "--db", db.url, "--run-id", "first"], { env: db.env })).code).toBe(0);

    await holdDayRow(server, db, "2021-05-17");
    const second = writeValidated(dir.path, { tradeDate: "2021-05-17", values: Object.fromEntries(Object.keys(symbols900).map((s) => [s, 20])) }, "crash-second.json");
    const persisting = stockRsi(["persist", "--in", second, "--db", `${db.url}?retry-deadline=90`, "--run-id", "second"], { env: db.env, timeoutMs: 150_000 });
    await writerMidTransaction(server, 900);
    await server.crash();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await server.start();
    const result = await persisting;

    expect(result.stderr).toMatch(/retrying for up to 90 s/);
    expect(result.code).toBe(0);
    expect(await server.query(`SELECT rsi, COUNT(*) AS n FROM \`${db.name}\`.rsi_values WHERE trade_date = '2021-05-17' GROUP BY rsi`)).toEqual([{ rsi: 20, n: 900 }]);
    expect(await server.query(`SELECT run_id FROM \`${db.name}\`.rsi_runs WHERE trade_date = '2021-05-17' ORDER BY run_id`)).toEqual([{ run_id: "first" }, { run_id: "second" }]);
    expect(await server.query(`SELECT S0, S899 FROM \`${db.name}\`.stocks WHERE date = '2021-05-17'`)).toEqual([{ S0: 20, S899: 20 }]);
  }, 180_000);
});

describe("the database holds a day whole or not at all", () => {
  it("kill -9 of persist mid-transaction: the server rolls the day back", async () => {
    const { db } = await databaseWithADay("kill9");
    const symbols900 = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`S${i}`, 10]));
    const first = writeValidated(dir.path, { tradeDate: "2021-05-17", values: symbols900 }, "kill9-first.json");
    expect((await stockRsi(["persist", "--in", first, "--db", db.url, "--run-id", "first"], { env: db.env })).code).toBe(0);

    const lock = await holdDayRow(server, db, "2021-05-17");
    const second = writeValidated(dir.path, { tradeDate: "2021-05-17", values: Object.fromEntries(Object.keys(symbols900).map((s) => [s, 20])) }, "kill9-second.json");
    let kill: (() => void) | undefined;
    const persisting = stockRsi(["persist", "--in", second, "--db", db.url, "--run-id", "second"], { env: db.env, onStart: (child) => (kill = () => child.kill("SIGKILL")) });
    await writerMidTransaction(server, 900);
    kill!();
    const result = await persisting;
    await lock.release();

    expect(result.code).toBe(-1);
    expect(await server.query(`SELECT rsi, COUNT(*) AS n FROM \`${db.name}\`.rsi_values WHERE trade_date = '2021-05-17' GROUP BY rsi`)).toEqual([{ rsi: 10, n: 900 }]);
    expect(await server.query(`SELECT run_id FROM \`${db.name}\`.rsi_runs WHERE trade_date = '2021-05-17'`)).toEqual([{ run_id: "first" }]);
    expect(await server.query(`SELECT S0, S899 FROM \`${db.name}\`.stocks WHERE date = '2021-05-17'`)).toEqual([{ S0: 10, S899: 10 }]);
  }, 120_000);

  it("three runs at once on a new database: migrated once, the day stored once, every run recorded", async () => {
    const db = await server.createDatabase("concurrent");
    const runs = await Promise.all(
      [1, 2, 3].map((n) => stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--db", db.url, "--run-id", `run-${n}`], { env: db.env, timeoutMs: 150_000 })),
    );
    for (const result of runs) {
      expect(result.stderr).not.toContain("stock-rsi: ");
      expect(result.code).toBe(0);
      expectNoSecrets(result, [server.pipelinePassword]);
    }
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)).toEqual([{ n: 180 }]);
    expect(await server.query(`SELECT version FROM \`${db.name}\`.schema_migrations ORDER BY version`)).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.stocks`)).toEqual([{ n: 1 }]);
    expect(await server.query(`SELECT run_id FROM \`${db.name}\`.rsi_runs ORDER BY run_id`)).toEqual([{ run_id: "run-1" }, { run_id: "run-2" }, { run_id: "run-3" }]);
  }, 180_000);
});

/**
 * `npm run bench:persist`: how fast the persist step stores, against a throwaway MariaDB 10.11
 * with production durability (the redo log flushed at every commit, doublewrite on), connected
 * over TCP as the pipeline account, and against SQLite.
 *
 * Measured, in one run:
 * - one day of 5,000 symbols (the long table; the wide table cannot hold 5,000 columns);
 * - one day of the user's 180 symbols, and of 1,000, with the wide `stocks` table, next to the
 *   original program's way of writing a day: one `SHOW COLUMNS ... LIKE` per symbol (plus an
 *   `ALTER TABLE ... ADD` when missing), then one wide INSERT;
 * - the original way with 5,000 symbols, which cannot work on InnoDB (1017 columns at most);
 * - importing the user's dump (145 days, 23,296 values), twice;
 * - a backfill of 1,000,000 rows: 5,000 symbols × 200 days, one transaction per day.
 * Targets: a 5,000-symbol day under 1 s; at least 30,000 rows/s in bulk.
 * Timings are reported, never asserted; they depend on the machine.
 */
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import mysql from "mysql2/promise";
import type { RowDataPacket } from "mysql2/promise";
import { captureIo, REPO_ROOT } from "../test/support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../test/support/mariadb.ts";
import { dayOf } from "../test/steps/store/days.ts";
import { addDays } from "../steps/domain/dates.ts";
import { isTradingDay } from "../steps/domain/market-calendar.ts";
import { openStore } from "../steps/store/open-store.ts";
import { runImportLegacy } from "../cli/import-legacy/command.ts";
import type { DayWrite, RsiStore } from "../steps/store/store.ts";

const DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
const rows: string[][] = [];

function report(scenario: string, seconds: number, rowCount?: number, note = ""): void {
  const rate = rowCount ? Math.round(rowCount / seconds).toLocaleString("en-US") : "";
  rows.push([scenario, `${seconds < 10 ? seconds.toFixed(3) : seconds.toFixed(1)} s`, rate, note]);
  console.error(`  ${scenario}: ${seconds.toFixed(3)} s ${rate ? `(${rate} rows/s)` : ""} ${note}`);
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [(performance.now() - start) / 1000, result];
}

function symbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `SYM${String(i).padStart(4, "0")}`);
}

/** A plausible day: every symbol an RSI between 20 and 80 that moves from day to day. */
function syntheticDay(date: string, names: readonly string[], runId = `bench-${date}`): DayWrite {
  const seed = Date.parse(date) / 86_400_000;
  return dayOf(date, Object.fromEntries(names.map((s, i) => [s, 20 + ((i * 7919 + seed * 104_729) % 6000) / 100])), { runId });
}

function tradingDays(from: string, count: number): string[] {
  const days: string[] = [];
  for (let d = from; days.length < count; d = addDays(d, 1)) if (isTradingDay(d)) days.push(d);
  return days;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * The original program's way of writing a day, reproduced for comparison: for each symbol a
 * `SHOW COLUMNS FROM stocks LIKE 'SYM'` (and `ALTER TABLE stocks ADD SYM FLOAT` when missing),
 * then one INSERT of the whole row with the values pasted into the SQL, autocommitted.
 * (Only for the benchmark, with generated names: this is the injection stock-rsi's own writer refuses.)
 */
async function originalWay(conn: mysql.Connection, date: string, values: Map<string, number>): Promise<void> {
  for (const symbol of values.keys()) {
    const [found] = await conn.query<RowDataPacket[]>(`SHOW COLUMNS FROM stocks LIKE '${symbol}'`);
    if (found.length === 0) await conn.query(`ALTER TABLE stocks ADD ${symbol} FLOAT`);
  }
  const names = [...values.keys()];
  await conn.query(`INSERT INTO stocks (date, ${names.join(", ")}) VALUES ('${date}', ${names.map((s) => values.get(s)!.toFixed(2)).join(", ")})`);
}

async function pipelineConnection(server: MariaDbServer, db: TestDatabase): Promise<mysql.Connection> {
  return mysql.createConnection({ host: "127.0.0.1", port: server.port, user: "stock_rsi", password: server.pipelinePassword, database: db.name });
}

/** The load average over 1, 5 and 15 minutes: other work on the machine stretches every figure. */
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

async function main(): Promise<void> {
  const loadBefore = load();
  console.error("starting a throwaway MariaDB (durable settings) ...");
  const server = await startMariaDb({ durable: true });
  const sqliteDir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-"));
  try {
    const open = (db: TestDatabase, wideTable: boolean): Promise<RsiStore> => openStore(db.url, { env: db.env, wideTable });

    // 1. One day of 5,000 symbols.
    console.error("one day of 5,000 symbols");
    {
      const db = await server.createDatabase("day5000");
      const store = await open(db, false);
      const names = symbols(5000);
      const inserts: number[] = [];
      const updates: number[] = [];
      for (const date of tradingDays("2021-03-01", 5)) {
        inserts.push((await time(() => store.writeDay(syntheticDay(date, names))))[0]);
        updates.push((await time(() => store.writeDay(syntheticDay(date, names, `${date}-again`))))[0]);
      }
      await store.close();
      report("MySQL: one day, 5,000 symbols, first run (insert), median of 5", median(inserts), 5000, `max ${Math.max(...inserts).toFixed(3)} s`);
      report("MySQL: one day, 5,000 symbols, re-run (update), median of 5", median(updates), 5000, `max ${Math.max(...updates).toFixed(3)} s`);
    }

    // 2. The wide table next to the original program's way.
    for (const n of [180, 1000]) {
      console.error(`one day of ${n} symbols, with the wide table, and the original way`);
      const names = symbols(n);
      const days = tradingDays("2021-04-01", 6);
      const ours = await server.createDatabase(`wide${n}`);
      const store = await open(ours, true);
      const [firstOurs] = await time(() => store.writeDay(syntheticDay(days[0]!, names)));
      const steadyOurs: number[] = [];
      for (const date of days.slice(1)) steadyOurs.push((await time(() => store.writeDay(syntheticDay(date, names))))[0]);
      await store.close();

      const theirs = await server.createDatabase(`orig${n}`);
      const conn = await pipelineConnection(server, theirs);
      await conn.query("CREATE TABLE stocks (date DATE NOT NULL PRIMARY KEY)");
      const valuesOn = (date: string) => new Map(syntheticDay(date, names).results.map((r) => [r.symbol, r.rsi]));
      const [firstTheirs] = await time(() => originalWay(conn, days[0]!, valuesOn(days[0]!)));
      const steadyTheirs: number[] = [];
      for (const date of days.slice(1)) steadyTheirs.push((await time(() => originalWay(conn, date, valuesOn(date))))[0]);
      await conn.end();
      report(`MySQL: one day, ${n} symbols + wide table, first day (adds ${n} columns)`, firstOurs, n);
      report(`MySQL: one day, ${n} symbols + wide table, later day, median of 5`, median(steadyOurs), n);
      report(`original way: one day, ${n} symbols, first day (${n} SHOW COLUMNS + ${n} ALTER TABLE)`, firstTheirs, n);
      report(`original way: one day, ${n} symbols, later day (${n} SHOW COLUMNS + 1 INSERT), median of 5`, median(steadyTheirs), n);
    }

    // 3. The original way cannot hold 5,000 symbols at all.
    console.error("the original way with 5,000 symbols");
    {
      const db = await server.createDatabase("orig5000");
      const conn = await pipelineConnection(server, db);
      await conn.query("CREATE TABLE stocks (date DATE NOT NULL PRIMARY KEY)");
      const values = new Map(syntheticDay("2021-03-01", symbols(5000)).results.map((r) => [r.symbol, r.rsi]));
      const [seconds, outcome] = await time(() =>
        originalWay(conn, "2021-03-01", values).then(
          () => "stored",
          (err: Error) => err.message,
        ),
      );
      const [columns] = await conn.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'stocks'");
      await conn.end();
      report("original way: one day, 5,000 symbols", seconds, undefined, `fails after ${columns[0]!.n} columns: ${outcome}`);
    }

    // 4. The user's dump.
    console.error("import of the user's dump");
    {
      const db = await server.createDatabase("dump");
      const io = captureIo({ env: db.env });
      const [first, report1] = await time(() => runImportLegacy({ dump: DUMP, table: "stocks", db: db.url, wideTable: true }, io));
      const [second] = await time(() => runImportLegacy({ dump: DUMP, table: "stocks", db: db.url, wideTable: true }, io));
      report(`MySQL: import-legacy prod-db.sql (${report1.values.imported} values, 145 days, + wide table)`, first, report1.values.imported);
      report("MySQL: import-legacy prod-db.sql again (nothing new)", second);
      const sqlite = `sqlite:${join(sqliteDir, "dump.db")}`;
      const [sqliteImport] = await time(() => runImportLegacy({ dump: DUMP, table: "stocks", db: sqlite, wideTable: true }, captureIo()));
      report("SQLite: import-legacy prod-db.sql", sqliteImport, report1.values.imported);
    }

    // 5. A backfill of 1,000,000 rows.
    console.error("backfill: 5,000 symbols × 200 days (1,000,000 rows), one transaction per day");
    {
      const names = symbols(5000);
      const days = tradingDays("2020-06-01", 200);
      const db = await server.createDatabase("backfill");
      const store = await open(db, false);
      const [seconds] = await time(async () => {
        for (const date of days) await store.writeDay(syntheticDay(date, names));
      });
      await store.close();
      const [[count]] = (await (await server.admin()).query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)) as unknown as [RowDataPacket[]];
      report("MySQL: backfill 5,000 symbols × 200 days", seconds, Number(count!.n), `${Number(count!.n).toLocaleString("en-US")} rows stored`);

      const sqlite = await openStore(`sqlite:${join(sqliteDir, "backfill.db")}`);
      const [sqliteSeconds] = await time(async () => {
        for (const date of days) await sqlite.writeDay(syntheticDay(date, names));
      });
      await sqlite.close();
      report("SQLite: backfill 5,000 symbols × 200 days", sqliteSeconds, 1_000_000);
      const sqliteDay = await openStore(`sqlite:${join(sqliteDir, "day.db")}`);
      const [sqliteOneDay] = await time(() => sqliteDay.writeDay(syntheticDay("2021-03-01", names)));
      await sqliteDay.close();
      report("SQLite: one day, 5,000 symbols, first run", sqliteOneDay, 5000);
    }

    console.log(`stock-rsi persist benchmark: MariaDB ${server.version} (throwaway; innodb_flush_log_at_trx_commit=1, doublewrite on, 256 MB buffer pool; TCP 127.0.0.1, account stock_rsi), Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average before ${loadBefore}, after ${load()}`);
    console.log("");
    console.log("| scenario | time | rows/s | note |");
    console.log("| --- | ---: | ---: | --- |");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  } finally {
    await server.destroy();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}

await main();

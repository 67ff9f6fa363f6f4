/**
 * All of a day or none of it, on a real MariaDB: a connection killed in the middle of writing a
 * day, a server that restarts while the step runs, and one that stays away past the deadline.
 *
 * To catch the writer mid-transaction without hooks in the code, a root session holds a row lock
 * on the day's row of the wide `stocks` table, which the writer updates after it has written the
 * long table's rows. The writer waits there with its rows written but not committed; the test
 * sees it in information_schema.INNODB_TRX and kills its connection, as a MySQL pod restart would.
 */
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { UserError } from "../../steps/domain/errors.ts";
import { openStore } from "../../steps/store/open-store.ts";
import { captureIo, tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { holdDayRow, killWritersUntil } from "../support/mariadb-faults.ts";
import { dayOf } from "../steps/store/days.ts";
import { writeValidated } from "../steps/persist/validated-artifact.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-atomic-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

const SYMBOLS = Array.from({ length: 900 }, (_, i) => `S${i}`);
const valuesOf = (rsi: number) => Object.fromEntries(SYMBOLS.map((s) => [s, rsi]));

async function storedDay(db: TestDatabase, date: string): Promise<{ values: Map<number, number>; runIds: Set<string>; wide: Record<string, unknown> }> {
  const rows = await server.query<RowDataPacket[]>(`SELECT rsi, run_id FROM \`${db.name}\`.rsi_values WHERE trade_date = ?`, [date]);
  const values = new Map<number, number>();
  for (const r of rows) values.set(Number(r.rsi), (values.get(Number(r.rsi)) ?? 0) + 1);
  const wide = await server.query<RowDataPacket[]>(`SELECT S0, S450, S899 FROM \`${db.name}\`.stocks WHERE date = ?`, [date]);
  return { values, runIds: new Set(rows.map((r) => String(r.run_id))), wide: { ...wide[0] } };
}

describe("one trading day, one transaction", () => {
  it("a connection killed mid-write, and killed again on every retry, leaves the day as it was", async () => {
    const db = await server.createDatabase("killed");
    const first = await openStore(db.url, { env: db.env });
    await first.writeDay(dayOf("2021-05-17", valuesOf(10), { runId: "first" }));
    await first.close();

    const lock = await holdDayRow(server, db, "2021-05-17");
    const lines: string[] = [];
    const store = await openStore(`${db.url}?retry-deadline=2`, { env: db.env, log: (l) => lines.push(l) });
    const writing = store.writeDay(dayOf("2021-05-17", valuesOf(20), { runId: "second" }));
    const killed = await killWritersUntil(server, writing);
    const refusal = await writing.then(
      () => undefined,
      (err: unknown) => err,
    );
    await lock.release();
    await store.close();

    // Every attempt had written all 900 long rows (and its run record was still to come) when it died.
    expect(killed.length).toBeGreaterThanOrEqual(2);
    for (const rows of killed) expect(rows).toBe(900);
    expect(refusal).toBeInstanceOf(UserError);
    expect((refusal as UserError).exitCode).toBe(3);
    expect((refusal as Error).message).toMatch(
      new RegExp(
        `^mysql://stock_rsi@127\\.0\\.0\\.1:\\d+/${db.name}: could not store 2021-05-17: (the server closed the connection|Connection was killed); gave up after ${killed.length} attempts in \\d+ s \\(retry-deadline=2\\); nothing of this run was committed: 2021-05-17 holds what it held before$`,
      ),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/: (the server closed the connection|Connection was killed); retrying for up to 2 s$/);

    const day = await storedDay(db, "2021-05-17");
    expect(day.values).toEqual(new Map([[10, 900]]));
    expect(day.runIds).toEqual(new Set(["first"]));
    expect(day.wide).toEqual({ S0: 10, S450: 10, S899: 10 });
    expect(await server.query(`SELECT run_id FROM \`${db.name}\`.rsi_runs ORDER BY run_id`)).toEqual([{ run_id: "first" }]);
  });

  it("a new day whose connection dies mid-write leaves no trace of that day", async () => {
    const db = await server.createDatabase("newday");
    const first = await openStore(db.url, { env: db.env });
    await first.writeDay(dayOf("2021-05-14", valuesOf(10), { runId: "friday" }));
    await first.close();

    // No row for Monday yet: FOR UPDATE on the missing key takes a gap lock, which holds the writer's INSERT.
    const lock = await holdDayRow(server, db, "2021-05-17", 0);
    const store = await openStore(`${db.url}?retry-deadline=1`, { env: db.env });
    const writing = store.writeDay(dayOf("2021-05-17", valuesOf(20), { runId: "monday" }));
    const killed = await killWritersUntil(server, writing);
    const refusal = await writing.then(
      () => undefined,
      (err: unknown) => err,
    );
    await lock.release();
    await store.close();

    expect(killed.length).toBeGreaterThanOrEqual(1);
    for (const rows of killed) expect(rows).toBe(900);
    expect((refusal as Error).message).toMatch(/could not store 2021-05-17: .*; nothing of this run was committed: 2021-05-17 holds what it held before$/);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values WHERE trade_date = '2021-05-17'`)).toEqual([{ n: 0 }]);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.stocks WHERE date = '2021-05-17'`)).toEqual([{ n: 0 }]);
    expect(await server.query(`SELECT run_id FROM \`${db.name}\`.rsi_runs`)).toEqual([{ run_id: "friday" }]);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)).toEqual([{ n: 900 }]);
  });

  it("a connection killed once mid-write is retried, and the day is then written whole, once", async () => {
    const db = await server.createDatabase("retried");
    const first = await openStore(db.url, { env: db.env });
    await first.writeDay(dayOf("2021-05-17", valuesOf(10), { runId: "first" }));
    await first.close();

    const lock = await holdDayRow(server, db, "2021-05-17");
    const lines: string[] = [];
    const store = await openStore(db.url, { env: db.env, log: (l) => lines.push(l) });
    const writing = store.writeDay(dayOf("2021-05-17", valuesOf(20), { runId: "second" }));
    const killed = await killWritersUntil(server, writing, 1);
    await lock.release();
    const summary = await writing;
    await store.close();

    expect(killed).toEqual([900]);
    expect(summary).toMatchObject({ inserted: 0, updated: 900 });
    expect(lines).toHaveLength(1);
    const day = await storedDay(db, "2021-05-17");
    expect(day.values).toEqual(new Map([[20, 900]]));
    expect(day.runIds).toEqual(new Set(["second"]));
    expect(day.wide).toEqual({ S0: 20, S450: 20, S899: 20 });
  });
});

describe("the server going away", () => {
  it("persist waits for a restarting server, then stores the day", async () => {
    const db = await server.createDatabase("restart");
    const artifact = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 46.89, MSFT: 65.05 } }, "restart.json");
    await server.stop();
    const io = captureIo({ env: db.env });
    const persisting = runCli(["persist", "--in", artifact, "--db", `${db.url}?retry-deadline=30`], io);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.start();
    expect(await persisting).toBe(0);
    expect(io.stderr()).toContain(`persist: mysql://stock_rsi@127.0.0.1:${server.port}/${db.name}: connection refused by 127.0.0.1:${server.port} (is the server running?); retrying for up to 30 s`);
    expect(io.stdout()).toBe("MSFT 65.05\nAAPL 46.89\n");
    expect(await server.query(`SELECT symbol, rsi FROM \`${db.name}\`.rsi_values ORDER BY symbol`)).toEqual([
      { symbol: "AAPL", rsi: 46.89 },
      { symbol: "MSFT", rsi: 65.05 },
    ]);
  });

  it("a server away past the deadline: one line, exit status 3, and the previous values intact", async () => {
    const db = await server.createDatabase("away");
    const before = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 46.89 } }, "before.json");
    expect(await runCli(["persist", "--in", before, "--db", db.url], captureIo({ env: db.env }))).toBe(0);

    await server.stop();
    const after = writeValidated(dir.path, { tradeDate: "2021-05-17", values: { AAPL: 12.34 } }, "after.json");
    const io = captureIo({ env: db.env });
    const started = Date.now();
    const code = await runCli(["persist", "--in", after, "--db", `${db.url}?retry-deadline=1`], io);
    const elapsed = Date.now() - started;
    await server.start();

    expect(code).toBe(3);
    const lines = io.stderr().trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^stock-rsi: mysql://stock_rsi@127\\.0\\.0\\.1:${server.port}/${db.name}: could not bring the schema up to date: connection refused by 127\\.0\\.0\\.1:${server.port} \\(is the server running\\?\\); gave up after \\d+ attempts in \\d+ s \\(retry-deadline=1\\)$`,
      ),
    );
    expect(elapsed).toBeLessThan(10_000);
    expect(io.stdout()).toBe("");
    expect(await server.query(`SELECT symbol, rsi FROM \`${db.name}\`.rsi_values`)).toEqual([{ symbol: "AAPL", rsi: 46.89 }]);
  });
});

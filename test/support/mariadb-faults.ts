/**
 * Catching a writer in the middle of a day's transaction on a real MariaDB, without hooks in the
 * code: a root session locks the day's row of the wide `stocks` table, which the writer updates
 * only after it has written the long table's rows. The writer then waits with its rows written
 * and not committed, visible in information_schema.INNODB_TRX as `LOCK WAIT`; the test can kill
 * its connection (as a MySQL pod restart would), its process, or the server itself.
 */
import mysql from "mysql2/promise";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { expect } from "vitest";
import type { MariaDbServer, TestDatabase } from "./mariadb.ts";

/** A root session holding the lock on one day's row of `stocks` (or the gap where it would be), until released. */
export async function holdDayRow(server: MariaDbServer, db: TestDatabase, date: string, expectRows = 1): Promise<{ release: () => Promise<void> }> {
  const conn: Connection = await mysql.createConnection({ socketPath: server.socket, user: "root" });
  await conn.query("START TRANSACTION");
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT date FROM \`${db.name}\`.stocks WHERE date = ? FOR UPDATE`, [date]);
  expect(rows).toHaveLength(expectRows);
  return {
    release: async () => {
      await conn.query("ROLLBACK").catch(() => {});
      await conn.end().catch(() => {});
    },
  };
}

/** A transaction waiting for the held row: its connection's thread id and the rows it has written. */
export interface WaitingWriter {
  readonly thread: number;
  readonly rowsWritten: number;
}

/** The writers waiting for a lock right now (not counting the caller's own session). */
export async function waitingWriters(server: MariaDbServer): Promise<WaitingWriter[]> {
  const rows = await server.query<RowDataPacket[]>(
    "SELECT trx_mysql_thread_id AS id, trx_rows_modified AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id <> CONNECTION_ID()",
  );
  return rows.map((r) => ({ thread: Number(r.id), rowsWritten: Number(r.n) }));
}

/** Waits until a writer has written `rows` rows and waits for the held row; fails after `timeoutMs`. */
export async function writerMidTransaction(server: MariaDbServer, rows: number, timeoutMs = 60_000): Promise<WaitingWriter> {
  const giveUpAt = Date.now() + timeoutMs;
  while (Date.now() < giveUpAt) {
    const writer = (await waitingWriters(server)).find((w) => w.rowsWritten === rows);
    if (writer) return writer;
    // InnoDB refreshes what INNODB_TRX shows only when it was last read over 0.1 s ago.
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`no writer with ${rows} rows written was waiting within ${timeoutMs / 1000} s`);
}

/**
 * Kills each connection whose transaction is waiting for the held row (so it has written its
 * long-table rows and not committed), until `done` settles, or after `times` kills or 10 s.
 * Returns how many rows each killed transaction had written.
 */
export async function killWritersUntil(server: MariaDbServer, done: Promise<unknown>, times = Infinity): Promise<number[]> {
  const giveUpAt = Date.now() + 10_000;
  let settled = false;
  void done.then(
    () => (settled = true),
    () => (settled = true),
  );
  const killedThreads = new Set<number>();
  const killed: number[] = [];
  while (!settled && killed.length < times && Date.now() < giveUpAt) {
    for (const writer of await waitingWriters(server)) {
      if (killedThreads.has(writer.thread)) continue;
      const accepted = await server.query(`KILL CONNECTION ${writer.thread}`).then(
        () => true,
        () => false,
      );
      if (!accepted) continue;
      killedThreads.add(writer.thread);
      killed.push(writer.rowsWritten);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return killed;
}

/**
 * Reading a SQLite file the way the tests check what a run stored. better-sqlite3 12 aborts the
 * process on Node 24.19+ when the garbage collector destroys one of its objects
 * (nodejs/node#65446; see `keepAlive` in steps/store/sqlite.ts), so everything opened
 * here is kept reachable for the life of the test process, as the store does.
 */
import Database from "better-sqlite3";
import { keepAlive } from "../../steps/store/sqlite.ts";

/** All rows of one query against the file, opened read-only and closed again. */
export function querySqlite<Row>(file: string, sql: string, ...params: unknown[]): Row[] {
  const db = keepAlive(new Database(file, { readonly: true, fileMustExist: true }));
  try {
    return keepAlive(db.prepare<unknown[], Row>(sql)).all(...params);
  } finally {
    db.close();
  }
}

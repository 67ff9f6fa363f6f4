/** Reading a SQLite file the way the tests check what a run stored. */
import Database from "better-sqlite3";

/** All rows of one query against the file, opened read-only and closed again. */
export function querySqlite<Row>(file: string, sql: string, ...params: unknown[]): Row[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<unknown[], Row>(sql).all(...params);
  } finally {
    db.close();
  }
}

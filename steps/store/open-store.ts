/**
 * `--db URL` → a store.
 * - `sqlite:PATH`: the embedded default, a file;
 * - `mysql://USER@HOST:PORT/DATABASE[?options]`: a MySQL or MariaDB server (see
 *   `mysql/connection.ts` for the password and TLS options);
 * - `none` (handled by the commands): do not store.
 */
import { UserError } from "../domain/errors.ts";
import { readBoundedText } from "../files/bounded-read.ts";
import type { Migration } from "./migrations.ts";
import { parseMysqlUrl } from "./mysql/connection.ts";
import { redact } from "../domain/redact.ts";
import type { RsiStore } from "./store.ts";
import { openSqliteStore } from "./sqlite.ts";


export interface OpenStoreOptions {
  /** Where passwords come from (`MYSQL_PASSWORD`, `MYSQL_PASSWORD_FILE`); the process environment by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * `write` (default) brings the schema up to date, migrating under a lock when it is behind.
   * `read` never writes: it requires the schema current, so a read-only account can use it.
   */
  readonly access?: "write" | "read";
  /** MySQL: also maintain the user's wide `stocks` table (default true). */
  readonly wideTable?: boolean;
  /** Lines for stderr, e.g. that the server is away and the command is retrying, or that a read skipped a row that is not a value. */
  readonly log?: (line: string) => void;
  /** The schema to bring the database to; tests add versions to exercise the migrator. */
  readonly migrations?: readonly Migration[];
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<RsiStore> {
  const access = options.access ?? "write";
  checkDatabaseUrl(url);
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    return openSqliteStore(path, {
      access,
      ...(options.log ? { log: options.log } : {}),
      ...(options.migrations ? { migrations: options.migrations } : {}),
    });
  }
  if (url.startsWith("mysql://")) {
    const target = parseMysqlUrl(url, { env: options.env ?? process.env, readFile: readBoundedText });
    // Loaded only when asked for, so a laptop run on SQLite never loads the MySQL driver.
    const { openMysqlStore } = await import("./mysql/store.ts");
    return openMysqlStore(target, {
      access,
      wideTable: options.wideTable ?? true,
      ...(options.log ? { log: options.log } : {}),
      ...(options.migrations ? { migrations: options.migrations } : {}),
    });
  }
  throw new UserError(`--db: unsupported database URL "${redact(url)}"; use sqlite:PATH, mysql://USER@HOST:PORT/DATABASE or none`);
}

/**
 * Refuses a `--db` value that cannot name a store, without opening anything or reading any
 * password file: `run` calls it before the first step, so a typo in the URL does not wait for the
 * whole fetch to be reported. `none` passes (the commands handle it).
 */
export function checkDatabaseUrl(url: string): void {
  if (url === "none") return;
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") throw new UserError(`--db: "${url}" names no file; use sqlite:PATH, e.g. sqlite:stock-rsi.db`);
    if (path === ":memory:" || path.startsWith("file::memory:")) {
      throw new UserError(`--db: "${redact(url)}" is a database in memory, gone when the command ends; give a file (sqlite:PATH), or --no-store`);
    }
    return;
  }
  if (url.startsWith("mysql://")) {
    // The URL's shape only: the password and TLS files are read when the store is opened.
    parseMysqlUrl(url, { env: {}, readFile: () => "" });
    return;
  }
  throw new UserError(`--db: unsupported database URL "${redact(url)}"; use sqlite:PATH, mysql://USER@HOST:PORT/DATABASE or none`);
}

/**
 * `--db URL` → a store.
 * - `sqlite:PATH`: the embedded default, a file;
 * - `mysql://USER@HOST:PORT/DATABASE[?options]`: a MySQL or MariaDB server (see
 *   `mysql/connection.ts` for the password and TLS options);
 * - `none` (handled by the commands): do not store.
 */
import { statSync } from "node:fs";
import { UserError } from "../domain/errors.ts";
import { readBoundedText } from "../files/bounded-read.ts";
import { refuseUnlessRegularOrNew, type NamedFile } from "../files/output-files.ts";
import type { Migration } from "./migrations.ts";
import { checkSocketPath, parseMysqlUrl } from "./mysql/connection.ts";
import { redact } from "../domain/redact.ts";
import type { RsiStore } from "./store.ts";
import { openSqliteStore } from "./sqlite.ts";
import { SQLITE_SIDE_FILES } from "../files/sqlite-file.ts";


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
    const target = parseMysqlUrl(url, { env: options.env ?? process.env, readFile: readBoundedText, notASocket });
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
 * password file (it only looks at what a `socket=` path is): `run` calls it before the first
 * step, so a typo in the URL does not wait for the whole fetch to be reported. `none` passes (the
 * commands handle it). A SQLite path that exists
 * must be a regular file (a directory, a FIFO or a device is refused).
 */
export function checkDatabaseUrl(url: string): void {
  if (url === "none") return;
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") throw new UserError(`--db: "${url}" names no file; use sqlite:PATH, e.g. sqlite:stock-rsi.db`);
    if (path === ":memory:" || path.startsWith("file::memory:")) {
      throw new UserError(`--db: "${redact(url)}" is a database in memory, gone when the command ends; give a file (sqlite:PATH), or --no-store`);
    }
    // SQLite would open a FIFO or a device as a database, and create its journal beside it.
    refuseUnlessRegularOrNew(path, `--db ${redact(url)}`, "give a database file or a new path");
    return;
  }
  if (url.startsWith("mysql://")) {
    // The URL's shape, and that its socket can be one; the password and TLS files are read when the store is opened.
    const { socketPath } = parseMysqlUrl(url);
    if (socketPath !== undefined) checkSocketPath(socketPath, notASocket);
    return;
  }
  throw new UserError(`--db: unsupported database URL "${redact(url)}"; use sqlite:PATH, mysql://USER@HOST:PORT/DATABASE or none`);
}

/**
 * The files a `--db` URL has the command keep or read, which none of its outputs may be (see
 * `files/output-files.ts`): the SQLite file, written in place, with the files SQLite keeps beside
 * it; for MySQL, the password file and the TLS files it reads. Nothing is opened or read here, and
 * a malformed URL names no file: `openStore` refuses it.
 */
export function databaseFiles(url: string, env: Readonly<Record<string, string | undefined>>): { keeps: NamedFile[]; reads: NamedFile[] } {
  if (url.startsWith("sqlite:") && url.length > "sqlite:".length) {
    const shown = `--db ${redact(url)}`;
    const store = { path: url.slice("sqlite:".length), named: shown, role: `the database (${shown})` };
    return { keeps: [{ ...store, sideFiles: { suffixes: SQLITE_SIDE_FILES, role: `a file SQLite keeps beside the database (${shown})` } }], reads: [] };
  }
  if (!url.startsWith("mysql://")) return { keeps: [], reads: [] };
  const reads: NamedFile[] = [];
  if (env.MYSQL_PASSWORD_FILE) reads.push({ path: env.MYSQL_PASSWORD_FILE, role: "the password file (MYSQL_PASSWORD_FILE)" });
  let options: URLSearchParams | undefined;
  try {
    options = new URL(url).searchParams;
  } catch {
    options = undefined;
  }
  for (const option of ["ssl-ca", "ssl-cert", "ssl-key", "socket"]) {
    const path = options?.get(option);
    if (path) reads.push({ path, role: `the ${option} of --db` });
  }
  return { keeps: [], reads };
}

/** What is at `path` if it is there and is not a socket, in words ("a directory"); undefined otherwise. */
function notASocket(path: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    // Missing, or not ours to look at: the connection says which, naming the path.
    return undefined;
  }
  if (stat.isSocket()) return undefined;
  if (stat.isDirectory()) return "a directory";
  if (stat.isFile()) return "a regular file";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isFIFO()) return "a FIFO";
  return "something else";
}

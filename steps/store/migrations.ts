/**
 * The schema of the long table, as versioned migrations: one list, written once, with the SQL for
 * each store beside each other, so SQLite and MySQL are always at the same version and hold the
 * same tables. A store applies the versions it has not applied yet, in order, and refuses a
 * database whose version is newer than this list (an older stock-rsi must not write into a
 * schema it does not know).
 *
 * The migrator here drives the whole procedure (`bringUpToDate`, `requireCurrent`); a store only
 * lends it three operations on its database (`SchemaAccess`):
 * - SQLite records the applied version in `PRAGMA user_version` and applies migrations inside one
 *   `BEGIN IMMEDIATE` transaction, which also keeps two processes from migrating at once.
 * - MySQL records each applied version in `schema_migrations` and applies migrations while it
 *   holds a named database lock (`GET_LOCK`), so two runs never migrate at once. MySQL commits
 *   every DDL statement implicitly, so a migration cannot be rolled back: each statement must be
 *   safe to run again after a crash half-way (`CREATE TABLE IF NOT EXISTS`, ...).
 *
 * The MySQL statements stay in the dialect MySQL 8.4 and MariaDB 10.11 share (docs/decisions.md):
 * every table names its collation, `utf8mb4_bin` / `ascii_bin`, which both servers have.
 */
import { UserError } from "../domain/errors.ts";

export interface Migration {
  readonly version: number;
  /** One line: what this version adds. Printed by `stock-rsi migrate`. */
  readonly summary: string;
  /** SQLite: one script, run with `exec()` inside the migration transaction. */
  readonly sqlite: string;
  /** MySQL / MariaDB: statements run one by one; each must be safe to run twice. */
  readonly mysql: readonly string[];
}

/** Longest symbol the tables hold; the symbols file allows 20 characters (`MAX_SYMBOL_LENGTH`). */
const SYMBOL_COLUMN = "VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin";
const METHOD_COLUMN = "VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin";
const RUN_ID_COLUMN = "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
const MYSQL_TABLE_OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: "rsi_values (one row per trading day, symbol, method and period) and rsi_runs (one row per stored run)",
    // Exactly the first SQLite schema stock-rsi ever wrote: files written before migrations were shared
    // are at user_version 1 and must stay valid.
    sqlite: `CREATE TABLE rsi_runs (
       run_id        TEXT PRIMARY KEY,
       trade_date    TEXT NOT NULL,
       as_of         TEXT NOT NULL,
       source        TEXT NOT NULL,
       method        TEXT NOT NULL,
       period        INTEGER NOT NULL,
       ranked        INTEGER NOT NULL,
       failed        INTEGER NOT NULL,
       written_at    TEXT NOT NULL
     );
     CREATE TABLE rsi_values (
       trade_date    TEXT NOT NULL,
       symbol        TEXT NOT NULL,
       method        TEXT NOT NULL,
       period        INTEGER NOT NULL,
       rsi           REAL NOT NULL,
       close         REAL,
       close_date    TEXT,
       run_id        TEXT NOT NULL,
       PRIMARY KEY (trade_date, symbol, method, period)
     );
     CREATE INDEX rsi_values_by_symbol ON rsi_values (symbol, method, period, trade_date);`,
    mysql: [
      `CREATE TABLE IF NOT EXISTS rsi_runs (
         run_id        ${RUN_ID_COLUMN} NOT NULL,
         trade_date    DATE NOT NULL,
         as_of         DATE NOT NULL,
         source        VARCHAR(255) NOT NULL,
         method        ${METHOD_COLUMN} NOT NULL,
         period        INT NOT NULL,
         ranked        INT NOT NULL,
         failed        INT NOT NULL,
         written_at    DATETIME(3) NOT NULL,
         PRIMARY KEY (run_id)
       ) ${MYSQL_TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS rsi_values (
         trade_date    DATE NOT NULL,
         symbol        ${SYMBOL_COLUMN} NOT NULL,
         method        ${METHOD_COLUMN} NOT NULL,
         period        INT NOT NULL,
         rsi           DOUBLE NOT NULL,
         close         DOUBLE NULL,
         close_date    DATE NULL,
         run_id        ${RUN_ID_COLUMN} NOT NULL,
         PRIMARY KEY (trade_date, symbol, method, period),
         KEY rsi_values_by_symbol (symbol, method, period, trade_date)
       ) ${MYSQL_TABLE_OPTIONS}`,
    ],
  },
  {
    version: 2,
    summary: "rsi_runs keyed by trading day, method, period and run id, so a run id used again on another day keeps both records",
    // Version 1 keyed a run record by its run id alone: `--run-id daily` on Tuesday replaced
    // Monday's record, and Monday's report then said "run unknown". The new key starts with the
    // columns the report looks a day's run up by. SQLite cannot change a primary key in place, so
    // the table is copied (in the migration's transaction: all of it or none).
    sqlite: `CREATE TABLE rsi_runs_v2 (
       run_id        TEXT NOT NULL,
       trade_date    TEXT NOT NULL,
       as_of         TEXT NOT NULL,
       source        TEXT NOT NULL,
       method        TEXT NOT NULL,
       period        INTEGER NOT NULL,
       ranked        INTEGER NOT NULL,
       failed        INTEGER NOT NULL,
       written_at    TEXT NOT NULL,
       PRIMARY KEY (trade_date, method, period, run_id)
     );
     INSERT INTO rsi_runs_v2 (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
       SELECT run_id, trade_date, as_of, source, method, period, ranked, failed, written_at FROM rsi_runs;
     DROP TABLE rsi_runs;
     ALTER TABLE rsi_runs_v2 RENAME TO rsi_runs;`,
    // One statement, so a crash leaves the old key or the new one; run again, it sets the same key.
    mysql: ["ALTER TABLE rsi_runs DROP PRIMARY KEY, ADD PRIMARY KEY (trade_date, method, period, run_id)"],
  },
];

/** The version a database has once every migration here is applied. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The migrations a database at `current` still needs, in order. Throws on a newer schema. */
export function pendingMigrations(current: number, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const target = migrations.length;
  if (current > target) throw new SchemaTooNewError(current, target);
  return migrations.filter((m) => m.version > current);
}

/** The database was migrated by a newer stock-rsi; writing into it could corrupt what that one wrote. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly current: number,
    readonly known: number,
  ) {
    super(`the schema is at version ${current}, newer than this stock-rsi knows (${known}); upgrade stock-rsi`);
  }
}

/** What opening a store did to its schema. */
export interface SchemaState {
  /** The version found. 0 for a database stock-rsi never wrote to. */
  readonly before: number;
  /** The version now. */
  readonly after: number;
  /** The summaries of the migrations applied, in order. */
  readonly applied: readonly string[];
}

/** The three things the migrator needs a store to do to its database. */
export interface SchemaAccess {
  /** The version the database records; 0 when stock-rsi never wrote to it. */
  version(): Promise<number>;
  /** Runs `work` while no other stock-rsi can migrate this database; undoes what it can if `work` fails. */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  /** Applies one migration and records its version. */
  apply(migration: Migration): Promise<void>;
}

/** Applies the pending migrations, if any, under the store's lock. Throws on a newer schema. */
export async function bringUpToDate(access: SchemaAccess, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaState> {
  const before = await access.version();
  if (pendingMigrations(before, migrations).length === 0) return { before, after: before, applied: [] };
  return access.exclusively(async () => {
    // Another run may have migrated while this one waited for the lock.
    const todo = pendingMigrations(await access.version(), migrations);
    for (const migration of todo) await access.apply(migration);
    return { before, after: migrations.length, applied: todo.map((m) => `v${m.version}: ${m.summary}`) };
  });
}

/**
 * For a reader, which must not write: the schema must already be this stock-rsi's. `description`
 * names the database in the message; `migrateHint` says how to bring it up to date.
 */
export async function requireCurrent(access: SchemaAccess, description: string, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaState> {
  const version = await access.version();
  if (version === 0) {
    throw new UserError(`${description}: no stock-rsi tables in this database; nothing is stored there yet (stock-rsi persist or migrate creates them)`);
  }
  if (pendingMigrations(version, migrations).length > 0) {
    throw new UserError(
      `${description}: the schema is at version ${version}, this stock-rsi needs ${migrations.length}; run stock-rsi migrate --db ${description} as the pipeline account`,
    );
  }
  return { before: version, after: version, applied: [] };
}

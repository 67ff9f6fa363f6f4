/**
 * The embedded store: one SQLite file through better-sqlite3, for laptops and for trying the
 * pipeline without a database server. `--db sqlite:PATH`.
 *
 * It holds the same long table as MySQL, from the same migration list (`../migrations.ts`), and
 * passes the same repository tests. It keeps no wide `stocks` table: that table exists for the
 * user's Excel charts, which read the MySQL server over ODBC, not a file on a laptop; here
 * `stock-rsi history` gives the same view of the values over time.
 */
import Database from "better-sqlite3";
import { UnavailableError, UserError } from "../domain/errors.ts";
import { MIGRATIONS, pendingMigrations, SchemaTooNewError, type Migration } from "./migrations.ts";
import { historyStatement } from "./history-query.ts";
import {
  LEGACY_SERIES,
  type DayWrite,
  type HistoryQuery,
  type HistoryRow,
  type LegacyImport,
  type LegacyImportResult,
  type RsiStore,
  type SchemaState,
  type WriteSummary,
  valuesNotIn,
} from "./store.ts";

/**
 * Every better-sqlite3 object this module creates, kept reachable for the life of the process.
 *
 * Why: better-sqlite3 12 wraps databases and statements in `node::ObjectWrap`, and the
 * `ObjectWrap` of Node 24.19 and later removes an environment cleanup hook in its destructor,
 * which aborts the process (`Assertion failed: (env) != nullptr` in
 * `node::RemoveEnvironmentCleanupHook`) when the garbage collector destroys the object outside
 * a JavaScript context, e.g. in an idle-time GC (nodejs/node#65446; better-sqlite3 13, a Node-API
 * rewrite without the problem, needs Node 22+, and this project also runs on Node 20). An object
 * that is never collected is never destroyed that way. A command opens a store a few times and
 * prepares a handful of statements each time, so this keeps a few dozen small objects. Drop it
 * when the project moves to better-sqlite3 13.
 */
const keptAlive: object[] = [];
export function keepAlive<T extends object>(thing: T): T {
  keptAlive.push(thing);
  return thing;
}

export interface SqliteStoreOptions {
  /** `write` creates the file and brings the schema up to date; `read` opens it read-only and requires it current. */
  readonly access: "write" | "read";
  readonly migrations?: readonly Migration[];
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = { access: "write" }): RsiStore {
  const migrations = options.migrations ?? MIGRATIONS;
  const description = `sqlite:${path}`;
  let db: Database.Database;
  let schema: SchemaState;
  try {
    if (options.access === "read") {
      db = keepAlive(new Database(path, { readonly: true, fileMustExist: true }));
      schema = requireCurrentSchema(db, description, migrations);
    } else {
      db = keepAlive(new Database(path));
      // exec, not pragma(): pragma() prepares a statement and drops it (see keepAlive).
      db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000");
      schema = migrate(db, migrations);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    if (err instanceof SchemaTooNewError) throw new UnavailableError(`${description}: ${err.message}`);
    if (options.access === "read" && /unable to open|does not exist/i.test((err as Error).message)) {
      throw new UserError(`${description}: no such database file; nothing is stored there yet (stock-rsi run stores into sqlite:stock-rsi.db by default)`);
    }
    throw new UnavailableError(`${description}: cannot open the database (${(err as Error).message})`);
  }

  const writable = options.access === "write";
  const existingSymbols = writable
    ? keepAlive(db.prepare<[string, string, number], string>("SELECT symbol FROM rsi_values WHERE trade_date = ? AND method = ? AND period = ?").pluck())
    : undefined;
  const upsert = writable
    ? keepAlive(db.prepare(
        `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id)
         VALUES (@tradeDate, @symbol, @method, @period, @rsi, @close, @closeDate, @runId)
         ON CONFLICT (trade_date, symbol, method, period) DO UPDATE SET
           rsi = excluded.rsi, close = excluded.close, close_date = excluded.close_date, run_id = excluded.run_id`,
      ))
    : undefined;
  const insertLegacy = writable
    ? keepAlive(
        db.prepare(
          `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id)
           VALUES (?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT DO NOTHING`,
        ),
      )
    : undefined;
  const existingLegacyKeys = writable
    ? keepAlive(
        db.prepare<[string, number, string, string], { trade_date: string; symbol: string }>(
          "SELECT trade_date, symbol FROM rsi_values WHERE method = ? AND period = ? AND trade_date BETWEEN ? AND ?",
        ),
      )
    : undefined;
  const recordRun = writable
    ? keepAlive(
        db.prepare(
          `INSERT OR REPLACE INTO rsi_runs (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
           VALUES (@runId, @tradeDate, @asOf, @source, @method, @period, @ranked, @failed, @writtenAt)`,
        ),
      )
    : undefined;

  const writeDay = db.transaction((day: DayWrite): WriteSummary => {
    const existing = new Set(existingSymbols!.all(day.tradeDate, day.method, day.period));
    for (const r of day.results) {
      upsert!.run({
        tradeDate: day.tradeDate,
        symbol: r.symbol,
        method: day.method,
        period: day.period,
        rsi: r.rsi,
        close: r.close,
        closeDate: r.date,
        runId: day.runId,
      });
    }
    recordRun!.run({
      runId: day.runId,
      tradeDate: day.tradeDate,
      asOf: day.asOf,
      source: day.source,
      method: day.method,
      period: day.period,
      ranked: day.results.length,
      failed: day.failures.length,
      writtenAt: new Date().toISOString(),
    });
    const updated = day.results.filter((r) => existing.has(r.symbol)).length;
    return { inserted: day.results.length - updated, updated };
  });

  const importLegacy = db.transaction((batch: LegacyImport): LegacyImportResult => {
    const dates = batch.values.map((v) => v.date).sort();
    const existing = existingLegacyKeys!.all(LEGACY_SERIES.method, LEGACY_SERIES.period, dates[0]!, dates.at(-1)!);
    const inserted = valuesNotIn(batch.values, new Set(existing.map((r) => `${r.trade_date} ${r.symbol}`)));
    for (const v of inserted) insertLegacy!.run(v.date, v.symbol, LEGACY_SERIES.method, LEGACY_SERIES.period, v.rsi, batch.runId);
    if (inserted.length > 0) {
      const last = inserted.reduce((max, v) => (v.date > max ? v.date : max), inserted[0]!.date);
      recordRun!.run({
        runId: batch.runId,
        tradeDate: last,
        asOf: last,
        source: batch.source,
        method: LEGACY_SERIES.method,
        period: LEGACY_SERIES.period,
        ranked: inserted.length,
        failed: 0,
        writtenAt: new Date().toISOString(),
      });
    }
    return { inserted };
  });

  /** SQLITE_BUSY and friends as the one line a user reads; a bug stays a bug. */
  const guarded = <T>(doing: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (typeof code === "string" && code.startsWith("SQLITE_")) {
        throw new UnavailableError(`${description}: could not ${doing}: ${(err as Error).message} (${code})`);
      }
      throw err;
    }
  };

  return {
    description,
    schema,
    async writeDay(day) {
      return guarded(`store ${day.tradeDate}`, () => writeDay.immediate(day));
    },
    async history(query: HistoryQuery): Promise<HistoryRow[]> {
      if (query.symbols.length === 0) return [];
      const { sql, params } = historyStatement(query);
      return guarded("read the history", () => keepAlive(db.prepare<unknown[], HistoryRow>(sql)).all(...params));
    },
    async importLegacy(batch) {
      if (batch.values.length === 0) return { inserted: [] };
      return guarded("import the legacy values", () => importLegacy.immediate(batch));
    },
    async close() {
      db.close();
    },
  };
}

function userVersion(db: Database.Database): () => number {
  const statement = keepAlive(db.prepare<[], number>("PRAGMA user_version").pluck());
  return () => statement.get()!;
}

function migrate(db: Database.Database, migrations: readonly Migration[]): SchemaState {
  const version = userVersion(db);
  const before = version();
  if (pendingMigrations(before, migrations).length === 0) return { before, after: before, applied: [] };
  // BEGIN IMMEDIATE takes the write lock first, so a second process waits, then finds nothing to do.
  return db
    .transaction((): SchemaState => {
      const todo = pendingMigrations(version(), migrations);
      for (const migration of todo) {
        db.exec(migration.sqlite);
        db.exec(`PRAGMA user_version = ${migration.version}`);
      }
      return { before, after: migrations.length, applied: todo.map((m) => `v${m.version}: ${m.summary}`) };
    })
    .immediate();
}

function requireCurrentSchema(db: Database.Database, description: string, migrations: readonly Migration[]): SchemaState {
  const version = userVersion(db)();
  if (version === 0) throw new UserError(`${description}: not a stock-rsi database, or nothing is stored in it yet`);
  if (pendingMigrations(version, migrations).length > 0) {
    throw new UserError(`${description}: the schema is at version ${version}, this stock-rsi needs ${migrations.length}; run stock-rsi migrate --db ${description}`);
  }
  return { before: version, after: version, applied: [] };
}

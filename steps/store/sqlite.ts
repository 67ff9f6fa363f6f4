/**
 * The embedded store: one SQLite file through better-sqlite3, for laptops and for trying the
 * pipeline without a database server. `--db sqlite:PATH`.
 *
 * It holds the same long table as MySQL, from the same migration list (`../migrations.ts`), and
 * passes the same repository tests. It keeps no wide `stocks` table: that table exists for the
 * user's Excel charts, which read the MySQL server over ODBC, not a file on a laptop; here
 * `stock-rsi history` gives the same view of the values over time.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";
import { RefusedError, UnavailableError, UserError } from "../domain/errors.ts";
import { redact } from "../domain/redact.ts";
import { bringUpToDate, MIGRATIONS, requireCurrent, SchemaTooNewError, type Migration, type SchemaAccess, type SchemaState } from "./migrations.ts";
import { historyStatement, latestRunStatement, originsStatement, runsStatement, storedSeriesStatement, type Statement } from "./history-query.ts";
import { StoredRows } from "./stored-rows.ts";
import type { StoredOriginRow, StoredRunRow, StoredSeriesRow, StoredValueRow } from "../domain/stored-values.ts";
import {
  LEGACY_SERIES,
  type DayWrite,
  type DaysQuery,
  type HistoryQuery,
  type HistoryRow,
  type RecordedRun,
  type Series,
  type SeriesRange,
  type StoredRun,
  type LegacyImport,
  type LegacyImportResult,
  type RsiStore,
  type ValueOrigin,
  type WriteSummary,
  refuseClosedDays,
  valuesNotIn,
  legacyCounts,
  legacyDateRange,
  legacyValues,
} from "./store.ts";

export interface SqliteStoreOptions {
  /** `write` creates the file and brings the schema up to date; `read` opens it read-only and requires it current. */
  readonly access: "write" | "read";
  readonly migrations?: readonly Migration[];
  /** Lines for stderr: the rows a read skipped because they are not values (`./stored-rows.ts`). */
  readonly log?: (line: string) => void;
}

/**
 * How long a command waits for another process's write to finish before it reports the file as
 * busy (exit 3). A day is one short transaction, so two runs on one file take turns.
 */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (`write`: creates) the file and brings the schema up to date, or checks it is (`read`).
 *
 * The file is kept in SQLite's default rollback-journal mode, not WAL. A WAL file can be read only
 * by a process that can create its `-shm` file beside it, so `history` would need write access to
 * the directory; with a rollback journal, reading needs read access to the file and nothing else.
 * What WAL would add, readers that never wait for a writer, is worth nothing here: a day is one
 * transaction of milliseconds, and readers wait for it (`busy_timeout`). Every writer sets the
 * mode when it opens the file, so a file an older stock-rsi left in WAL mode is converted the next
 * time anything writes it.
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = { access: "write" }): Promise<RsiStore> {
  const migrations = options.migrations ?? MIGRATIONS;
  const description = redact(`sqlite:${path}`);
  let db: Database.Database | undefined;
  try {
    if (options.access === "read") {
      if (!existsSync(path)) {
        throw new UserError(`${description}: no such database file; nothing is stored there yet (stock-rsi run stores into sqlite:stock-rsi.db by default)`);
      }
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      return new SqliteReader(db, description, await requireCurrent(schemaAccess(db), description, migrations), options.log);
    }
    db = new Database(path);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = DELETE`);
    return new SqliteStore(db, description, await bringUpToDate(schemaAccess(db), migrations), options.log);
  } catch (err) {
    db?.close();
    if (err instanceof UserError) throw err;
    if (err instanceof SchemaTooNewError) throw new RefusedError(`${description}: ${err.message}`);
    if (options.access === "read" && isWalFile(path) && /unable to open|readonly/i.test((err as Error).message)) {
      throw new RefusedError(
        `${description}: cannot read it without write access to its directory: it is in WAL mode, which an older stock-rsi set; run stock-rsi migrate --db ${description} once as a user who can write it`,
      );
    }
    throw sqliteFailure(err, `${description}: cannot open the database (${(err as Error).message})`);
  }
}

/** Whether the file's header says WAL mode (bytes 18 and 19 are 2; see "Database File Format"). */
function isWalFile(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const header = Buffer.alloc(20);
      return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** A database opened read-only: history, nothing else. */
class SqliteReader implements RsiStore {
  private readonly rows: StoredRows;

  constructor(
    protected readonly db: Database.Database,
    readonly description: string,
    readonly schema: SchemaState,
    log: (line: string) => void = () => {},
  ) {
    this.rows = new StoredRows(description, log);
  }

  async writeDay(day: DayWrite): Promise<WriteSummary> {
    throw new Error(`${this.description} was opened read-only; cannot store ${day.tradeDate}`);
  }

  async importLegacy(_batch: LegacyImport): Promise<LegacyImportResult> {
    throw new Error(`${this.description} was opened read-only; cannot import`);
  }

  async history(query: HistoryQuery): Promise<HistoryRow[]> {
    if (query.symbols?.length === 0) return [];
    return this.rows.values(this.read<StoredValueRow>("read the history", historyStatement(query)), query);
  }

  async origins(query: HistoryQuery): Promise<ValueOrigin[]> {
    if (query.symbols?.length === 0) return [];
    return this.rows.origins(this.read<StoredOriginRow>("read where the values came from", originsStatement(query)), query);
  }

  async tradingDays(range: DaysQuery): Promise<string[]> {
    return this.rows.tradingDays(range, async (statement) => this.read<StoredValueRow>("read the stored trading days", statement));
  }

  async latestRun(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Promise<StoredRun | undefined> {
    return this.rows.latestRun(this.read<StoredRunRow>(`read the run stored for ${tradeDate}`, latestRunStatement(tradeDate, series)), tradeDate, series);
  }

  async storedSeries(): Promise<Series[]> {
    return this.rows.series(this.read<StoredSeriesRow>("read the stored series", storedSeriesStatement()));
  }

  async runs(series: Series): Promise<RecordedRun[]> {
    return this.rows.runs(this.read<StoredRunRow & { writtenAt: unknown }>("read the stored runs", runsStatement(series)), series);
  }

  async close(): Promise<void> {
    this.rows.finish();
    this.db.close();
  }

  private read<Row>(doing: string, { sql, params }: Statement): Row[] {
    return this.guarded(doing, () => this.db.prepare<unknown[], Row>(sql).all(...params));
  }

  /** SQLITE_BUSY and friends as the one line a user reads; a bug stays a bug. */
  protected guarded<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (typeof code === "string" && code.startsWith("SQLITE_")) {
        throw sqliteFailure(err, `${this.description}: could not ${doing}: ${(err as Error).message} (${code})`);
      }
      throw err;
    }
  }
}

/** A database opened for writing: a day in one transaction, legacy values that fill gaps. */
class SqliteStore extends SqliteReader {
  private readonly statements;

  constructor(db: Database.Database, description: string, schema: SchemaState, log?: (line: string) => void) {
    super(db, description, schema, log);
    this.statements = {
      storedSymbols: db.prepare<[string, string, number], string>("SELECT symbol FROM rsi_values WHERE trade_date = ? AND method = ? AND period = ?").pluck(),
      upsertValue: db.prepare(
        `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id)
         VALUES (@tradeDate, @symbol, @method, @period, @rsi, @close, @closeDate, @runId)
         ON CONFLICT (trade_date, symbol, method, period) DO UPDATE SET
           rsi = excluded.rsi, close = excluded.close, close_date = excluded.close_date, run_id = excluded.run_id`,
      ),
      insertLegacy: db.prepare(
        `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id)
         VALUES (?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT DO NOTHING`,
      ),
      storedLegacyKeys: db.prepare<[string, number, string, string], { trade_date: string; symbol: string }>(
        "SELECT trade_date, symbol FROM rsi_values WHERE method = ? AND period = ? AND trade_date BETWEEN ? AND ?",
      ),
      // One record per trading day, series and run id (schema version 2): the same run stored again on its day replaces it.
      recordRun: db.prepare(
        `INSERT OR REPLACE INTO rsi_runs (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
         VALUES (@runId, @tradeDate, @asOf, @source, @method, @period, @ranked, @failed, @writtenAt)`,
      ),
    };
  }

  override async writeDay(day: DayWrite): Promise<WriteSummary> {
    refuseClosedDays(day, this.description);
    // BEGIN IMMEDIATE: the write lock first, so two runs on one file take turns.
    return this.guarded(`store ${day.tradeDate}`, () => this.db.transaction(() => this.writeDayNow(day)).immediate());
  }

  override async importLegacy(batch: LegacyImport): Promise<LegacyImportResult> {
    const range = legacyDateRange(batch.table);
    if (range === undefined) return { inserted: batch.table };
    return this.guarded("import the legacy values", () => this.db.transaction(() => this.importNow(batch, range)).immediate());
  }

  private writeDayNow(day: DayWrite): WriteSummary {
    const existing = new Set(this.statements.storedSymbols.all(day.tradeDate, day.method, day.period));
    for (const r of day.results) {
      this.statements.upsertValue.run({
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
    this.recordRun({ ...day, ranked: day.results.length, failed: day.failures.length });
    const updated = day.results.filter((r) => existing.has(r.symbol)).length;
    return { inserted: day.results.length - updated, updated };
  }

  private importNow(batch: LegacyImport, read: { first: string; last: string }): LegacyImportResult {
    const existing = this.statements.storedLegacyKeys.all(LEGACY_SERIES.method, LEGACY_SERIES.period, read.first, read.last);
    const inserted = valuesNotIn(batch.table, new Set(existing.map((r) => `${r.trade_date} ${r.symbol}`)));
    for (const v of legacyValues(inserted)) this.statements.insertLegacy.run(v.date, v.symbol, LEGACY_SERIES.method, LEGACY_SERIES.period, v.rsi, batch.runId);
    const range = legacyDateRange(inserted);
    if (range) {
      const { last } = range;
      this.recordRun({ runId: batch.runId, tradeDate: last, asOf: last, source: batch.source, ...LEGACY_SERIES, ranked: legacyCounts(inserted).values, failed: 0 });
    }
    return { inserted };
  }

  private recordRun(run: Pick<DayWrite, "runId" | "tradeDate" | "asOf" | "source" | "method" | "period"> & { ranked: number; failed: number }): void {
    const { runId, tradeDate, asOf, source, method, period, ranked, failed } = run;
    this.statements.recordRun.run({ runId, tradeDate, asOf, source, method, period, ranked, failed, writtenAt: new Date().toISOString() });
  }
}

/**
 * A SQLite error with the exit status that says whether waiting helps: the file locked by another
 * writer for longer than the busy timeout (SQLITE_BUSY, SQLITE_LOCKED) may be free later (exit 3);
 * anything else (a read-only file or directory, a full disk, a file that is not a database, a
 * path that cannot be opened) stays as it is until someone changes it (exit 4).
 */
function sqliteFailure(err: unknown, message: string): UserError {
  const code = String((err as { code?: string }).code ?? "");
  return /^SQLITE_(BUSY|LOCKED)/.test(code) ? new UnavailableError(message) : new RefusedError(message);
}

/**
 * What the migrator (`./migrations.ts`) may do here: read `PRAGMA user_version`, hold the write
 * lock (`BEGIN IMMEDIATE`: a second process waits, then finds nothing to do), and run a
 * migration's script and record its version, all in one transaction.
 */
function schemaAccess(db: Database.Database): SchemaAccess {
  const userVersion = db.prepare<[], number>("PRAGMA user_version").pluck();
  return {
    async version() {
      return userVersion.get()!;
    },
    async exclusively(work) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work();
        db.exec("COMMIT");
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw err;
      }
    },
    async apply(migration) {
      db.exec(migration.sqlite);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    },
  };
}

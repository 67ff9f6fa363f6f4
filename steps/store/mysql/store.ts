/**
 * The MySQL store: the cluster's database (MySQL 8.4), and any MySQL-protocol server (the tests
 * use MariaDB 10.11). `--db mysql://USER@HOST:PORT/DATABASE`, see `../mysql/connection.ts`.
 *
 * How it keeps its promises:
 * - **One day, one transaction.** The long rows, the wide-table row and the run record of a day
 *   are written between one START TRANSACTION and one COMMIT, on one connection. If the
 *   connection dies half-way the server rolls the transaction back: nothing of that day is
 *   written. Schema changes (migrations, a new symbol's column) are DDL, which MySQL commits on
 *   its own, so they run before the transaction; each is harmless to repeat.
 * - **Last run wins.** `INSERT ... ON DUPLICATE KEY UPDATE col = VALUES(col)`: a second run on a
 *   day updates the values it computed and never fails on the key.
 * - **Transient failures retried.** A refused or cut connection, a deadlock or a lock timeout
 *   retries the whole operation, with backoff, until `retry-deadline`; then the command fails
 *   with one line and exit status 3, and the database holds what it held before.
 * - **Migrations under a lock.** `GET_LOCK('stock_rsi_migrate.<db>')` (both servers) around
 *   reading and applying the schema version, so two runs never migrate at once.
 * - **Prepared statements** for every value (mysql2 `execute`); identifiers that cannot be
 *   parameters (the wide table's symbol columns) are checked against the ticker alphabet first.
 *
 * Every statement stays in the dialect MySQL 8.4 and MariaDB 10.11 share (docs/decisions.md).
 */
import mysql from "mysql2/promise";
import type { Pool, PoolConnection, RowDataPacket } from "mysql2/promise";
import { RefusedError, UnavailableError, UserError } from "../../domain/errors.ts";
import { connectionOptions, sessionSettings, type MysqlTarget } from "./connection.ts";
import { classifyMysqlError, describeMysqlError, isTransientMysqlError } from "./errors.ts";
import { bringUpToDate, MIGRATIONS, requireCurrent, SchemaTooNewError, type Migration, type SchemaAccess, type SchemaState } from "../migrations.ts";
import { RetriesExhausted, withRetry } from "../retry.ts";
import { historyStatement, latestRunStatement, originsStatement, runsStatement, storedSeriesStatement, type Statement } from "../history-query.ts";
import { StoredRows } from "../stored-rows.ts";
import type { StoredOriginRow, StoredRunRow, StoredSeriesRow, StoredValueRow } from "../../domain/stored-values.ts";
import { isIsoDate } from "../../domain/dates.ts";
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
  type LegacyTable,
  type RsiStore,
  type WideTableContent,
  type WideTableOutcome,
  type WideTableShape,
  type ValueOrigin,
  type WriteSummary,
  refuseClosedDays,
  valuesNotIn,
  legacyCounts,
  legacyDateRange,
  legacySymbolsWithValues,
  legacyValues,
} from "../store.ts";
import {
  addColumnsSql,
  assertColumnRoom,
  columnsToAdd,
  columnTypeProblem,
  createTableSql,
  fillEmptyCells,
  tableIdentifier,
  upsertDay,
  wideDayOf,
  wideTableShapeProblem,
  wideTableSkipReason,
  DATE_COLUMN,
  WIDE_TABLE,
  type ExistingColumn,
} from "./wide-table.ts";

export interface MysqlStoreOptions {
  /** `write` brings the schema up to date; `read` requires it current and never writes. */
  readonly access: "write" | "read";
  /** Maintain the user's wide `stocks` table beside the long table. */
  readonly wideTable: boolean;
  readonly migrations?: readonly Migration[];
  /** One line to stderr, e.g. that the server is away and the step is retrying. */
  readonly log?: (line: string) => void;
}

/** Rows per INSERT: 8 placeholders each, far below the 65,535 a prepared statement may have. */
const ROWS_PER_STATEMENT = 1000;

/** Opens a pool to the server and brings the schema up to date (`write`) or checks it is (`read`). */
export async function openMysqlStore(target: MysqlTarget, options: MysqlStoreOptions): Promise<RsiStore> {
  const pool = mysql.createPool({
    ...connectionOptions(target),
    connectionLimit: 2,
    dateStrings: true,
    timezone: "Z",
    multipleStatements: false,
    enableKeepAlive: true,
  });
  // A pooled connection that breaks while idle is dropped by the pool; the next attempt gets a new one.
  pool.on("connection", (connection) => connection.on("error", () => {}));
  const session = new Session(pool, target, options.log ?? (() => {}));
  try {
    const migrations = options.migrations ?? MIGRATIONS;
    const schema =
      options.access === "write"
        ? await session.run("bring the schema up to date", (conn) => bringUpToDate(schemaAccess(conn, target), migrations))
        : await session.run("read the schema version", (conn) => requireCurrent(schemaAccess(conn, target), target.description, migrations));
    return new MysqlStore(session, schema, options.wideTable, options.log ?? (() => {}));
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * The pool and how every operation uses it: on one pooled connection, its lock-wait bound set
 * first (`sessionSettings`), retried from the start through transient failures until the target's
 * retry deadline, any failure ending as the one line the user reads.
 */
class Session {
  constructor(
    readonly pool: Pool,
    readonly target: MysqlTarget,
    private readonly log: (line: string) => void,
  ) {}

  /** `doing` completes "could not ..." in the message; `afterFailure` says what the database holds then. */
  async run<T>(doing: string, operation: (conn: PoolConnection) => Promise<T>, afterFailure?: () => string): Promise<T> {
    try {
      return await withRetry(
        async () => {
          const conn = await this.pool.getConnection();
          try {
            await conn.query(sessionSettings(this.target));
            const result = await operation(conn);
            conn.release();
            return result;
          } catch (err) {
            // The server rolls back whatever this connection had not committed.
            conn.destroy();
            throw err;
          }
        },
        this.target.retry,
        {
          isTransient: isTransientMysqlError,
          onRetry: (err, attempt) => {
            if (attempt === 1) {
              this.log(`${this.target.description}: ${describeMysqlError(err, this.target)}; retrying for up to ${this.target.retry.deadlineMs / 1000} s`);
            }
          },
        },
      );
    } catch (err) {
      throw asUserError(err, this.target, doing, afterFailure?.());
    }
  }
}

class MysqlStore implements RsiStore {
  readonly description: string;
  private readonly rows: StoredRows;

  constructor(
    private readonly session: Session,
    readonly schema: SchemaState,
    /** Whether to keep the user's wide `stocks` table beside the long table. */
    private readonly wideTable: boolean,
    log: (line: string) => void,
  ) {
    this.description = session.target.description;
    this.rows = new StoredRows(this.description, log);
  }

  async writeDay(day: DayWrite): Promise<WriteSummary> {
    refuseClosedDays(day, this.description);
    const skip = this.wideTable ? wideTableSkipReason(day) : undefined;
    const wide = this.wideTable && skip === undefined ? wideDayOf(day) : undefined;
    // Whether a COMMIT was ever sent without its answer arriving: then it may have gone through.
    let commitInDoubt = false;
    return this.session.run(
      `store ${day.tradeDate}`,
      async (conn) => {
        const columnsAdded = wide ? await ensureWideColumns(conn, this.description, [...wide.computed.map((c) => c.symbol), ...wide.failed]) : [];
        await conn.beginTransaction();
        const existing = await storedSymbols(conn, day);
        await upsertValues(conn, day);
        if (wide) {
          const { sql, params } = upsertDay(wide);
          await conn.execute(sql, params);
        }
        await conn.execute(RECORD_RUN_SQL, [day.runId, day.tradeDate, day.asOf, day.source, day.method, day.period, day.results.length, day.failures.length]);
        commitInDoubt = true;
        await conn.commit();
        commitInDoubt = false;
        const updated = day.results.filter((r) => existing.has(r.symbol)).length;
        const wideTable: WideTableOutcome | undefined = wide
          ? { written: true, columnsAdded, ...(wide.withoutColumn.length > 0 ? { withoutColumn: wide.withoutColumn } : {}) }
          : skip
            ? { written: false, reason: skip }
            : undefined;
        return { inserted: day.results.length - updated, updated, ...(wideTable ? { wideTable } : {}) };
      },
      () =>
        commitInDoubt
          ? `a COMMIT was under way when the connection broke, so ${day.tradeDate} holds either what it held before or all of this run's values, never a mix`
          : `nothing of this run was committed: ${day.tradeDate} holds what it held before`,
    );
  }

  async history(query: HistoryQuery): Promise<HistoryRow[]> {
    if (query.symbols?.length === 0) return [];
    return this.rows.values(await this.read<StoredValueRow>("read the history", historyStatement(query)), query);
  }

  async origins(query: HistoryQuery): Promise<ValueOrigin[]> {
    if (query.symbols?.length === 0) return [];
    return this.rows.origins(await this.read<StoredOriginRow>("read where the values came from", originsStatement(query)), query);
  }

  async tradingDays(range: DaysQuery): Promise<string[]> {
    return this.rows.tradingDays(range, (statement) => this.read<StoredValueRow>("read the stored trading days", statement));
  }

  async latestRun(tradeDate: string, series: Pick<SeriesRange, "method" | "period">): Promise<StoredRun | undefined> {
    const runs = await this.read<StoredRunRow>(`read the run stored for ${tradeDate}`, latestRunStatement(tradeDate, series));
    return this.rows.latestRun(runs, tradeDate, series);
  }

  async storedSeries(): Promise<Series[]> {
    return this.rows.series(await this.read<StoredSeriesRow>("read the stored series", storedSeriesStatement()));
  }

  async runs(series: Series): Promise<RecordedRun[]> {
    return this.rows.runs(await this.read<StoredRunRow & { writtenAt: unknown }>("read the stored runs", runsStatement(series)), series);
  }

  async wideTableShape(): Promise<WideTableShape | undefined> {
    return this.session.run(`read the size of the ${WIDE_TABLE} table`, async (conn) => {
      const columns = await readColumns(conn, WIDE_TABLE);
      if (columns.length === 0) return undefined;
      const symbolColumns = columns.filter((c) => c.name.toLowerCase() !== DATE_COLUMN).length;
      const hasDate = columns.length > symbolColumns;
      const [[row]] = await conn.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n${hasDate ? `, MIN(\`${DATE_COLUMN}\`) AS firstDay, MAX(\`${DATE_COLUMN}\`) AS lastDay` : ""} FROM \`${WIDE_TABLE}\``,
      );
      // A date column of another type (the user's own table) holds anything; show only dates.
      const day = (value: unknown) => (typeof value === "string" && isIsoDate(value) ? value : undefined);
      const firstDay = day(row?.firstDay);
      const lastDay = day(row?.lastDay);
      return { symbolColumns, rows: Number(row?.n ?? 0), ...(firstDay ? { firstDay } : {}), ...(lastDay ? { lastDay } : {}) };
    });
  }

  /** The rows as the server returns them: DOUBLE as a number, DATE as `YYYY-MM-DD` text (`dateStrings`), anything else as it is. */
  private read<Row>(doing: string, { sql, params }: Statement): Promise<Row[]> {
    return this.session.run(doing, async (conn) => (await conn.execute<RowDataPacket[]>(sql, params))[0] as unknown as Row[]);
  }

  async importLegacy(batch: LegacyImport): Promise<LegacyImportResult> {
    const read = legacyDateRange(batch.table);
    if (read === undefined) return { inserted: batch.table };
    const fill = batch.fillWideTable && this.wideTable;
    return this.session.run("import the legacy values", async (conn) => {
      if (fill) await ensureWideColumns(conn, this.description, legacySymbolsWithValues(batch.table));
      await conn.beginTransaction();
      const inserted = valuesNotIn(batch.table, await storedLegacyKeys(conn, read));
      await insertLegacy(conn, inserted, batch.runId);
      if (fill) for (const { sql, params } of fillEmptyCells(batch.table)) await conn.execute(sql, params);
      const range = legacyDateRange(inserted);
      if (range) {
        const { last } = range;
        await conn.execute(RECORD_RUN_SQL, [batch.runId, last, last, batch.source, LEGACY_SERIES.method, LEGACY_SERIES.period, legacyCounts(inserted).values, 0]);
      }
      await conn.commit();
      return { inserted };
    });
  }

  async readWideTable(table: string): Promise<WideTableContent> {
    const quoted = tableIdentifier(table, "--from-table");
    return this.session.run(`read the table ${table}`, async (conn) => {
      const columns = await readColumns(conn, table);
      if (columns.length === 0) {
        throw new UserError(`--from-table: there is no table ${table} in ${this.description} (or ${this.session.target.user} may not read it)`);
      }
      if (!columns.some((c) => c.name.toLowerCase() === "date")) {
        throw new UserError(`--from-table: ${table} has no \`date\` column; is it the original program's wide table?`);
      }
      // The text protocol (query, not execute) returns FLOAT cells as the server prints them (45.65).
      const [rows] = await conn.query<RowDataPacket[]>({ sql: `SELECT * FROM ${quoted} ORDER BY \`date\``, rowsAsArray: true });
      return { table, columns: columns.map((c) => ({ name: c.name, type: c.type })), rows: rows as unknown as unknown[][] };
    });
  }

  async close(): Promise<void> {
    this.rows.finish();
    await this.session.pool.end();
  }
}

/** The symbols already stored for the day's series, locked until the transaction ends. */
async function storedSymbols(conn: PoolConnection, day: DayWrite): Promise<Set<string>> {
  const [rows] = await conn.execute<RowDataPacket[]>(
    "SELECT symbol FROM rsi_values WHERE trade_date = ? AND method = ? AND period = ? FOR UPDATE",
    [day.tradeDate, day.method, day.period],
  );
  return new Set(rows.map((r) => r.symbol as string));
}

async function upsertValues(conn: PoolConnection, day: DayWrite): Promise<void> {
  for (let i = 0; i < day.results.length; i += ROWS_PER_STATEMENT) {
    const chunk = day.results.slice(i, i + ROWS_PER_STATEMENT);
    await conn.execute(upsertValuesSql(chunk.length), chunk.flatMap((r) => [day.tradeDate, r.symbol, day.method, day.period, r.rsi, r.close, r.date, day.runId]));
  }
}

/** `date symbol` of the legacy series' values already stored in the batch's date range, locked. */
async function storedLegacyKeys(conn: PoolConnection, { first, last }: { first: string; last: string }): Promise<Set<string>> {
  const [rows] = await conn.execute<RowDataPacket[]>(
    "SELECT trade_date, symbol FROM rsi_values WHERE method = ? AND period = ? AND trade_date BETWEEN ? AND ? FOR UPDATE",
    [LEGACY_SERIES.method, LEGACY_SERIES.period, first, last],
  );
  return new Set(rows.map((r) => `${r.trade_date as string} ${r.symbol as string}`));
}

/** The table's values, ROWS_PER_STATEMENT to an INSERT, taken from the table as they are sent. */
async function insertLegacy(conn: PoolConnection, table: LegacyTable, runId: string): Promise<void> {
  let params: (string | number)[] = [];
  const send = async () => {
    if (params.length > 0) await conn.execute(insertLegacySql(params.length / 6), params);
    params = [];
  };
  for (const v of legacyValues(table)) {
    params.push(v.date, v.symbol, LEGACY_SERIES.method, LEGACY_SERIES.period, v.rsi, runId);
    if (params.length === ROWS_PER_STATEMENT * 6) await send();
  }
  await send();
}

/**
 * Makes sure the wide table exists, has its shape and has a column for every symbol; returns the
 * columns it added. DDL commits on its own, so this runs before the day's transaction.
 */
async function ensureWideColumns(conn: PoolConnection, description: string, symbols: readonly string[]): Promise<string[]> {
  for (let round = 1; ; round++) {
    let columns = await readColumns(conn, WIDE_TABLE);
    if (columns.length === 0) {
      await conn.query(createTableSql());
      columns = await readColumns(conn, WIDE_TABLE);
    }
    const problem = wideTableShapeProblem(columns);
    if (problem) throw new RefusedError(`${description}: ${problem}; fix the table, or store without it (--no-wide-table)`);
    const typeProblem = columnTypeProblem(columns, symbols);
    if (typeProblem) throw new RefusedError(`${description}: ${typeProblem}`);
    const adding = columnsToAdd(
      columns.map((c) => c.name),
      symbols,
    );
    if (adding.length === 0) return [];
    assertColumnRoom(columns.length, adding);
    try {
      await conn.query(addColumnsSql(adding));
      return adding;
    } catch (err) {
      // Another run added one of these columns a moment ago: read the table again.
      if ((err as { errno?: number }).errno === 1060 && round < 3) continue;
      throw err;
    }
  }
}

function upsertValuesSql(rows: number): string {
  return `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id) VALUES ${tuples(rows, 8)}
    ON DUPLICATE KEY UPDATE rsi = VALUES(rsi), close = VALUES(close), close_date = VALUES(close_date), run_id = VALUES(run_id)`;
}

/** Legacy values only fill gaps: a duplicate (a concurrent run wrote it a moment ago) is kept as it is. */
function insertLegacySql(rows: number): string {
  return `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, run_id) VALUES ${tuples(rows, 6)}
    ON DUPLICATE KEY UPDATE run_id = run_id`;
}

/**
 * A run's record, one per trading day, series and run id (schema version 2): the same run stored
 * again on its day (an Argo retry, a re-run) updates it; the same run id on another day is
 * another record.
 */
const RECORD_RUN_SQL = `INSERT INTO rsi_runs (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
  ON DUPLICATE KEY UPDATE as_of = VALUES(as_of), source = VALUES(source), ranked = VALUES(ranked), failed = VALUES(failed), written_at = VALUES(written_at)`;

function tuples(rows: number, columns: number): string {
  const tuple = `(${new Array<string>(columns).fill("?").join(", ")})`;
  return new Array<string>(rows).fill(tuple).join(", ");
}

async function readColumns(conn: PoolConnection, table: string): Promise<ExistingColumn[]> {
  const [rows] = await conn.execute<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_TYPE AS declared, NUMERIC_PRECISION AS \`precision\`, NUMERIC_SCALE AS scale,
        COLUMN_KEY AS \`key\` FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [table],
  );
  const count = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return rows.map((r) => ({
    name: String(r.name),
    type: String(r.type).toLowerCase(),
    declared: String(r.declared).toLowerCase(),
    precision: count(r.precision),
    scale: count(r.scale),
    key: String(r.key ?? ""),
  }));
}

/** The named lock two stock-rsi processes take before migrating one database (names are at most 64 characters). */
export function migrationLockName(database: string): string {
  return `stock_rsi_migrate.${database}`.slice(0, 64);
}

/**
 * What the migrator (`../migrations.ts`) may do here: read the version from `schema_migrations`,
 * hold the named lock, and apply a migration's statements and record it.
 */
function schemaAccess(conn: PoolConnection, target: MysqlTarget): SchemaAccess {
  return {
    async version() {
      const [tables] = await conn.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'schema_migrations'",
      );
      if (Number(tables[0]!.n) === 0) return 0;
      const [rows] = await conn.query<RowDataPacket[]>("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations");
      return Number(rows[0]!.v);
    },
    async exclusively(work) {
      const lock = migrationLockName(target.database);
      const waitSeconds = Math.max(1, Math.round(target.retry.deadlineMs / 1000));
      const [got] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS got", [lock, waitSeconds]);
      if (Number(got[0]!.got) !== 1) {
        throw new UnavailableError(`${target.description}: another stock-rsi has been migrating this database for ${waitSeconds} s (lock ${lock}); try again when it is done`);
      }
      try {
        return await work();
      } finally {
        await conn.query("SELECT RELEASE_LOCK(?)", [lock]);
      }
    },
    async apply(migration) {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version     INT NOT NULL,
          summary     VARCHAR(255) NOT NULL,
          applied_at  DATETIME(3) NOT NULL,
          PRIMARY KEY (version)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
      for (const statement of migration.mysql) await conn.query(statement);
      await conn.execute("INSERT INTO schema_migrations (version, summary, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))", [migration.version, migration.summary]);
    },
  };
}

/**
 * Any failure as the one line the user reads, with the exit status that says whether waiting can
 * help: 3 once a transient failure outlasted the retry deadline, 4 for a refusal (see
 * `classifyMysqlError`); a bug stays a bug.
 */
function asUserError(err: unknown, target: MysqlTarget, doing: string, afterFailure: string | undefined): unknown {
  if (err instanceof UserError) return err;
  // A newer stock-rsi wrote this schema: no retry makes this one able to write it.
  if (err instanceof SchemaTooNewError) return new RefusedError(`${target.description}: ${err.message}`);
  if (err instanceof RetriesExhausted) {
    const seconds = Math.round(err.elapsedMs / 1000);
    return new UnavailableError(
      `${target.description}: could not ${doing}: ${describeMysqlError(err.lastError, target)}; gave up after ${err.attempts} attempts in ${seconds} s (retry-deadline=${target.retry.deadlineMs / 1000})` +
        (afterFailure ? `; ${afterFailure}` : ""),
    );
  }
  const kind = classifyMysqlError(err);
  if (kind === "bug") return err;
  const message = `${target.description}: could not ${doing}: ${describeMysqlError(err, target)}` + (afterFailure ? `; ${afterFailure}` : "");
  return kind === "transient" ? new UnavailableError(message) : new RefusedError(message);
}

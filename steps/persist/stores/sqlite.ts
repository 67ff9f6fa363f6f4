/**
 * The embedded store: one SQLite file through better-sqlite3, for laptops and for trying the
 * pipeline without a database server. `--db sqlite:PATH`.
 */
import Database from "better-sqlite3";
import { UnavailableError } from "../../domain/errors.ts";
import type { DayWrite, HistoryQuery, HistoryRow, RsiStore, WriteSummary } from "../store.ts";

/** Schema versions, applied in order; the applied version is kept in `PRAGMA user_version`. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE rsi_runs (
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
];

export function openSqliteStore(path: string): RsiStore {
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    migrate(db);
  } catch (err) {
    throw new UnavailableError(`sqlite:${path}: cannot open the database (${(err as Error).message})`);
  }

  const exists = db.prepare<[string, string, string, number], { n: number }>(
    "SELECT COUNT(*) AS n FROM rsi_values WHERE trade_date = ? AND symbol = ? AND method = ? AND period = ?",
  );
  const upsert = db.prepare(
    `INSERT INTO rsi_values (trade_date, symbol, method, period, rsi, close, close_date, run_id)
     VALUES (@tradeDate, @symbol, @method, @period, @rsi, @close, @closeDate, @runId)
     ON CONFLICT (trade_date, symbol, method, period) DO UPDATE SET
       rsi = excluded.rsi, close = excluded.close, close_date = excluded.close_date, run_id = excluded.run_id`,
  );
  const recordRun = db.prepare(
    `INSERT OR REPLACE INTO rsi_runs (run_id, trade_date, as_of, source, method, period, ranked, failed, written_at)
     VALUES (@runId, @tradeDate, @asOf, @source, @method, @period, @ranked, @failed, @writtenAt)`,
  );
  const writeDay = db.transaction((day: DayWrite): WriteSummary => {
    let updated = 0;
    for (const r of day.results) {
      if (exists.get(day.tradeDate, r.symbol, day.method, day.period)!.n > 0) updated++;
      upsert.run({
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
    recordRun.run({
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
    return { inserted: day.results.length - updated, updated };
  });

  return {
    description: `sqlite:${path}`,
    async writeDay(day) {
      return writeDay(day);
    },
    async history(query: HistoryQuery): Promise<HistoryRow[]> {
      const placeholders = query.symbols.map(() => "?").join(", ");
      const sql = `SELECT symbol, trade_date AS date, rsi FROM rsi_values
        WHERE symbol IN (${placeholders}) AND method = ? AND period = ?
          AND trade_date >= ? AND trade_date <= ?
        ORDER BY symbol, trade_date`;
      return db
        .prepare<unknown[], HistoryRow>(sql)
        .all(...query.symbols, query.method ?? "seed", query.period ?? 14, query.from ?? "0000-01-01", query.to ?? "9999-12-31");
    },
    async close() {
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`schema version ${current} is newer than this stock-rsi knows (${MIGRATIONS.length}); upgrade stock-rsi`);
  }
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}

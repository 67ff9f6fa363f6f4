/**
 * The user's wide `stocks` table, kept alive for their Excel charts (ODBC reads it today).
 *
 * Its shape is the original program's: `date DATE PRIMARY KEY` and one FLOAT column per symbol,
 * named as the symbol, holding that day's RSI rounded to two decimals the way Python's `round()`
 * did (half to even), or NULL when the symbol failed that day. A new symbol becomes a new column.
 *
 * What changed from the original:
 * - a row is keyed by the trading day of the data (the validated `tradeDate`), not by the
 *   calendar date the program happened to run on, so a run after midnight or on a Saturday
 *   writes Friday's row instead of inventing a Saturday;
 * - a second run on the same day updates the row instead of failing on the primary key; like the
 *   long table, it overwrites the values it computed and keeps the ones it could not compute;
 * - a symbol becomes a column name only if it is a ticker (`SYMBOL_PATTERN`: `A-Z 0-9 . - ^ =`,
 *   at most 20 characters), and is always quoted; the original pasted it into SQL unescaped;
 * - the table holds one series: RSI method `seed`, period 14, the one its history was computed
 *   with. A run with another method or period leaves it alone rather than mix two series.
 *
 * This module is pure: it plans rows and writes SQL text; the MySQL store runs it.
 */
import { UserError } from "../../domain/errors.ts";
import { roundHalfEven } from "../../domain/ranking.ts";
import { isTicker } from "../../domain/symbols.ts";
import { LEGACY_SERIES, legacySymbolsWithValues, type DayWrite, type LegacyTable } from "../store.ts";

export const WIDE_TABLE = "stocks";
export const DATE_COLUMN = "date";

/**
 * InnoDB allows at most 1017 columns in a table (MySQL 8.4 Reference Manual, "InnoDB Limits";
 * MariaDB KB, "InnoDB Limitations"), so the wide table holds at most 1016 symbols beside `date`.
 */
export const MAX_TABLE_COLUMNS = 1017;

/**
 * A symbol as a quoted column name. Only tickers get here (the persist step refuses anything else
 * before it opens the database), so a failure here is a bug, never a user's mistake.
 */
export function symbolColumn(symbol: string): string {
  if (!isTicker(symbol)) throw new Error(`refusing to use ${JSON.stringify(symbol)} as a column name: not a ticker`);
  return `\`${symbol}\``;
}

/** A table name the user gave (`--from-table`), checked and quoted. */
export function tableIdentifier(name: string, flag: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new UserError(`${flag}: "${name}" is not a plain table name; use letters, digits and _ (at most 64)`);
  }
  return `\`${name}\``;
}

/** Whether a run's values belong in the wide table: only the series its history is made of. */
export function wideTableSkipReason(day: Pick<DayWrite, "method" | "period">): string | undefined {
  if (day.method === LEGACY_SERIES.method && day.period === LEGACY_SERIES.period) return undefined;
  return `it holds method ${LEGACY_SERIES.method}, period ${LEGACY_SERIES.period} only; this run is ${day.method}, period ${day.period}`;
}

/** One day's row: the values as the table stores them, and the symbols that failed. */
export interface WideDay {
  readonly date: string;
  readonly computed: readonly { readonly symbol: string; readonly value: number }[];
  /** Failed symbols: NULL in a new row; an existing value is kept (last run wins only for values). */
  readonly failed: readonly string[];
  /** Symbols that cannot have a column here (see `hasOwnColumn`); the long table keeps their values. */
  readonly withoutColumn: readonly string[];
}

/**
 * Whether a symbol can have its own column. `DATE` is a ticker (letters only) but its column would
 * be the table's `date` key itself (column names ignore case): the original program would have
 * written an RSI into the date. Such a symbol is left out of this table, and said so.
 */
export function hasOwnColumn(symbol: string): boolean {
  return symbol.toLowerCase() !== DATE_COLUMN;
}

export function wideDayOf(day: DayWrite): WideDay {
  const computedSymbols = new Set(day.results.map((r) => r.symbol));
  const all = [...computedSymbols, ...day.failures.map((f) => f.symbol)];
  return {
    date: day.tradeDate,
    computed: day.results.filter((r) => hasOwnColumn(r.symbol)).map((r) => ({ symbol: r.symbol, value: roundHalfEven(r.rsi) })),
    failed: [...new Set(day.failures.map((f) => f.symbol))].filter((s) => !computedSymbols.has(s) && hasOwnColumn(s)),
    withoutColumn: [...new Set(all.filter((s) => !hasOwnColumn(s)))],
  };
}

/** The symbols that have no column yet, in first-seen order. Column names compare case-insensitively, as in MySQL. */
export function columnsToAdd(existing: readonly string[], symbols: readonly string[]): string[] {
  const have = new Set(existing.map((c) => c.toUpperCase()));
  const adding: string[] = [];
  for (const symbol of symbols) {
    if (have.has(symbol.toUpperCase())) continue;
    have.add(symbol.toUpperCase());
    adding.push(symbol);
  }
  return adding;
}

/** Refuses, before anything is written, a day that would take the table past InnoDB's column limit. */
export function assertColumnRoom(existingColumns: number, adding: readonly string[]): void {
  const total = existingColumns + adding.length;
  if (total <= MAX_TABLE_COLUMNS) return;
  throw new UserError(
    `${WIDE_TABLE}: adding ${adding.length} symbol columns would give the table ${total} columns, over InnoDB's limit of ${MAX_TABLE_COLUMNS}; ` +
      `store without it (--no-wide-table: every value still goes to rsi_values) or list fewer symbols`,
  );
}

/** A column as information_schema describes it. */
export interface ExistingColumn {
  readonly name: string;
  /** `DATA_TYPE`, lower case: `float`, `double`, `decimal`, `tinyint`, `varchar`, ... */
  readonly type: string;
  /** `COLUMN_TYPE`, as `SHOW CREATE TABLE` writes it: `float`, `decimal(3,0)`, `tinyint(4)`. */
  readonly declared?: string;
  /** `NUMERIC_PRECISION` and `NUMERIC_SCALE`: digits in all and after the point; null where the type has none (FLOAT, DOUBLE). */
  readonly precision?: number | null;
  readonly scale?: number | null;
  /** `PRI` for a primary key column. */
  readonly key: string;
}

/**
 * The type contract of a symbol's column: it must hold every RSI the table is written, 0.00 to
 * 100.00, as written. The original program's columns are FLOAT (the user's own table:
 * test/fixtures/legacy/prod-db.sql), and so are the ones stock-rsi adds; DOUBLE, and a FLOAT,
 * DOUBLE or DECIMAL declared with at least 2 decimals and 3 digits before the point, hold them
 * too. Anything else would change the number without an error: an exact column rounds what is
 * inserted into it (MySQL 8.4 Reference Manual, "Precision Math: Rounding Behavior"), even in
 * strict mode, so 60.42 goes into a TINYINT or a DECIMAL(3,0) as 60 and the INSERT succeeds
 * (test/reliability/wide-table-types.mariadb.test.ts shows it on MariaDB 10.11: that is what persist
 * did before it checked). So the write is refused before anything of the day is written, with the
 * ALTER that fixes it. stock-rsi never alters the user's columns itself: the table is theirs.
 */
export function columnHoldsRsi(column: ExistingColumn): boolean {
  if (!["float", "double", "real", "decimal", "numeric"].includes(column.type)) return false;
  if (column.scale === null || column.scale === undefined) return column.type !== "decimal" && column.type !== "numeric";
  return column.scale >= 2 && (column.precision ?? 0) - column.scale >= 3;
}

/** Why a column cannot hold an RSI, in words a user can check against `SHOW CREATE TABLE`. */
function whyNot(column: ExistingColumn): string {
  const declared = column.declared ?? column.type;
  if (/int$/.test(column.type)) return `${declared}, which keeps no decimals (60.42 would be stored as 60)`;
  if (!["float", "double", "real", "decimal", "numeric"].includes(column.type)) return `${declared}, not a number type`;
  const scale = column.scale ?? 0;
  if (scale < 2) return `${declared}, which keeps ${scale === 0 ? "no decimals" : "1 decimal"} (60.42 would be stored as ${(60.42).toFixed(scale)})`;
  return `${declared}, which holds at most ${"9".repeat(Math.max(0, (column.precision ?? 0) - column.scale!))}.${"9".repeat(column.scale!)} (100.00 would not fit)`;
}

/**
 * Why the day cannot be written, or undefined when it can: the existing columns of its symbols
 * that cannot hold an RSI (`columnHoldsRsi`), each named, and the ALTER that makes them FLOAT like
 * the others. Columns are matched as MySQL matches names, case-insensitively.
 */
export function columnTypeProblem(columns: readonly ExistingColumn[], symbols: readonly string[]): string | undefined {
  const wanted = new Set(symbols.map((s) => s.toUpperCase()));
  const wrong = columns.filter((c) => c.name.toLowerCase() !== DATE_COLUMN && wanted.has(c.name.toUpperCase()) && !columnHoldsRsi(c));
  if (wrong.length === 0) return undefined;
  const named = wrong.map((c) => `${c.name} is ${whyNot(c)}`).join("; ");
  const alter = `ALTER TABLE \`${WIDE_TABLE}\` ${wrong.map((c) => `MODIFY \`${c.name}\` FLOAT NULL`).join(", ")}`;
  return `${WIDE_TABLE} ${wrong.length === 1 ? "column" : "columns:"} ${named}; nothing was written; make ${wrong.length === 1 ? "it" : "them"} FLOAT like the others: ${alter} (or store without the table: --no-wide-table)`;
}

/** Why an existing `stocks` table cannot be maintained, or undefined when it can. */
export function wideTableShapeProblem(columns: readonly ExistingColumn[]): string | undefined {
  const primary = columns.filter((c) => c.key === "PRI").map((c) => c.name.toLowerCase());
  const date = columns.find((c) => c.name.toLowerCase() === DATE_COLUMN);
  if (!date) return `${WIDE_TABLE} has no \`${DATE_COLUMN}\` column`;
  if (primary.length !== 1 || primary[0] !== DATE_COLUMN) {
    return `${WIDE_TABLE}'s primary key is (${primary.join(", ") || "none"}), not (${DATE_COLUMN}), so a second run on a day would add a second row`;
  }
  return undefined;
}

export function createTableSql(): string {
  return `CREATE TABLE IF NOT EXISTS \`${WIDE_TABLE}\` (\`${DATE_COLUMN}\` DATE NOT NULL, PRIMARY KEY (\`${DATE_COLUMN}\`)) ENGINE=InnoDB`;
}

/** One ALTER for all new columns: nullable FLOAT at the end, an instant change on both servers. */
export function addColumnsSql(symbols: readonly string[]): string {
  return `ALTER TABLE \`${WIDE_TABLE}\` ${symbols.map((s) => `ADD COLUMN ${symbolColumn(s)} FLOAT NULL`).join(", ")}`;
}

/** The upsert of one day's row (`VALUES(col)`: see docs/decisions.md on the MySQL dialect). */
export function upsertDay(day: WideDay): { sql: string; params: (string | number)[] } {
  const computed = day.computed.map((c) => symbolColumn(c.symbol));
  const failed = day.failed.map(symbolColumn);
  const columns = [`\`${DATE_COLUMN}\``, ...computed, ...failed];
  const values = ["?", ...computed.map(() => "?"), ...failed.map(() => "NULL")];
  const updates = computed.length > 0 ? computed.map((c) => `${c} = VALUES(${c})`) : [`\`${DATE_COLUMN}\` = \`${DATE_COLUMN}\``];
  return {
    sql: `INSERT INTO \`${WIDE_TABLE}\` (${columns.join(", ")}) VALUES (${values.join(", ")}) ON DUPLICATE KEY UPDATE ${updates.join(", ")}`,
    params: [day.date, ...day.computed.map((c) => c.value)],
  };
}

/**
 * Rows that fill the table's empty cells from imported history: a day's row is created when
 * missing, and a cell is set only where it is NULL, so the values a run wrote are kept and a
 * second import changes nothing. Made one statement at a time, as they are sent. Days are grouped a few dozen to a statement, well under the
 * 65,535 placeholders a prepared statement may have.
 */
export function* fillEmptyCells(table: LegacyTable): Generator<{ sql: string; params: (string | number | null)[] }> {
  const symbols = legacySymbolsWithValues(table);
  if (symbols.length === 0) return;
  const index = symbols.map((s) => table.symbols.indexOf(s));
  const rowsPerStatement = Math.max(1, Math.min(100, Math.floor(30_000 / (symbols.length + 1))));
  const columns = symbols.map(symbolColumn);
  const head = `INSERT INTO \`${WIDE_TABLE}\` (\`${DATE_COLUMN}\`, ${columns.join(", ")}) VALUES `;
  const tail = ` ON DUPLICATE KEY UPDATE ${columns.map((c) => `${c} = COALESCE(${c}, VALUES(${c}))`).join(", ")}`;
  const tuple = `(${["?", ...columns.map(() => "?")].join(", ")})`;
  const days = table.days.filter(({ rsi }) => rsi.some((v) => !Number.isNaN(v))).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 0; i < days.length; i += rowsPerStatement) {
    const chunk = days.slice(i, i + rowsPerStatement);
    const params: (string | number | null)[] = [];
    for (const { date, rsi } of chunk) {
      params.push(date, ...index.map((k) => (Number.isNaN(rsi[k]) ? null : roundHalfEven(rsi[k]!))));
    }
    yield { sql: head + chunk.map(() => tuple).join(", ") + tail, params };
  }
}

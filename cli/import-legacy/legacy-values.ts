/**
 * The user's history, from their wide table to the long table's rows.
 *
 * Each non-NULL cell of the wide table (`date` row, symbol column) is one value: the RSI their
 * original program computed that day, with the `seed` method (pandas ewm, period 14), rounded to
 * two decimals. It is imported as exactly that: method `seed`, period 14, the two-decimal value,
 * no close price (the table never had one), and a run id starting with `import-legacy:`.
 *
 * A NULL cell is a symbol that failed that day: there is nothing to import. A column that is not
 * a ticker or not a number, or a value outside 0-100, is not an RSI: it is skipped and reported.
 * Whether a value is new is for the store to say; this module only reads and counts.
 */
import { isIsoDate } from "../../steps/domain/dates.ts";
import { UserError } from "../../steps/domain/errors.ts";
import { roundHalfEven } from "../../steps/domain/ranking.ts";
import type { LegacyValue, WideTableContent } from "../../steps/store/store.ts";
import { notATicker } from "../../steps/domain/symbols.ts";
import { DATE_COLUMN } from "../../steps/store/mysql/wide-table.ts";

/** Column types a value can come from (the original program used FLOAT). */
const NUMERIC_TYPES = new Set(["float", "double", "real", "decimal", "numeric", "int", "integer", "smallint", "tinyint", "mediumint", "bigint"]);

export interface LegacyReading {
  readonly values: readonly LegacyValue[];
  /** Rows (days) in the table. */
  readonly days: number;
  /** The columns read as symbols. */
  readonly symbols: readonly string[];
  /** NULL cells: a symbol that failed that day. */
  readonly emptyCells: number;
  /** Columns that are not symbols' RSI, with why. */
  readonly refusedColumns: readonly { readonly column: string; readonly reason: string }[];
  /** Cells that are not an RSI (outside 0-100, not a number). */
  readonly invalidCells: readonly { readonly date: string; readonly symbol: string; readonly value: unknown }[];
}

export function legacyValuesOf(table: WideTableContent, label: string): LegacyReading {
  const dateIndex = table.columns.findIndex((c) => c.name.toLowerCase() === DATE_COLUMN);
  if (dateIndex < 0) throw new UserError(`${label}: table ${table.table} has no \`${DATE_COLUMN}\` column; is it the original program's wide table?`);

  const symbolColumns: { index: number; symbol: string }[] = [];
  const refusedColumns: { column: string; reason: string }[] = [];
  table.columns.forEach((column, index) => {
    if (index === dateIndex) return;
    const notTicker = notATicker(column.name, "stored");
    if (notTicker !== undefined) refusedColumns.push({ column: column.name, reason: `the name ${notTicker}` });
    else if (!NUMERIC_TYPES.has(column.type)) refusedColumns.push({ column: column.name, reason: `of type ${column.type}, not a number` });
    else symbolColumns.push({ index, symbol: column.name });
  });

  const values: LegacyValue[] = [];
  const invalidCells: { date: string; symbol: string; value: unknown }[] = [];
  let emptyCells = 0;
  table.rows.forEach((row, r) => {
    const date = row[dateIndex];
    if (typeof date !== "string" || !isIsoDate(date)) {
      throw new UserError(`${label}: row ${r + 1} of ${table.table} has date ${JSON.stringify(date)}, not a date written YYYY-MM-DD`);
    }
    for (const { index, symbol } of symbolColumns) {
      const cell = row[index];
      if (cell === null || cell === undefined) {
        emptyCells++;
        continue;
      }
      const rsi = typeof cell === "number" ? cell : typeof cell === "string" && cell.trim() !== "" ? Number(cell) : NaN;
      if (!Number.isFinite(rsi) || rsi < 0 || rsi > 100) {
        invalidCells.push({ date, symbol, value: cell });
        continue;
      }
      // FLOAT cells read back as 45.650001525878906; the value the user saw was 45.65.
      values.push({ date, symbol, rsi: roundHalfEven(rsi) });
    }
  });
  return { values, days: table.rows.length, symbols: symbolColumns.map((c) => c.symbol), emptyCells, refusedColumns, invalidCells };
}

/** What an import did, as `import-legacy` reports it (and prints with `--json`). */
export interface ImportReport {
  readonly source: string;
  readonly runId: string;
  readonly days: { readonly imported: number; readonly skipped: number };
  readonly symbols: { readonly imported: number; readonly skipped: number };
  readonly values: {
    readonly imported: number;
    /** Already stored (an earlier import, or a run's own value): kept as they were. */
    readonly alreadyStored: number;
    /** NULL cells: the symbol had failed that day. */
    readonly empty: number;
    /** Cells that are not an RSI. */
    readonly invalid: number;
  };
  readonly refusedColumns: readonly { readonly column: string; readonly reason: string }[];
}

export function importReport(reading: LegacyReading, inserted: readonly LegacyValue[], source: string, runId: string): ImportReport {
  const daysImported = new Set(inserted.map((v) => v.date)).size;
  const symbolsImported = new Set(inserted.map((v) => v.symbol)).size;
  return {
    source,
    runId,
    days: { imported: daysImported, skipped: reading.days - daysImported },
    symbols: { imported: symbolsImported, skipped: reading.symbols.length - symbolsImported + reading.refusedColumns.length },
    values: {
      imported: inserted.length,
      alreadyStored: reading.values.length - inserted.length,
      empty: reading.emptyCells,
      invalid: reading.invalidCells.length,
    },
    refusedColumns: reading.refusedColumns,
  };
}

/** The report as one line. */
export function formatImportReport(report: ImportReport): string {
  const { days, symbols, values } = report;
  return (
    `imported ${values.imported} values (${days.imported} days, ${symbols.imported} symbols); ` +
    `skipped ${values.alreadyStored} values already stored, ${values.empty} empty (NULL) cells and ${values.invalid} invalid cells; ` +
    `nothing new for ${days.skipped} of ${days.imported + days.skipped} days and ${symbols.skipped} of ${symbols.imported + symbols.skipped} symbols`
  );
}

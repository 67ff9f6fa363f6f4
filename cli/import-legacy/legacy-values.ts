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
 * A cell that is not a decimal number at all, a date that is no date or after today, and a day
 * read twice with other values are refused (`LegacyTableReader`).
 * Whether a value is new is for the store to say; this module only reads and counts.
 */
import { isIsoDate, type IsoDate } from "../../steps/domain/dates.ts";
import { UserError } from "../../steps/domain/errors.ts";
import { roundHalfEven } from "../../steps/domain/ranking.ts";
import { legacyCounts, type LegacyDay, type LegacyTable, type WideTableContent } from "../../steps/store/store.ts";
import { notATicker } from "../../steps/domain/symbols.ts";
import { DATE_COLUMN } from "../../steps/store/mysql/wide-table.ts";

/** Column types a value can come from (the original program used FLOAT). */
const NUMERIC_TYPES = new Set(["float", "double", "real", "decimal", "numeric", "int", "integer", "smallint", "tinyint", "mediumint", "bigint"]);

export interface LegacyReading {
  /**
   * The values read, in the table's own shape (a number a cell): its symbols are the columns read
   * as symbols, its days the table's rows, a day that appears twice counted once.
   */
  readonly table: LegacyTable;
  /** How many values `table` holds. */
  readonly valueCount: number;
  /** NULL cells: a symbol that failed that day. */
  readonly emptyCells: number;
  /** Columns that are not symbols' RSI, with why. */
  readonly refusedColumns: readonly { readonly column: string; readonly reason: string }[];
  /** Cells that are not an RSI (a number outside 0-100). */
  readonly invalidCells: readonly { readonly date: string; readonly symbol: string; readonly value: unknown }[];
  /** Days whose row appears twice with the same values: read once. */
  readonly repeatedDays: readonly { readonly date: string; readonly first: string; readonly again: string }[];
}

/**
 * Where a row is, in messages: `at` starts the line (`prod-db.sql:230`, `--from-table stocks`),
 * `row` names the row in a sentence (`the row`, `row 3 of stocks`), `ref` from another row's
 * message (`line 230`, `row 3`).
 */
export interface RowPlace {
  readonly at: string;
  readonly row: string;
  readonly ref: string;
}

/**
 * A value as the wide table can hold one: a number, or text that is a plain decimal number
 * (45.65, -3, 1e-05, as MySQL prints a FLOAT). Anything else in text (' 0x1F ', '1,5', '', 'abc')
 * is not read as a number, however JavaScript's Number() would read it.
 */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

export interface LegacyReadingOptions {
  /**
   * Today in New York: a row dated after it is refused (the original program dated a row by the
   * day it ran). Given by the caller, so this module reads no clock.
   */
  readonly today?: IsoDate;
}

/**
 * The wide table read a row at a time: `add` each row as it is read, then `finish`. Holds the
 * values read, one small record per day, and nothing of the rows themselves.
 *
 * Refused, with the row's place (the dump's line): a date that is not a real `YYYY-MM-DD` date,
 * or is after today; a cell that is neither NULL nor a decimal number; a date whose row was
 * already read with other values. A date read twice with the same values is read once and
 * reported (`repeatedDays`): a dump joined from two overlapping ones, say, holds the same day twice.
 */
export class LegacyTableReader {
  private readonly dateIndex: number;
  private readonly symbolColumns: { index: number; symbol: string }[] = [];
  private readonly refusedColumns: { column: string; reason: string }[] = [];
  private readonly invalidCells: { date: string; symbol: string; value: unknown }[] = [];
  private readonly repeatedDays: { date: string; first: string; again: string }[] = [];
  /** Each day read, with its values and where its row is. */
  private readonly days = new Map<string, LegacyDay & { readonly ref: string }>();
  private valueCount = 0;
  private emptyCells = 0;

  constructor(
    private readonly table: Pick<WideTableContent, "table" | "columns">,
    label: string,
    private readonly options: LegacyReadingOptions = {},
  ) {
    this.dateIndex = table.columns.findIndex((c) => c.name.toLowerCase() === DATE_COLUMN);
    if (this.dateIndex < 0) throw new UserError(`${label}: table ${table.table} has no \`${DATE_COLUMN}\` column; is it the original program's wide table?`);
    const named = new Set<string>();
    table.columns.forEach((column, index) => {
      // MySQL's column names are unique whatever their case; a table that repeats one is no table it could hold.
      const name = column.name.toLowerCase();
      if (named.has(name)) {
        throw new UserError(`${label}: table ${table.table} names the column \`${column.name}\` twice, which a MySQL table cannot; the dump is damaged or was edited: keep one`);
      }
      named.add(name);
      if (index === this.dateIndex) return;
      const notTicker = notATicker(column.name, "stored");
      if (notTicker !== undefined) this.refusedColumns.push({ column: column.name, reason: `the name ${notTicker}` });
      else if (!NUMERIC_TYPES.has(column.type)) this.refusedColumns.push({ column: column.name, reason: `of type ${column.type}, not a number` });
      else this.symbolColumns.push({ index, symbol: column.name });
    });
  }

  add(row: readonly unknown[], place: RowPlace): void {
    const date = row[this.dateIndex];
    if (typeof date !== "string" || !isIsoDate(date)) {
      throw new UserError(`${place.at}: ${place.row} has date ${JSON.stringify(date)}, not a date written YYYY-MM-DD`);
    }
    if (this.options.today !== undefined && date > this.options.today) {
      throw new UserError(
        `${place.at}: ${place.row} is dated ${date}, after today (${this.options.today} in New York); the original program dated a row by the day it ran: correct or remove the row`,
      );
    }
    const rsi = new Float64Array(this.symbolColumns.length).fill(NaN);
    let values = 0;
    let empty = 0;
    const invalid: { date: string; symbol: string; value: unknown }[] = [];
    this.symbolColumns.forEach(({ index, symbol }, k) => {
      const cell = row[index];
      if (cell === null || cell === undefined) {
        empty++;
        return;
      }
      const value = typeof cell === "number" ? cell : typeof cell === "string" && DECIMAL.test(cell) ? Number(cell) : undefined;
      if (value === undefined) {
        throw new UserError(
          `${place.at}: ${place.row} dated ${date} has ${JSON.stringify(cell)} for ${symbol}, not a number; each value must be a decimal number such as 45.65, or NULL`,
        );
      }
      if (!Number.isFinite(value) || value < 0 || value > 100) {
        invalid.push({ date, symbol, value: cell });
        return;
      }
      // FLOAT cells read back as 45.650001525878906; the value the user saw was 45.65.
      rsi[k] = roundHalfEven(value);
      values++;
    });
    const seen = this.days.get(date);
    if (seen) {
      const difference = this.differenceOf(seen.rsi, rsi);
      if (difference !== undefined) {
        throw new UserError(
          `${place.at}: ${place.row} is dated ${date}, like the one at ${seen.ref}, with other values (${difference}); keep one of the two rows and import again`,
        );
      }
      this.repeatedDays.push({ date, first: seen.ref, again: place.ref });
      return;
    }
    this.days.set(date, { date, rsi, ref: place.ref });
    this.valueCount += values;
    this.emptyCells += empty;
    this.invalidCells.push(...invalid);
  }

  finish(): LegacyReading {
    return {
      table: { symbols: this.symbolColumns.map((c) => c.symbol), days: [...this.days.values()].map(({ date, rsi }) => ({ date, rsi })) },
      valueCount: this.valueCount,
      emptyCells: this.emptyCells,
      refusedColumns: this.refusedColumns,
      invalidCells: this.invalidCells,
      repeatedDays: this.repeatedDays,
    };
  }

  /** The first value that differs between two readings of one day, in words; undefined when none does. */
  private differenceOf(first: Float64Array, again: Float64Array): string | undefined {
    const shown = (v: number) => (Number.isNaN(v) ? "NULL" : String(v));
    for (let k = 0; k < first.length; k++) {
      if (Object.is(first[k], again[k])) continue;
      return `${this.symbolColumns[k]!.symbol} ${shown(first[k]!)} there, ${shown(again[k]!)} here`;
    }
    return undefined;
  }
}

/** A whole table's rows at once (a live table, tests). */
export function legacyValuesOf(table: WideTableContent, label: string, options: LegacyReadingOptions = {}): LegacyReading {
  const reader = new LegacyTableReader(table, label, options);
  table.rows.forEach((row, r) => reader.add(row, { at: label, row: `row ${r + 1} of ${table.table}`, ref: `row ${r + 1}` }));
  return reader.finish();
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

export function importReport(reading: LegacyReading, inserted: LegacyTable, source: string, runId: string): ImportReport {
  const counts = legacyCounts(inserted);
  return {
    source,
    runId,
    days: { imported: counts.days, skipped: reading.table.days.length - counts.days },
    symbols: { imported: counts.symbols, skipped: reading.table.symbols.length - counts.symbols + reading.refusedColumns.length },
    values: {
      imported: counts.values,
      alreadyStored: reading.valueCount - counts.values,
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

/**
 * `stock-rsi import-legacy`: brings the user's history from the original program's wide
 * `stocks` table into the long table, so `history` and the charts show it beside the new runs.
 *
 * Two sources:
 * - `--dump FILE`: a mysqldump file, such as the user's `prod-db.sql` (read as data, not
 *   replayed: see `mysqldump.ts`). On MySQL the values also fill the wide `stocks` table's empty
 *   cells, so a new server's Excel charts show the old days too (`--no-wide-table` to skip).
 * - `--from-table TABLE`: a live wide table in the same MySQL database, e.g. `stocks` after the
 *   user restored their dump into MySQL 8.4 themselves.
 *
 * The old program stored a row on each day it ran, a few on weekends and holidays: those are
 * imported as it dated them and listed in a note; they are the only values ever stored under a
 * day the NYSE was closed (a run's values never are, see `refuseClosedDays`).
 *
 * Idempotent: a value already stored (by an earlier import, or computed by a run) is kept as it
 * is, so importing twice changes nothing. The report says how many days, symbols and values were
 * imported and skipped. A dump is streamed (memory holds the table's values, not the file), read
 * and checked in full before the database is opened; the values are then stored in one
 * transaction, so a refused dump or a failed import leaves the store as it was.
 */
import { basename } from "node:path";
import { Command } from "commander";
import { openRegular, UnreadableFile } from "../../steps/files/regular-file.ts";
import { guardOutputs } from "../../steps/files/output-files.ts";
import { ExitCode, UserError } from "../../steps/domain/errors.ts";
import { isTradingDay } from "../../steps/domain/market-calendar.ts";
import { dateIn, MARKET_TIME_ZONE } from "../../steps/domain/dates.ts";
import { SETTINGS } from "../../steps/pipeline.ts";
import { settingOption, withExitStatuses } from "../../steps/command-line/flags.ts";
import { logLine, type Io } from "../../steps/command-line/io.ts";
import { databaseFiles, openStore } from "../../steps/store/open-store.ts";
import { legacyDatesWithValues } from "../../steps/store/store.ts";
import { WIDE_TABLE } from "../../steps/store/mysql/wide-table.ts";
import { formatImportReport, importReport, LegacyTableReader, legacyValuesOf, type ImportReport, type LegacyReading } from "./legacy-values.ts";
import { MysqldumpTableReader, readDumpFile } from "./mysqldump.ts";

export interface ImportLegacyOptions {
  readonly dump?: string;
  readonly fromTable?: string;
  readonly table: string;
  readonly database?: string;
  readonly db: string;
  readonly wideTable: boolean;
  readonly json?: boolean;
}

export function importLegacyCommand(io: Io): Command {
  const command = new Command("import-legacy")
    .description("import the original program's wide stocks table (a mysqldump file or a live table) into the long table")
    .option("--dump <file>", "a mysqldump file holding the table, e.g. prod-db.sql")
    .option("--from-table <table>", "a wide table in the MySQL database given by --db, e.g. stocks")
    .option("--table <name>", "with --dump: the table to read from the dump", WIDE_TABLE)
    .option("--database <name>", "with --dump: the database whose table to read, when the dump holds the table in several (USE name)")
    .addOption(settingOption(SETTINGS.db))
    .option("--no-wide-table", "MySQL, with --dump: do not fill the wide stocks table's empty cells")
    .option("--json", "print the report as JSON on stdout")
    .action(async (options: ImportLegacyOptions) => {
      await runImportLegacy(options, io);
    });
  return withExitStatuses(command, [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runImportLegacy(options: ImportLegacyOptions, io: Io): Promise<ImportReport> {
  if ((options.dump === undefined) === (options.fromTable === undefined)) {
    throw new UserError("import-legacy: give exactly one of --dump FILE or --from-table TABLE");
  }
  if (options.db === "none") throw new UserError("import-legacy: --db none stores nothing; give the database to import into");
  // It writes no file of its own; the store it writes must not be the dump it reads.
  const database = databaseFiles(options.db, io.env);
  guardOutputs({ keeps: database.keeps, reads: [...(options.dump !== undefined ? [{ path: options.dump, role: "the dump being imported (--dump)" }] : []), ...database.reads], outputs: [] });

  if (options.database !== undefined && options.dump === undefined) throw new UserError("import-legacy: --database chooses a database in a dump; give it with --dump FILE");
  // Rows dated after today are refused: today in New York, where the original program ran its days.
  const today = dateIn(MARKET_TIME_ZONE, io.now());

  // A dump is read and checked in full before anything touches the database.
  let reading: LegacyReading | undefined;
  let source: string;
  if (options.dump !== undefined) {
    reading = await readDump(options.dump, options.table, options.database, today);
    source = `mysqldump ${basename(options.dump)}, table ${options.database !== undefined ? `${options.database}.` : ""}${options.table}`;
  } else {
    source = `table ${options.fromTable}`;
  }

  const store = await openStore(options.db, {
    env: io.env,
    access: "write",
    wideTable: options.wideTable,
    log: (line) => logLine(io, "import-legacy", line),
  });
  try {
    if (options.fromTable !== undefined) {
      if (!store.readWideTable) {
        throw new UserError(`--from-table reads a table in a MySQL database, and ${store.description} is not one; use --dump FILE`);
      }
      const label = `--from-table ${options.fromTable}`;
      reading = legacyValuesOf(await store.readWideTable(options.fromTable), label, { today });
      refuseNothingToImport(reading, label, `table ${options.fromTable}`);
    }
    const legacy = reading!;
    for (const { column, reason } of legacy.refusedColumns) logLine(io, "import-legacy", `warning: skipping column ${column}: ${reason}`);
    for (const cell of legacy.invalidCells.slice(0, 10)) {
      logLine(io, "import-legacy", `warning: skipping ${cell.symbol} on ${cell.date}: ${typeof cell.value === "number" ? String(cell.value) : JSON.stringify(cell.value)} is not an RSI (0-100)`);
    }
    if (legacy.invalidCells.length > 10) logLine(io, "import-legacy", `warning: ... and ${legacy.invalidCells.length - 10} more cells that are not an RSI`);
    if (legacy.repeatedDays.length > 0) {
      const shown = legacy.repeatedDays.slice(0, 10).map((d) => `${d.date} (${d.first} and ${d.again})`);
      const count = legacy.repeatedDays.length === 1 ? "1 day appears" : `${legacy.repeatedDays.length} days appear`;
      logLine(io, "import-legacy", `note: ${count} twice with the same values, read once: ${shown.join(", ")}${legacy.repeatedDays.length > 10 ? ", ..." : ""}`);
    }
    const closedDays = legacyDatesWithValues(legacy.table).filter((d) => !isTradingDay(d)).sort();
    if (closedDays.length > 0) {
      // The one place a closed day enters the store: the user's own record, kept as it was dated (docs/decisions.md).
      logLine(io, "import-legacy", `note: ${closedDays.length} of its days are days the NYSE was closed, imported as the original program dated them (it stored a row each day it ran): ${closedDays.join(" ")}`);
    }

    const runId = `import-legacy:${io.now().toISOString()}`;
    const { inserted } = await store.importLegacy({
      runId,
      source,
      table: legacy.table,
      // Reading the wide table itself: its cells are already there.
      fillWideTable: options.fromTable === undefined || options.fromTable.toLowerCase() !== WIDE_TABLE,
    });
    const report = importReport(legacy, inserted, source, runId);
    logLine(io, "import-legacy", `${source} → ${store.description}: ${formatImportReport(report)}`);
    if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await store.close();
  }
}

/** The dump's table, streamed from the file and checked row by row. */
async function readDump(path: string, table: string, database: string | undefined, today: string): Promise<LegacyReading> {
  let fd: number;
  try {
    ({ fd } = openRegular(path));
  } catch (err) {
    if (!(err instanceof UnreadableFile)) throw err;
    throw new UserError(`${path}: cannot read the dump (${err.message})`);
  }
  let legacy: LegacyTableReader | undefined;
  const dump = new MysqldumpTableReader(
    { table, fileName: path, ...(database !== undefined ? { database } : {}) },
    {
      columns: (columns) => void (legacy = new LegacyTableReader({ table, columns }, path, { today })),
      row: (cells, line) => legacy!.add(cells, { at: `${path}:${line}`, row: "the row", ref: `line ${line}` }),
    },
  );
  let found: Awaited<ReturnType<typeof readDumpFile>>;
  try {
    found = await readDumpFile(fd, dump);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === "string") throw new UserError(`${path}: cannot read the dump (${(err as Error).message})`);
    throw err;
  }
  const reading = legacy!.finish();
  refuseNothingToImport(reading, path, `table \`${table}\` (line ${found.line}${found.database !== undefined ? `, database ${found.database}` : ""})`);
  return reading;
}

/** An import that would store nothing is a mistake to say, not an "imported 0" to report. */
function refuseNothingToImport(reading: LegacyReading, at: string, table: string): void {
  if (reading.table.days.length === 0) {
    throw new UserError(`${at}: ${table} has no rows: nothing to import; was it dumped without its data?`);
  }
  if (reading.valueCount === 0) {
    throw new UserError(`${at}: the ${reading.table.days.length} rows of ${table} hold no RSI value (every cell NULL or outside 0-100): nothing to import`);
  }
}

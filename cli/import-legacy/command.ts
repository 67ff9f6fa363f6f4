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
 * imported and skipped. A dump is read and checked before the database is opened.
 */
import { basename } from "node:path";
import { Command } from "commander";
import { FILE_LIMITS, readBoundedText } from "../../steps/files/bounded-read.ts";
import { UnreadableFile } from "../../steps/files/regular-file.ts";
import { guardOutputs } from "../../steps/files/output-files.ts";
import { ExitCode, UserError } from "../../steps/domain/errors.ts";
import { isTradingDay } from "../../steps/domain/market-calendar.ts";
import { SETTINGS } from "../../steps/pipeline.ts";
import { settingOption, withExitStatuses } from "../../steps/command-line/flags.ts";
import { logLine, type Io } from "../../steps/command-line/io.ts";
import { databaseFiles, openStore } from "../../steps/store/open-store.ts";
import { WIDE_TABLE } from "../../steps/store/mysql/wide-table.ts";
import { formatImportReport, importReport, legacyValuesOf, type ImportReport, type LegacyReading } from "./legacy-values.ts";
import { parseMysqldumpTable } from "./mysqldump.ts";

export interface ImportLegacyOptions {
  readonly dump?: string;
  readonly fromTable?: string;
  readonly table: string;
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

  // A dump is read and checked in full before anything touches the database.
  let reading: LegacyReading | undefined;
  let source: string;
  if (options.dump !== undefined) {
    let text: string;
    try {
      text = readBoundedText(options.dump, FILE_LIMITS.dump);
    } catch (err) {
      if (!(err instanceof UnreadableFile)) throw err;
      throw new UserError(`${options.dump}: cannot read the dump (${err.message})`);
    }
    reading = legacyValuesOf(parseMysqldumpTable(text, options.table, options.dump), options.dump);
    source = `mysqldump ${basename(options.dump)}, table ${options.table}`;
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
      reading = legacyValuesOf(await store.readWideTable(options.fromTable), `--from-table ${options.fromTable}`);
    }
    const legacy = reading!;
    for (const { column, reason } of legacy.refusedColumns) logLine(io, "import-legacy", `warning: skipping column ${column}: ${reason}`);
    for (const cell of legacy.invalidCells.slice(0, 10)) {
      logLine(io, "import-legacy", `warning: skipping ${cell.symbol} on ${cell.date}: ${JSON.stringify(cell.value)} is not an RSI (0-100)`);
    }
    if (legacy.invalidCells.length > 10) logLine(io, "import-legacy", `warning: ... and ${legacy.invalidCells.length - 10} more cells that are not an RSI`);
    const closedDays = [...new Set(legacy.values.map((v) => v.date))].filter((d) => !isTradingDay(d)).sort();
    if (closedDays.length > 0) {
      // The one place a closed day enters the store: the user's own record, kept as it was dated (docs/decisions.md).
      logLine(io, "import-legacy", `note: ${closedDays.length} of its days are days the NYSE was closed, imported as the original program dated them (it stored a row each day it ran): ${closedDays.join(" ")}`);
    }

    const runId = `import-legacy:${io.now().toISOString()}`;
    const { inserted } = await store.importLegacy({
      runId,
      source,
      values: legacy.values,
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

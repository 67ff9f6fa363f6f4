/**
 * `stock-rsi migrate`: brings the database's schema to the version this stock-rsi writes, and
 * says what it did. `persist` does the same on its own when the schema is behind; this command is
 * for doing it ahead of a run (after an upgrade, or to check a new database and its grants).
 * On MySQL it holds a database lock while it migrates, so it never races a running persist.
 */
import { Command } from "commander";
import { ExitCode, UserError } from "../steps/domain/errors.ts";
import { SETTINGS } from "../steps/pipeline.ts";
import { settingOption, withExitStatuses } from "../steps/command-line/flags.ts";
import { logLine, type Io } from "../steps/command-line/io.ts";
import type { SchemaState } from "../steps/store/migrations.ts";

export interface MigrateOptions {
  readonly db: string;
}

export function migrateCommand(io: Io): Command {
  const command = new Command("migrate")
    .description("bring the database's schema up to date (persist also does this when it is behind)")
    .addOption(settingOption(SETTINGS.db))
    .action(async (options: MigrateOptions) => {
      await runMigrate(options, io);
    });
  return withExitStatuses(command, [ExitCode.ok, ExitCode.badInput, ExitCode.unavailable, ExitCode.refused, ExitCode.internal]);
}

export async function runMigrate(options: MigrateOptions, io: Io): Promise<SchemaState> {
  if (options.db === "none") throw new UserError("migrate: --db none is no database; give the one to migrate");
  // Loaded here, not at the top: `--help` needs no store or database driver.
  const { openStore } = await import("../steps/store/open-store.ts");
  const store = await openStore(options.db, { env: io.env, access: "write", wideTable: false, log: (line) => logLine(io, "migrate", line) });
  try {
    const { before, after, applied } = store.schema;
    for (const summary of applied) logLine(io, "migrate", `applied ${summary}`);
    logLine(
      io,
      "migrate",
      applied.length === 0
        ? `${store.description}: the schema is at version ${after}, nothing to do`
        : `${store.description}: migrated from version ${before} to ${after}`,
    );
    return store.schema;
  } finally {
    await store.close();
  }
}

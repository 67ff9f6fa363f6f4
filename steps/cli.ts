/**
 * Entry point of the `stock-rsi` command (see `bin/stock-rsi.mjs`): every subcommand.
 */
import { ALL_COMMANDS } from "./cli/commands.ts";
import { processIo } from "./cli/io.ts";
import { runCli } from "./cli/program.ts";

process.exitCode = await runCli(process.argv.slice(2), processIo, ALL_COMMANDS);

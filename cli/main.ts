/**
 * Entry point of the `stock-rsi` command (see `bin/stock-rsi.mjs`).
 */
import { runCli } from "./program.ts";

process.exitCode = await runCli(process.argv.slice(2));

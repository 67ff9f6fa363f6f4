/**
 * Entry point of the `stock-rsi` command (see `bin/stock-rsi.mjs`).
 */
import { endQuietlyWhenOutputCloses } from "../steps/command-line/io.ts";
import { runCli } from "./program.ts";

// `stock-rsi history | head -1`: a reader that stops early ends the command quietly (exit 141).
endQuietlyWhenOutputCloses();
process.exitCode = await runCli(process.argv.slice(2));

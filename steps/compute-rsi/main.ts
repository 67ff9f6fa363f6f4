/**
 * Entry point of the compute-rsi step's container image. The image answers `stock-rsi compute-rsi ...`
 * and nothing else: its bundle (built by `images/bundle.ts` from this file) holds only the
 * code this step runs.
 */
import { endQuietlyWhenOutputCloses, processIo } from "../command-line/io.ts";
import { runCommandLine } from "../command-line/program.ts";
import { computeCommand } from "./command.ts";

endQuietlyWhenOutputCloses();
process.exitCode = await runCommandLine(process.argv.slice(2), processIo, [computeCommand]);

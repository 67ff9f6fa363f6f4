/**
 * Entry point of the persist step's container image. The image answers `stock-rsi persist ...`,
 * `stock-rsi backfill ...` for the backfill template (whose fetch step hands it the prices of
 * the whole range as a file), and `stock-rsi notify ...`, both templates' exit handler: its bundle
 * (built by `images/bundle.ts` from this file) holds only the code those run, and no Yahoo client.
 */
import { UserError } from "../domain/errors.ts";
import { endQuietlyWhenOutputCloses, processIo } from "../command-line/io.ts";
import { runCommandLine } from "../command-line/program.ts";
import { fileSource } from "../fetch/sources/file.ts";
import { backfillCommand } from "./backfill.ts";
import { persistCommand } from "./command.ts";
import { notifyCommand } from "../notify/command.ts";

/** The image stores; it does not fetch: backfill here replays the prices the fetch step wrote. */
const replayedPrices = ({ source }: { readonly source: string }) => {
  if (source.startsWith("file:") && source.length > 5) return fileSource(source.slice(5));
  throw new UserError(`--source ${source}: the persist image replays a prices artifact; give --source file:PATH (the backfill template's fetch step writes it)`);
};

endQuietlyWhenOutputCloses();
process.exitCode = await runCommandLine(process.argv.slice(2), processIo, [persistCommand, (io) => backfillCommand(io, replayedPrices), notifyCommand]);

/**
 * `stock-rsi fetch`: the first step. Reads the symbols file, downloads each symbol's daily
 * closes for the lookback window, and writes the prices artifact. A symbol that cannot be got
 * is recorded in `failures` with the reason; it does not fail the step (validate decides
 * whether too many failed).
 */
import { Command, Option } from "commander";
import { SCHEMA_VERSION, type PricesArtifact } from "../domain/artifacts.ts";
import { writeArtifact } from "../domain/artifact-files.ts";
import { addDays, dateIn, MARKET_TIME_ZONE } from "../domain/dates.ts";
import { UserError } from "../domain/errors.ts";
import { readSymbolsFile } from "../domain/symbols.ts";
import { PARAMETERS } from "../pipeline.ts";
import { logLine, type Io } from "../cli/io.ts";
import { isoDateArg, positiveIntArg } from "../cli/options.ts";
import type { PriceSource } from "./source.ts";
import { startProgress } from "./progress.ts";
import { fileSource } from "./sources/file.ts";
import { sampleSource } from "./sources/sample.ts";
import { yahooSource } from "./sources/yahoo.ts";

export interface FetchOptions {
  readonly symbols: string;
  readonly out: string;
  readonly asOf?: string | undefined;
  readonly lookbackDays: number;
  readonly source: string;
}

export function fetchCommand(io: Io): Command {
  return new Command("fetch")
    .description("download daily closes for every symbol and write the prices artifact")
    .requiredOption("--symbols <file>", "the symbols file: one ticker per line, # comments")
    .requiredOption("--out <file>", "where to write the prices artifact (JSON)")
    .addOption(new Option(`${PARAMETERS.asOf.flag} <date>`, PARAMETERS.asOf.description).argParser(isoDateArg))
    .addOption(
      new Option(`${PARAMETERS.lookbackDays.flag} <days>`, PARAMETERS.lookbackDays.description)
        .argParser(positiveIntArg)
        .default(Number(PARAMETERS.lookbackDays.default)),
    )
    .addOption(new Option(`${PARAMETERS.source.flag} <source>`, PARAMETERS.source.description).default(PARAMETERS.source.default))
    .action(async (options: FetchOptions) => {
      await runFetch(options, io);
    });
}

export async function runFetch(options: FetchOptions, io: Io): Promise<PricesArtifact> {
  const { symbols, warnings } = readSymbolsFile(options.symbols);
  for (const warning of warnings) logLine(io, "fetch", `warning: ${warning}`);
  const source = selectSource(options.source, io);
  const asOf = options.asOf ?? dateIn(MARKET_TIME_ZONE, io.now());
  const from = addDays(asOf, -options.lookbackDays);

  logLine(io, "fetch", `${symbols.length} symbols from ${source.name}, ${from} to ${asOf}`);
  const progress = startProgress(io, symbols.length);
  const { series, failures } = await source.fetch({ symbols, asOf, from, onSymbolDone: () => progress.tick() });
  progress.done();

  const artifact: PricesArtifact = { schemaVersion: SCHEMA_VERSION, kind: "prices", asOf, source: source.name, series, failures };
  writeArtifact(options.out, artifact);
  logLine(io, "fetch", `${series.length} of ${symbols.length} symbols fetched, ${failures.length} failed; wrote ${options.out}`);
  return artifact;
}

function selectSource(spec: string, io: Io): PriceSource {
  if (spec === "sample") return sampleSource;
  if (spec === "yahoo") return yahooSource({ log: (line) => io.err(`${line}\n`) });
  if (spec.startsWith("file:") && spec.length > 5) return fileSource(spec.slice(5));
  throw new UserError(`--source: unknown source "${spec}"; use yahoo, sample or file:PATH`);
}

/**
 * `stock-rsi run`: the whole pipeline on one machine, the four steps in order with their
 * artifacts in a temporary directory, exactly as the Argo DAG runs them in four containers.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { ExitCode, ExitWith } from "../../steps/domain/errors.ts";
import { pipeline, type PipelineParameter, type StepDefinition } from "../../steps/pipeline.ts";
import type { Io } from "../../steps/command-line/io.ts";
import { parameterOption } from "../../steps/command-line/flags.ts";
import { DEFAULT_DB } from "../../steps/store/open-store.ts";
import { executePipeline } from "./executor.ts";

export type InvokeInProcess = (argv: readonly string[]) => Promise<number>;

interface RunOptions {
  readonly db: string;
  readonly store: boolean;
  readonly wideTable: boolean;
  readonly json?: boolean;
  readonly artifactsDir?: string;
  readonly runId?: string;
  readonly yahooUrl?: string;
  readonly [parameter: string]: unknown;
}

export function runCommand(io: Io, invoke: InvokeInProcess): Command {
  const command = new Command("run")
    .description("run fetch → compute-rsi → validate → persist locally and print the ranking")
    .argument("<symbols-file>", "the symbols file: one ticker per line, # comments");
  for (const parameter of pipeline.parameters) command.addOption(parameterOption(parameter));
  return command
    .option("--db <url>", "where to store: sqlite:PATH, mysql://USER@HOST:PORT/DATABASE, or none", DEFAULT_DB)
    .option("--no-store", "rank without storing (the same as --db none)")
    .option("--no-wide-table", "MySQL: do not maintain the wide `stocks` table beside the long table")
    .option("--json", "print the machine-readable result instead of the ranking lines")
    .option("--artifacts-dir <dir>", "keep the artifacts here instead of a temporary directory")
    .option("--run-id <id>", "recorded with every stored value (default: local-<timestamp>)")
    .option("--yahoo-url <url>", "send Yahoo requests to this scheme://host[:port] instead (a mirror; default: $STOCK_RSI_YAHOO_URL)")
    .action(async (symbolsFile: string, options: RunOptions) => {
      const code = await runPipeline(symbolsFile, options, io, invoke);
      // Each step has already said why it stopped.
      if (code !== ExitCode.ok) throw new ExitWith(code);
    });
}

export async function runPipeline(symbolsFile: string, options: RunOptions, io: Io, invoke: InvokeInProcess): Promise<number> {
  const keep = options.artifactsDir !== undefined;
  const artifactsDir = keep ? options.artifactsDir! : mkdtempSync(join(tmpdir(), "stock-rsi-"));
  if (keep) mkdirSync(artifactsDir, { recursive: true });
  const parameters: Record<string, string | undefined> = {};
  for (const parameter of pipeline.parameters) {
    const value = options[optionKey(parameter)];
    if (value !== undefined) parameters[parameter.name] = String(value);
  }
  try {
    const outcomes = await executePipeline(
      pipeline,
      {
        artifactsDir,
        inputFiles: { symbols: symbolsFile },
        parameters,
        settings: {
          db: options.store ? options.db : "none",
          "no-wide-table": options.wideTable === false,
          "run-id": options.runId,
          json: options.json === true,
          "yahoo-url": options.yahooUrl,
        },
      },
      (_step: StepDefinition, argv) => invoke(argv),
    );
    return outcomes.at(-1)?.exitCode ?? ExitCode.internal;
  } finally {
    if (!keep) rmSync(artifactsDir, { recursive: true, force: true });
  }
}


/** commander's key for a flag: `--as-of` → `asOf`. */
function optionKey(parameter: PipelineParameter): string {
  return parameter.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `stock-rsi run`: the whole pipeline on one machine, the four steps in order with their
 * artifacts in a temporary directory, exactly as the Argo DAG runs them in four containers.
 * Its flags are every run parameter and every setting of the pipeline definition, generated from
 * it, plus what only a local run has (`--artifacts-dir`, `--report`, `--no-store`).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { ExitCode, ExitWith } from "../../steps/domain/errors.ts";
import { pipeline, SETTINGS, type SettingValue, type StepDefinition } from "../../steps/pipeline.ts";
import type { Io } from "../../steps/command-line/io.ts";
import { noStoreOption, parameterOption, parameterText, settingOption, settingValue, withExitStatuses } from "../../steps/command-line/flags.ts";
import { executePipeline } from "./executor.ts";

export type InvokeInProcess = (argv: readonly string[]) => Promise<number>;

/** What commander parsed: a key per flag (`asOf`, `db`, `wideTable`, ...). */
type RunOptions = Readonly<Record<string, unknown>> & {
  readonly store: boolean;
  readonly artifactsDir?: string;
  readonly report?: string;
};

export function runCommand(io: Io, invoke: InvokeInProcess): Command {
  const command = new Command("run")
    .description("run fetch → compute-rsi → validate → persist locally and print the ranking")
    .argument("<symbols-file>", "the symbols file: one ticker per line, # comments");
  for (const parameter of pipeline.parameters) command.addOption(parameterOption(parameter));
  for (const setting of pipeline.settings) command.addOption(settingOption(setting));
  command
    .addOption(noStoreOption())
    .option("--artifacts-dir <dir>", "keep the artifacts here instead of a temporary directory")
    .option("--report <file>", "also write the run's report here (HTML: the ranking, changes, sparklines, crossings)")
    .action(async (symbolsFile: string, options: RunOptions) => {
      const code = await runPipeline(symbolsFile, options, invoke);
      // Each step has already said why it stopped.
      if (code !== ExitCode.ok) throw new ExitWith(code);
    });
  return withExitStatuses(command, Object.values(ExitCode));
}

async function runPipeline(symbolsFile: string, options: RunOptions, invoke: InvokeInProcess): Promise<number> {
  const parameters: Record<string, string | undefined> = {};
  for (const parameter of pipeline.parameters) parameters[parameter.name] = parameterText(parameter, options);
  const settings: Record<string, SettingValue | undefined> = {};
  for (const setting of pipeline.settings) settings[setting.name] = settingValue(setting, options);
  if (!options.store) settings[SETTINGS.db.name] = "none";

  const keep = options.artifactsDir !== undefined;
  const artifactsDir = keep ? options.artifactsDir! : mkdtempSync(join(tmpdir(), "stock-rsi-"));
  if (keep) mkdirSync(artifactsDir, { recursive: true });
  try {
    const outcomes = await executePipeline(
      pipeline,
      { artifactsDir, inputFiles: { symbols: symbolsFile }, outputFiles: options.report ? { report: options.report } : {}, parameters, settings },
      (_step: StepDefinition, argv) => invoke(argv),
    );
    return outcomes.at(-1)?.exitCode ?? ExitCode.internal;
  } finally {
    if (!keep) rmSync(artifactsDir, { recursive: true, force: true });
  }
}

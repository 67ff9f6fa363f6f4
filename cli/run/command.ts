/**
 * `stock-rsi run`: the whole pipeline on one machine, the four steps in order with their
 * artifacts in a temporary directory, exactly as the Argo DAG runs them in four containers.
 * Its flags are every run parameter and every setting of the pipeline definition, generated from
 * it, plus what only a local run has (`--artifacts-dir`, `--report`, `--no-store`).
 *
 * With a channel to notify (`--notify URL`, `STOCK_RSI_NOTIFY`, `STOCK_RSI_NOTIFY_FILE`), it ends
 * with the pipeline's exit step, `notify`, on success and on failure, as the Argo exit handler
 * does; the run's exit status stays the steps' own, whatever the delivery.
 *
 * The run itself is in `local-run.ts`, loaded when the command runs, so `--help` loads neither the
 * stores nor the artifact contract.
 */
import { Command } from "commander";
import { ExitCode, ExitWith } from "../../steps/domain/errors.ts";
import { pipeline } from "../../steps/pipeline.ts";
import type { Io } from "../../steps/command-line/io.ts";
import { noStoreOption, parameterOption, settingOption, withExitStatuses, withOutputFilesRule } from "../../steps/command-line/flags.ts";
import { localRetries } from "./executor.ts";
import type { InvokeInProcess, RunOptions } from "./local-run.ts";

export function runCommand(io: Io, invoke: InvokeInProcess): Command {
  const command = new Command("run")
    .description("run fetch → compute-rsi → validate → persist locally and print the ranking")
    .argument("<symbols-file>", "the symbols file: one ticker per line, # comments");
  for (const parameter of pipeline.parameters) command.addOption(parameterOption(parameter));
  for (const setting of pipeline.settings) command.addOption(settingOption(setting));
  command
    .addOption(noStoreOption())
    .option("--artifacts-dir <dir>", "keep the artifacts here instead of a temporary directory")
    .option("--report <file>", "also write the run's report here (HTML: the ranking, changes, closes, sparklines, crossings); a failed run writes none and says so")
    .action(async (symbolsFile: string, options: RunOptions) => {
      const { runPipeline } = await import("./local-run.ts");
      const code = await runPipeline(symbolsFile, options, invoke, io);
      // Each step has already said why it stopped.
      if (code !== ExitCode.ok) throw new ExitWith(code);
    });
  return withExitStatuses(withOutputFilesRule(command), Object.values(ExitCode)).addHelpText("after", retriesHelp());
}

/** Which step `run` repeats after an exit 3, and after how long; persist waits for the database itself. */
function retriesHelp(): string {
  const waiting = pipeline.steps.filter((step) => step.retry?.waitsInStep).map((step) => step.name);
  const itself = waiting.length > 0 ? `; ${waiting.join(" and ")} ${waiting.length > 1 ? "wait" : "waits"} for the database itself (its URL's retry-deadline) and ${waiting.length > 1 ? "are" : "is"} not run again` : "";
  const words = `When a step exits 3, run ${localRetries(pipeline)}${itself}.`.split(" ");
  const lines = words.reduce<string[]>((done, word) => {
    const last = done.at(-1);
    return last !== undefined && last.length + word.length < 90 ? [...done.slice(0, -1), `${last} ${word}`] : [...done, word];
  }, []);
  return `\n${lines.join("\n")}`;
}

/**
 * Command-line flags generated from the pipeline definition (`steps/pipeline.ts`): a step's
 * command, `stock-rsi run` and the other commands build their flags here from the same
 * parameter and setting definitions, so a flag's name, help text, default and checks are the
 * same everywhere, and the Argo template passes exactly the flags the steps accept.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { ValueRefused, type NumberParser, type ValueParser } from "../domain/values.ts";
import {
  parametersOf,
  resultFile,
  settingsOf,
  sourceOf,
  type ParameterDefinition,
  type PipelineDefinition,
  type SettingDefinition,
  type SettingValue,
  type StepDefinition,
} from "../pipeline.ts";
import { exitStatusHelp } from "./program.ts";

/**
 * A value parser as commander wants it: a refused value becomes `error: option '--x <n>' argument ...`.
 * A number parser's range stays readable on the result, so the tests can walk every numeric flag.
 */
export function flagParser<T>(parse: ValueParser<T>): (value: string) => T {
  const parseFlag = (value: string): T => {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof ValueRefused) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
  return "range" in parse ? Object.assign(parseFlag, { range: (parse as NumberParser).range }) : parseFlag;
}

/** The flag of a run parameter (`--period <n>`), with its parser and its default already parsed. */
export function parameterOption(parameter: ParameterDefinition): Option {
  const alone = parameter.valueWhenAlone;
  const value = alone === undefined ? `<${parameter.valueName}>` : `[${parameter.valueName}]`;
  const option = new Option(`${parameter.flag} ${value}`, parameter.description).argParser(flagParser(parameter.parse));
  if (alone !== undefined) option.preset(alone);
  return parameter.default === "" ? option : option.default(parameter.parse(parameter.default));
}

/** The flag of a setting: `--db <url>` with its default, a switch such as `--json`, or a flag given any number of times (`--notify`). */
export function settingOption(setting: SettingDefinition): Option {
  if (setting.valueName === undefined) return new Option(setting.flag, setting.description);
  const option = new Option(`${setting.flag} <${setting.valueName}>`, setting.description);
  // Collected as given; never checked here, so commander never echoes a value (a URL may hold a secret).
  if (Array.isArray(setting.default)) return option.argParser((value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value]);
  // A setting with a parser (a number, a run id) is checked at the flag, before anything runs.
  if (setting.parse) option.argParser(flagParser(setting.parse));
  if (typeof setting.default !== "string" || setting.default === "") return option;
  return option.default(setting.parse ? setting.parse(setting.default) : setting.default);
}

/** A parameter's value as commander parsed it, back to the text an argv carries; undefined when not given. */
export function parameterText(parameter: ParameterDefinition, options: Readonly<Record<string, unknown>>): string | undefined {
  const value = options[parameterOption(parameter).attributeName()];
  return value === undefined ? undefined : String(value);
}

/** A setting's value as the user gave it (a switch: whether its flag was passed); undefined when not given. */
export function settingValue(setting: SettingDefinition, options: Readonly<Record<string, unknown>>): SettingValue | undefined {
  const option = settingOption(setting);
  const value = options[option.attributeName()];
  // commander keeps `--no-wide-table` as `wideTable: false` when given, `true` when not.
  if (option.negate) return value === false;
  if (setting.valueName === undefined) return value === true;
  if (Array.isArray(setting.default)) return Array.isArray(value) ? (value as string[]) : undefined;
  // A parsed value (a number) back to the text an argv carries.
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

/**
 * A step's subcommand with the flags the pipeline definition gives it: one per input, output
 * and output parameter (`--in <file>`, `--out <file>`), run parameter and setting. The step adds
 * its action and any flag that exists only on the command line (e.g. fetch's `--price-field`).
 */
export function stepCommand(definition: PipelineDefinition, step: StepDefinition, exitCodes: readonly number[]): Command {
  const command = new Command(step.name).description(step.summary);
  for (const input of step.inputs) {
    const { step: producer, file } = sourceOf(definition, input);
    command.requiredOption(`${input.flag} <file>`, producer ? `${file.description}, written by \`stock-rsi ${producer}\`` : file.description);
  }
  for (const output of step.outputs) {
    if (output.optional) command.option(`${output.flag} <file>`, `also write ${output.description} to this file`);
    else command.requiredOption(`${output.flag} <file>`, `where to write ${output.description}`);
  }
  for (const output of step.outputParameters) command.option(`${output.flag} <file>`, `also write ${output.description} to this file`);
  for (const parameter of parametersOf(definition, step)) command.addOption(parameterOption(parameter));
  for (const setting of settingsOf(definition, step)) command.addOption(settingOption(setting));
  if (step.outputs.length + step.outputParameters.length > 0) withOutputFilesRule(command);
  return withExitStatuses(command, exitCodes);
}

/**
 * The exit step's subcommand (`notify`), with the flags every pipeline's exit step gives it: the
 * run's outcome, one per result it may read, its output parameters, run parameters and settings.
 * One command serves the daily and the backfill pipeline, so it takes the flags of both, once each.
 */
export function exitStepCommand(definitions: readonly PipelineDefinition[], exitCodes: readonly number[]): Command {
  const steps = definitions.flatMap((d) => (d.onExit ? [{ definition: d, step: d.onExit }] : []));
  const first = steps[0];
  if (!first) throw new Error("no pipeline has an exit step");
  const { step } = first;
  const command = new Command(step.name).description(step.summary);
  const seen = new Set<string>();
  const add = (option: Option) => {
    if (seen.has(option.long!)) return;
    seen.add(option.long!);
    command.addOption(option);
  };
  add(new Option(`${step.outcome.pipeline} <name>`, `the pipeline that ran: ${steps.map((s) => s.definition.name).join(" or ")}`).default(first.definition.name));
  add(new Option(`${step.outcome.status} <status>`, "how the run ended: Succeeded, Failed or Error (on Argo {{workflow.status}})").makeOptionMandatory());
  add(new Option(`${step.outcome.failures} <json>`, "the run's failed steps: a JSON list as Argo gives {{workflow.failures}} (displayName, templateName, message, ...)"));
  add(new Option(`${step.outcome.reportLink} <url>`, "where the run's report can be read, linked from the message (the run in the Argo UI, or file://...)"));
  for (const { definition, step: exit } of steps) {
    for (const result of exit.results) {
      const file = resultFile(definition, result);
      add(new Option(`${result.flag} <file>`, `${file.description}, written by \`stock-rsi ${result.from.step}\`; leave it out when the run did not write it`));
    }
    for (const output of exit.outputParameters) add(new Option(`${output.flag} <file>`, `also write ${output.description} to this file`));
    // A knob the pipeline's steps take too is the run's, which the message only names.
    const takenBySteps = (name: string) => definition.steps.some((s) => s.settings.includes(name));
    for (const parameter of parametersOf(definition, exit)) add(parameterOption({ ...parameter, description: `the run's ${parameter.flag}, named in the message` }));
    for (const setting of settingsOf(definition, exit)) {
      add(settingOption(takenBySteps(setting.name) ? { ...setting, description: `the run's ${setting.flag}, named in the message` } : setting));
    }
  }
  return withExitStatuses(withOutputFilesRule(command), exitCodes);
}

/**
 * Adds to a command's `--help` what `steps/files/output-files.ts` refuses as an output; `stdout`
 * names the flag that takes `-` for stdout, when one does.
 */
export function withOutputFilesRule(command: Command, stdout?: string): Command {
  const dash = stdout ? `; ${stdout} - writes to stdout` : "";
  return command.addHelpText(
    "after",
    `\nOutput files: a regular file or a new path; never the store or any other SQLite database,\na file this command reads, or another of its outputs (refused, exit 2)${dash}.`,
  );
}

/** `--no-store`, for the commands that store (persist, run): the same as `--db none`. */
export function noStoreOption(): Option {
  return new Option("--no-store", "rank without storing (the same as --db none)");
}

/** Adds the exit statuses a command can end with to its `--help`. */
export function withExitStatuses(command: Command, exitCodes: readonly number[]): Command {
  return command.addHelpText("after", exitStatusHelp(exitCodes));
}

/**
 * Executes the pipeline definition (`steps/pipeline.ts`) step by step, the way Argo executes
 * the templates rendered from it: each step gets the argv its container would get, reads its
 * inputs from and writes its outputs to one artifacts directory, and starts only when the steps
 * it reads from have succeeded. How a step is invoked (in-process, a child process, a container)
 * is handed in.
 */
import { join } from "node:path";
import { ExitCode } from "../../steps/domain/errors.ts";
import {
  executionOrder,
  settingValues,
  sourceOf,
  stepArgv,
  type PipelineDefinition,
  type SettingValue,
  type StepDefinition,
  type StepOutput,
  type StepRetry,
} from "../../steps/pipeline.ts";

export interface ExecutionPlan {
  /** Directory holding every artifact the steps pass to each other. */
  readonly artifactsDir: string;
  /** Pipeline inputs by name → the file that provides it (e.g. symbols → the user's file). */
  readonly inputFiles: Readonly<Record<string, string>>;
  /** Step outputs by name → a file of the user's to write instead of one in the artifacts directory. */
  readonly outputFiles?: Readonly<Record<string, string>>;
  /** Parameter values by name; a missing one takes the definition's default. */
  readonly parameters: Readonly<Record<string, string | undefined>>;
  /** Setting values by name; a missing one takes the definition's default, an unknown one is refused. */
  readonly settings: Readonly<Record<string, SettingValue | undefined>>;
}

export type InvokeStep = (step: StepDefinition, argv: readonly string[]) => Promise<number>;

export interface StepOutcome {
  readonly step: string;
  readonly exitCode: number;
  readonly attempts: number;
}

export interface ExecuteOptions {
  /** Waits between retries; tests shorten it. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** One line for the user, e.g. that a step is run again and after how long. */
  readonly log?: (line: string) => void;
  /** Told when each attempt of a step starts, e.g. to say what a signal interrupted. */
  readonly onAttempt?: (step: StepDefinition, attempt: number) => void;
}

/** Runs every step in dependency order and stops at the first failure; returns each outcome. */
export async function executePipeline(
  definition: PipelineDefinition,
  plan: ExecutionPlan,
  invoke: InvokeStep,
  options: ExecuteOptions = {},
): Promise<StepOutcome[]> {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const outcomes: StepOutcome[] = [];
  for (const step of executionOrder(definition)) {
    const argv = resolveArgs(definition, step, plan);
    let attempts = 0;
    let exitCode: number;
    for (;;) {
      attempts++;
      // Steps run in this process and some work without pausing (compute-rsi, validate): let the
      // event loop deliver a signal that arrived meanwhile before the next step starts.
      await new Promise((resolve) => setImmediate(resolve));
      options.onAttempt?.(step, attempts);
      exitCode = await invoke(step, argv);
      const retry = step.retry;
      if (exitCode !== ExitCode.unavailable || !retry || retry.waitsInStep || attempts > retry.limit) break;
      const seconds = retryWaitsSeconds(retry)[attempts - 1]!;
      options.log?.(`${step.name} exited ${exitCode} (a service could not be used); running it again in ${seconds} s (attempt ${attempts + 1} of ${retry.limit + 1})`);
      await sleep(seconds * 1000);
    }
    outcomes.push({ step: step.name, exitCode, attempts });
    if (exitCode !== ExitCode.ok) break;
  }
  return outcomes;
}

/** The waits before each repeat of a step: its backoff, then each one twice the one before (as Argo's `factor: 2`). */
export function retryWaitsSeconds(retry: StepRetry): number[] {
  return Array.from({ length: retry.limit }, (_, i) => retry.backoffSeconds * 2 ** i);
}

/**
 * What the local runner does after a step exits 3, in words, from the steps' retry definitions:
 * `runs fetch again after 30 s, then 60 s`, for `run --help` and the README's exit statuses (a
 * test holds the README to it). A step that waits for its service itself is not run again.
 */
export function localRetries(definition: PipelineDefinition): string {
  const again = definition.steps.flatMap((step) => (step.retry && !step.retry.waitsInStep ? [`${step.name} again ${inWords(retryWaitsSeconds(step.retry))}`] : []));
  return again.length === 0 ? "runs no step again" : `runs ${again.join(", and ")}`;
}

function inWords(waits: readonly number[]): string {
  const each = waits.map((s) => `${s} s`);
  return each.length === 1 ? `after ${each[0]}` : `after ${each.slice(0, -1).join(", ")}, then ${each.at(-1)}`;
}

/** A file a step writes under this plan: into the artifacts directory, or a file of the user's (`run --report`). */
export interface PlannedOutput {
  readonly step: StepDefinition;
  readonly output: StepOutput;
  readonly path: string;
  /** Whether the user named the file (`outputFiles`), rather than the artifacts directory holding it. */
  readonly named: boolean;
}

/** Every file the steps write under this plan, in execution order. */
export function plannedOutputs(definition: PipelineDefinition, plan: ExecutionPlan): PlannedOutput[] {
  return executionOrder(definition).flatMap((step) =>
    [...step.outputs, ...step.outputParameters].map((output) => {
      const named = plan.outputFiles?.[output.name];
      return { step, output, path: named ?? join(plan.artifactsDir, output.file), named: named !== undefined };
    }),
  );
}

/** The argv a step runs with under this plan. */
export function resolveArgs(definition: PipelineDefinition, step: StepDefinition, plan: ExecutionPlan): string[] {
  const settings = settingValues(definition, plan.settings, "run");
  return stepArgv(definition, step, {
    parameter: (parameter) => plan.parameters[parameter.name] ?? parameter.default,
    setting: (setting) => settings[setting.name]!,
    input: (input) => {
      if ("pipelineInput" in input.from) {
        const file = plan.inputFiles[input.from.pipelineInput];
        if (!file) throw new Error(`pipeline input ${input.from.pipelineInput} was not provided`);
        return file;
      }
      return join(plan.artifactsDir, sourceOf(definition, input).file.file);
    },
    output: (output) => plan.outputFiles?.[output.name] ?? join(plan.artifactsDir, output.file),
  });
}

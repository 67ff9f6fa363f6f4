/**
 * Executes the pipeline definition (`steps/pipeline.ts`) step by step, the way Argo executes
 * the templates rendered from it: each step gets the argv its container would get, reads its
 * inputs from and writes its outputs to one artifacts directory, and starts only when the steps
 * it reads from have succeeded. How a step is invoked (in-process, a child process, a container)
 * is handed in.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ExitCode } from "../../steps/domain/errors.ts";
import {
  executionOrder,
  exitStepArgv,
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
  /** The one line the step gave as its reason, when it failed with one. */
  readonly reason?: string;
}

export interface ExecuteOptions {
  /** Waits between retries; tests shorten it. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** One line for the user, e.g. that a step is run again and after how long. */
  readonly log?: (line: string) => void;
  /** Told when each attempt of a step starts, e.g. to say what a signal interrupted. */
  readonly onAttempt?: (step: StepDefinition, attempt: number) => void;
  /** The one line the last attempt gave as its reason for failing, if any (for the exit step). */
  readonly lastReason?: () => string | undefined;
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
    const reason = exitCode === ExitCode.ok ? undefined : options.lastReason?.();
    outcomes.push({ step: step.name, exitCode, attempts, ...(reason ? { reason } : {}) });
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

/** How a run ended, as the exit step is told it: the steps' outcomes, when it started, where its report is. */
export interface RunEnd {
  readonly outcomes: readonly StepOutcome[];
  /** When the run started (ms since the epoch): a result file older than that is an earlier run's. */
  readonly startedMs: number;
  /** A link to the run's report, when one is kept (`file://...`). */
  readonly reportLink?: string;
}

/**
 * The argv of the exit step after this run, as the Argo exit handler's is built: the run's status
 * and failed step in the shape of Argo's `{{workflow.status}}` and `{{workflow.failures}}` (with
 * the step's exit status as `exitCode`), the results this run wrote, the parameters and settings.
 */
export function exitStepArgs(definition: PipelineDefinition, plan: ExecutionPlan, end: RunEnd): string[] {
  const settings = settingValues(definition, plan.settings, "run");
  const failed = end.outcomes.filter((o) => o.exitCode !== ExitCode.ok);
  const failures = failed.map((o) => ({ displayName: o.step, templateName: o.step, phase: "Failed", exitCode: o.exitCode, ...(o.reason ? { message: o.reason } : {}) }));
  return exitStepArgv(definition, {
    outcome: (what) => (what === "status" ? (failed.length === 0 ? "Succeeded" : "Failed") : what === "failures" ? JSON.stringify(failures) : (end.reportLink ?? "")),
    result: (result, file) => {
      const path = plan.outputFiles?.[file.name] ?? join(plan.artifactsDir, file.file);
      return writtenBy(end, result.from.step, path) ? path : undefined;
    },
    output: (output) => join(plan.artifactsDir, output.file),
    parameter: (parameter) => plan.parameters[parameter.name] ?? parameter.default,
    setting: (setting) => settings[setting.name]!,
  });
}

/**
 * Whether this run's step wrote `path`: the step ran, and the file was modified since the run
 * started. A kept artifacts directory or a `--report` file may hold an earlier run's file, which
 * must not pass for this run's. File times come from a coarse clock that may lag the process's by
 * a tick, hence the margin.
 */
export function writtenBy(end: RunEnd, step: string, path: string): boolean {
  if (!end.outcomes.some((o) => o.step === step)) return false;
  try {
    return statSync(path).mtimeMs >= end.startedMs - COARSE_CLOCK_MS;
  } catch {
    return false;
  }
}

const COARSE_CLOCK_MS = 50;

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

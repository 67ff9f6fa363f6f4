/**
 * What `stock-rsi run` does once its flags are read (`command.ts`): the four steps in order with
 * their artifacts in one directory, the run's outputs checked before the first starts, a signal
 * or a closed output taking the temporary directory with it, and the exit step when a channel is
 * given.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ExitCode, UserError } from "../../steps/domain/errors.ts";
import { describeFsError } from "../../steps/files/regular-file.ts";
import { guardOutputs } from "../../steps/files/output-files.ts";
import { replayedFiles } from "../../steps/fetch/sources/file.ts";
import { PARAMETERS, pipeline, SETTINGS, type SettingValue, type StepDefinition } from "../../steps/pipeline.ts";
import { logLine, type Io } from "../../steps/command-line/io.ts";
import { parameterText, settingValue } from "../../steps/command-line/flags.ts";
import { checkDatabaseUrl, databaseFiles } from "../../steps/store/open-store.ts";
import { parseChannel } from "../../steps/notify/channels.ts";
import { CHANNELS_ENV, CHANNELS_FILE_ENV } from "../../steps/notify/names.ts";
import { executePipeline, exitStepArgs, plannedOutputs, writtenBy, type ExecutionPlan, type StepOutcome } from "./executor.ts";

/** Runs another command line in this process: how the steps run, with the argv their containers get. */
export type InvokeInProcess = (argv: readonly string[], io?: Io) => Promise<number>;

/** What commander parsed: a key per flag (`asOf`, `db`, `wideTable`, ...). */
export type RunOptions = Readonly<Record<string, unknown>> & {
  readonly store: boolean;
  readonly artifactsDir?: string;
  readonly report?: string;
};

export async function runPipeline(symbolsFile: string, options: RunOptions, invoke: InvokeInProcess, io: Io): Promise<number> {
  const parameters: Record<string, string | undefined> = {};
  for (const parameter of pipeline.parameters) parameters[parameter.name] = parameterText(parameter, options);
  const settings: Record<string, SettingValue | undefined> = {};
  for (const setting of pipeline.settings) settings[setting.name] = settingValue(setting, options);
  if (!options.store) settings[SETTINGS.db.name] = "none";
  const db = String(settings[SETTINGS.db.name] ?? SETTINGS.db.default);
  checkDatabaseUrl(db);
  const notifying = checkChannels(settings, io);
  const startedMs = Date.now();

  const keep = options.artifactsDir !== undefined;
  const artifactsDir = keep ? artifactsDirectory(options.artifactsDir!) : mkdtempSync(join(tmpdir(), "stock-rsi-"));
  let running = "";
  const stop = (signal: NodeJS.Signals) => {
    if (!keep) rmSync(artifactsDir, { recursive: true, force: true });
    const stored =
      running.startsWith("persist")
        ? "a day is stored in one transaction, so the database holds all of this run's values or none of them"
        : "nothing was stored";
    logLine(io, "run", `stopped by ${signal} during ${running || "its start"}; ${stored}; ${keep ? `the artifacts so far are in ${artifactsDir}` : `removed the temporary directory ${artifactsDir}`}`);
    // As a shell reports a process ended by a signal: 128 + the signal's number.
    process.exit(128 + osConstants.signals[signal]);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  // Whatever else ends the process at once (a closed stdout: endQuietlyWhenOutputCloses) takes
  // the temporary directory with it.
  const removeTemporary = () => {
    if (!keep) rmSync(artifactsDir, { recursive: true, force: true });
  };
  process.once("exit", removeTemporary);
  try {
    const plan: ExecutionPlan = { artifactsDir, inputFiles: { symbols: symbolsFile }, outputFiles: options.report ? { report: options.report } : {}, parameters, settings };
    guardRunOutputs(plan, db, keep, notifying, io);
    const steps = pipeline.steps.length;
    // Each step's one-line reason, as a pod leaves it in its termination message, for the exit step.
    let reason: string | undefined;
    const stepIo: Io = { ...io, env: io.env, stderrIsTTY: io.stderrIsTTY, reportFailure: (line) => ((reason = line), io.reportFailure?.(line)) };
    const outcomes = await executePipeline(pipeline, plan, (_step: StepDefinition, argv) => invoke(argv, stepIo), {
      log: (line) => logLine(io, "run", line),
      onAttempt: (step) => ((reason = undefined), (running = `${step.name} (step ${pipeline.steps.indexOf(step) + 1} of ${steps})`)),
      lastReason: () => reason,
    });
    const last = outcomes.at(-1);
    if (options.report && last && last.exitCode !== ExitCode.ok) sayNoReport(options.report, last, startedMs, io);
    if (notifying) {
      running = "notify (after the run)";
      const end = { outcomes, startedMs };
      const report = plan.outputFiles?.report ?? (keep ? join(artifactsDir, "report.html") : undefined);
      const reportLink = report && writtenBy(end, "persist", report) ? pathToFileURL(resolve(report)).href : undefined;
      // Its own exit status says how delivery went; the run's is the steps'.
      await invoke(exitStepArgs(pipeline, plan, { ...end, ...(reportLink ? { reportLink } : {}) }));
    }
    return last?.exitCode ?? ExitCode.internal;
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    process.off("exit", removeTemporary);
    removeTemporary();
  }
}

/**
 * Whether the run ends with the exit step: a channel is given by flag or environment. Every
 * `--notify` URL is checked now, so a typo is refused before the first step rather than reported
 * after the last (the environment's are checked by notify, which names each).
 */
function checkChannels(settings: Readonly<Record<string, SettingValue | undefined>>, io: Io): boolean {
  const urls = (settings[SETTINGS.notify.name] as readonly string[] | undefined) ?? [];
  urls.forEach((url, i) => parseChannel(url, urls.length > 1 ? `${SETTINGS.notify.flag} #${i + 1}` : SETTINGS.notify.flag));
  return urls.length > 0 || Boolean(io.env[CHANNELS_ENV]) || Boolean(io.env[CHANNELS_FILE_ENV]);
}

/** `--artifacts-dir`, created if missing; a path that cannot be a directory is the user's to fix, in one line. */
function artifactsDirectory(path: string): string {
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "EEXIST" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EEXIST" ? "it is a file" : describeFsError(err);
    throw new UserError(`--artifacts-dir ${path}: cannot use it as a directory (${why}); give a directory (it is created if missing)`);
  }
  return path;
}

/**
 * Every file the steps will write, checked before the first one starts (`output-files.ts`): none
 * may be the store, the symbols file or another input of the run, nor anything but a regular file
 * or a new path. Each step checks its own again; only the run knows all of them at once.
 */
function guardRunOutputs(plan: ExecutionPlan, db: string, keep: boolean, notifying: boolean, io: Io): void {
  const database = databaseFiles(db, io.env);
  const source = plan.parameters[PARAMETERS.source.name] ?? PARAMETERS.source.default;
  const where = keep ? "in --artifacts-dir" : "in the run's temporary directory";
  guardOutputs({
    keeps: database.keeps,
    reads: [{ path: plan.inputFiles.symbols!, role: "the symbols file" }, ...replayedFiles(source), ...database.reads],
    // A file of the user's is the output of the same name (`report`), given as `run --report`.
    outputs: [
      ...plannedOutputs(pipeline, plan).map(({ output, path, named }) =>
        named ? { flag: `--${output.name}`, path } : { flag: "--artifacts-dir", path, named: `${path} (${where})` },
      ),
      ...(notifying ? (pipeline.onExit?.outputParameters ?? []).map((o) => join(plan.artifactsDir, o.file)) : []).map((path) => ({ flag: "--artifacts-dir", path, named: `${path} (${where})` })),
    ],
  });
}

/**
 * A failed run writes no report (persist, which writes it, did not finish). A report from an
 * earlier run may still be there under that name, and would pass for this one's: say so.
 */
function sayNoReport(report: string, failed: StepOutcome, startedMs: number, io: Io): void {
  let modifiedMs: number | undefined;
  try {
    modifiedMs = statSync(report).mtimeMs;
  } catch {
    modifiedMs = undefined;
  }
  // persist may have written it before a later output failed: then it is this run's.
  if (modifiedMs !== undefined && modifiedMs >= startedMs) return;
  const failedAt = `the run failed at ${failed.step} (exit ${failed.exitCode}); no report was written`;
  const earlier = modifiedMs === undefined ? "" : `: ${report} is still an earlier run's report (written ${new Date(modifiedMs).toISOString().slice(0, 19)}Z)`;
  logLine(io, "run", `${failedAt}${earlier}`);
}

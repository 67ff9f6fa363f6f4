/**
 * The pipeline, defined once, as data:
 *
 *     fetch ──prices──▶ compute-rsi ──rsi──▶ validate ──validated──▶ persist
 *
 * Which steps exist, what each runs, what it reads, what it writes and which parameters it
 * takes are written here and nowhere else. `stock-rsi run` executes this definition on a laptop;
 * the cdk8s construct in `workflows/` renders it into Argo templates; the tests walk it.
 *
 * A step's `args` are the exact argv after `stock-rsi` that its container runs. Tokens that are
 * not plain strings are filled in by whoever executes the definition:
 * - `{ parameter }`: a run parameter (Argo: `{{inputs.parameters.NAME}}`; locally: a `run` flag);
 * - `{ input }` / `{ output }`: the path of an artifact file (Argo: the declared artifact path;
 *   locally: a file in the run's artifacts directory);
 * - `{ setting }`: an environment setting that is not a per-run parameter (the database URL,
 *   the run id, the output format, a Yahoo mirror, whether persist skips the wide `stocks`
 *   table); each setting expands to zero or more argv words.
 */
import { DEFAULT_METHOD, DEFAULT_PERIOD } from "./domain/rsi.ts";
import { boundedIntArg, isoDateArg, methodArg, nonNegativeIntArg, positiveIntArg, shareArg } from "./command-line/flags.ts";

/** More Yahoo requests in flight than this is a request storm, whatever the mirror can take. */
export const MAX_CONCURRENCY = 32;

export type StepName = "fetch" | "compute-rsi" | "validate" | "persist";

export interface PipelineParameter {
  readonly name: string;
  /** The step flag this parameter fills, e.g. `--as-of`. */
  readonly flag: `--${string}`;
  /** What the flag's value is, for `--help`: `--as-of <date>`. */
  readonly valueName: string;
  readonly description: string;
  /** Empty means "the step's own default" (for `as-of`: today in New York). */
  readonly default: string;
  /**
   * Checks a value and converts it, refusing a bad one with a message naming what is expected.
   * The step that takes the flag and `stock-rsi run` both use it, so `run` refuses a bad value
   * before any step starts.
   */
  readonly parse: (value: string) => unknown;
}

export type SettingName = "db" | "run-id" | "json" | "yahoo-url" | "no-wide-table";

export type ArgToken =
  | string
  | { readonly parameter: string }
  | { readonly input: string }
  | { readonly output: string }
  | { readonly setting: SettingName };

export interface ArtifactFile {
  readonly name: string;
  /** The file name; executors choose the directory. */
  readonly file: string;
}

export interface StepInput extends ArtifactFile {
  /** Where the file comes from: an upstream step's output, or the pipeline's own input. */
  readonly from: { readonly step: StepName; readonly output: string } | { readonly pipelineInput: string };
}

export interface OutputParameter extends ArtifactFile {
  readonly description: string;
}

export interface StepDefinition {
  readonly name: StepName;
  /** One line for the Argo UI and `--help`. */
  readonly summary: string;
  readonly inputs: readonly StepInput[];
  readonly outputs: readonly ArtifactFile[];
  /** Small text files shown as output parameters on the step's node in the Argo UI. */
  readonly outputParameters: readonly OutputParameter[];
  readonly args: readonly ArgToken[];
  /**
   * Whether a failed attempt is worth repeating: only a step that talks to a service that can be
   * briefly away (Yahoo, MySQL) is retried, and only when it exits `unavailable` (3). Bad input
   * and a failed validation policy fail the same way every time.
   */
  readonly retry?: { readonly limit: number; readonly backoffSeconds: number };
}

export interface PipelineDefinition {
  readonly name: string;
  /** Files the pipeline is given, e.g. the symbols list. */
  readonly inputs: readonly ArtifactFile[];
  readonly parameters: readonly PipelineParameter[];
  readonly steps: readonly StepDefinition[];
}

const p = (name: string): ArgToken => ({ parameter: name });

export const PARAMETERS = {
  asOf: {
    name: "as-of",
    flag: "--as-of",
    valueName: "date",
    parse: isoDateArg,
    description: "the trading date to rank, YYYY-MM-DD (default: today in New York); later bars are dropped",
    default: "",
  },
  lookbackDays: {
    name: "lookback-days",
    flag: "--lookback-days",
    valueName: "days",
    parse: positiveIntArg,
    description: "calendar days of history to fetch before the as-of date (the original program: 91)",
    default: "91",
  },
  source: {
    name: "source",
    flag: "--source",
    valueName: "source",
    parse: String,
    description: "where prices come from: yahoo, sample (deterministic, offline) or file:PATH (a prices artifact)",
    default: "yahoo",
  },
  method: {
    name: "method",
    flag: "--method",
    valueName: "method",
    parse: methodArg,
    description: "RSI method: seed (the original program's, default), wilder (TA-Lib) or cutler (SMA)",
    default: DEFAULT_METHOD,
  },
  period: {
    name: "period",
    flag: "--period",
    valueName: "n",
    parse: positiveIntArg,
    description: "RSI period in trading days",
    default: String(DEFAULT_PERIOD),
  },
  maxFailedShare: {
    name: "max-failed-share",
    flag: "--max-failed-share",
    valueName: "share",
    parse: shareArg,
    description: "largest share of symbols (0-1) that may fail before the run is refused",
    default: "0.25",
  },
  maxStaleDays: {
    name: "max-stale-days",
    flag: "--max-stale-days",
    valueName: "days",
    parse: nonNegativeIntArg,
    description: "weekdays a symbol's last close may lag the as-of date before it is rejected as stale",
    default: "3",
  },
  concurrency: {
    name: "concurrency",
    flag: "--concurrency",
    valueName: "n",
    parse: boundedIntArg(1, MAX_CONCURRENCY, "requests in flight (more is a request storm)"),
    description: "Yahoo requests in flight at once (yahoo-finance2's own default is 4)",
    default: "4",
  },
  requestIntervalMs: {
    name: "request-interval-ms",
    flag: "--request-interval-ms",
    valueName: "ms",
    parse: nonNegativeIntArg,
    description: "least milliseconds between the starts of two Yahoo requests (0: no pause)",
    default: "0",
  },
  fetchDeadlineSeconds: {
    name: "fetch-deadline-seconds",
    flag: "--fetch-deadline-seconds",
    valueName: "seconds",
    parse: nonNegativeIntArg,
    description: "time allowed for all downloads; symbols not fetched by then fail with reason deadline (0: none)",
    default: "600",
  },
} as const satisfies Record<string, PipelineParameter>;

export const pipeline: PipelineDefinition = {
  name: "stock-rsi",
  inputs: [{ name: "symbols", file: "symbols.txt" }],
  parameters: Object.values(PARAMETERS),
  steps: [
    {
      name: "fetch",
      summary: "download daily closes for every symbol",
      inputs: [{ name: "symbols", file: "symbols.txt", from: { pipelineInput: "symbols" } }],
      outputs: [{ name: "prices", file: "prices.json" }],
      outputParameters: [],
      args: [
        "fetch",
        "--symbols", { input: "symbols" },
        "--out", { output: "prices" },
        "--as-of", p("as-of"),
        "--lookback-days", p("lookback-days"),
        "--source", p("source"),
        "--concurrency", p("concurrency"),
        "--request-interval-ms", p("request-interval-ms"),
        "--fetch-deadline-seconds", p("fetch-deadline-seconds"),
        "--max-stale-days", p("max-stale-days"),
        { setting: "yahoo-url" },
      ],
      retry: { limit: 2, backoffSeconds: 30 },
    },
    {
      name: "compute-rsi",
      summary: "compute each symbol's RSI from its closes",
      inputs: [{ name: "prices", file: "prices.json", from: { step: "fetch", output: "prices" } }],
      outputs: [{ name: "rsi", file: "rsi.json" }],
      outputParameters: [],
      args: [
        "compute",
        "--in", { input: "prices" },
        "--out", { output: "rsi" },
        "--method", p("method"),
        "--period", p("period"),
      ],
    },
    {
      name: "validate",
      summary: "check the values and the failure rate before anything is stored",
      inputs: [{ name: "rsi", file: "rsi.json", from: { step: "compute-rsi", output: "rsi" } }],
      outputs: [{ name: "validated", file: "validated.json" }],
      outputParameters: [
        { name: "failed-symbols", file: "failed-symbols.txt", description: "symbols without a value today, and why" },
      ],
      args: [
        "validate",
        "--in", { input: "rsi" },
        "--out", { output: "validated" },
        "--failures-out", { output: "failed-symbols" },
        "--max-failed-share", p("max-failed-share"),
        "--max-stale-days", p("max-stale-days"),
      ],
    },
    {
      name: "persist",
      summary: "store the day's values and print the ranking",
      inputs: [{ name: "validated", file: "validated.json", from: { step: "validate", output: "validated" } }],
      outputs: [],
      outputParameters: [{ name: "ranking", file: "ranking.txt", description: "SYMBOL VALUE, strongest first" }],
      args: [
        "persist",
        "--in", { input: "validated" },
        "--ranking-out", { output: "ranking" },
        { setting: "db" },
        { setting: "no-wide-table" },
        { setting: "run-id" },
        { setting: "json" },
      ],
      retry: { limit: 3, backoffSeconds: 20 },
    },
  ],
};

/** The steps a step waits for: the producers of its inputs. */
export function upstreamOf(step: StepDefinition): StepName[] {
  const names = step.inputs.flatMap((input) => ("step" in input.from ? [input.from.step] : []));
  return [...new Set(names)];
}

/** Steps in an order that respects every dependency; throws on a cycle or unknown step. */
export function executionOrder(definition: PipelineDefinition): StepDefinition[] {
  const byName = new Map(definition.steps.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: StepDefinition[] = [];
  const visit = (step: StepDefinition): void => {
    if (done.has(step.name)) return;
    if (visiting.has(step.name)) throw new Error(`pipeline ${definition.name}: cycle through step ${step.name}`);
    visiting.add(step.name);
    for (const up of upstreamOf(step)) {
      const upstream = byName.get(up);
      if (!upstream) throw new Error(`pipeline ${definition.name}: step ${step.name} reads from unknown step ${up}`);
      visit(upstream);
    }
    visiting.delete(step.name);
    done.add(step.name);
    order.push(step);
  };
  definition.steps.forEach(visit);
  return order;
}

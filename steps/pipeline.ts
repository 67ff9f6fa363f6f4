/**
 * The pipeline, defined once, as data:
 *
 *     fetch ──prices──▶ compute-rsi ──rsi──▶ validate ──validated──▶ persist
 *
 * Which steps exist, what each reads and writes, which run parameters and settings it takes,
 * and how it is retried are written here and nowhere else. `stock-rsi run` executes this
 * definition on a laptop (`cli/run/`); the cdk8s construct renders it into Argo templates
 * (`workflows/pipeline-template.ts`); each step's command line is generated from it
 * (`steps/command-line/flags.ts`); the tests walk it.
 *
 * A step's argv is not written by hand either: `stepArgv` derives it from the step's
 * declarations, and the local runner and the Argo template differ only in what they bind to
 * each declaration (a value or `{{inputs.parameters.NAME}}`, a file in a temporary directory or
 * under the pod's `/tmp/stock-rsi/`).
 *
 * Two kinds of knob:
 * - a **run parameter** may differ from run to run (`--as-of`, `--method`): on Argo it is a
 *   workflow parameter (`argo submit -p method=wilder`), locally a flag of `run`;
 * - a **setting** belongs to where the pipeline is deployed (the database, a Yahoo mirror): on
 *   Argo it is fixed by the deployment config (`synth/config.ts`), locally a flag of `run`.
 * Both fall back to their definition's default when nobody sets them, on Argo and locally alike.
 *
 * One more step runs when the run has ended, whatever its outcome: the **exit step** (`notify`),
 * which tells the user what crossed and what broke. On Argo it is the templates' exit handler
 * (`spec.onExit`); `stock-rsi run --notify URL` runs it last. It reads the steps' results when they
 * were written, and is told by the platform how the run ended.
 */
import { DEFAULT_METHOD, DEFAULT_PERIOD } from "./domain/rsi.ts";
import {
  booleanValue,
  boundedIntValue,
  isoDateValue,
  MAX_RUN_ID_LENGTH,
  methodValue,
  runIdValue,
  shareValue,
  textValue,
  ValueRefused,
  type ValueParser,
} from "./domain/values.ts";

/** More Yahoo requests in flight than this is a request storm, whatever the mirror can take. */
export const MAX_CONCURRENCY = 32;

/**
 * Ten years of history is the most a run may ask for. An RSI looks at the last few dozen closes
 * (the seed method's weights fall below a millionth after about 180 of them), so a longer window
 * changes no stored digit; it only multiplies what fetch downloads and holds. The limit also keeps
 * the window's start a real date: 800,000 days back is before year 0.
 */
export const MAX_LOOKBACK_DAYS = 3660;

/**
 * The longest RSI period: a period of N needs N + 1 closes, and the longest window
 * (`MAX_LOOKBACK_DAYS` calendar days and the as-of day) holds at most this many weekdays less
 * one, so a longer period could never give a value. It is refused at the flag, not after fetch.
 */
export const MAX_PERIOD = Math.ceil(((MAX_LOOKBACK_DAYS + 1) * 5) / 7) - 1;

/**
 * A run's fetch may take at most a day: the pipeline runs daily, and a deadline longer than the
 * time to the next run means none (`0` says that plainly). The bound also keeps the deadline's
 * timer within Node's, which holds at most 2^31 - 1 ms (24.8 days) and fires at once beyond.
 */
export const MAX_FETCH_DEADLINE_SECONDS = 24 * 60 * 60;

/**
 * The longest pause between two Yahoo requests: a minute, the longest `Retry-After` fetch honours.
 * At that pace the user's 180 symbols take three hours; a longer pause is no politeness Yahoo asks for.
 */
export const MAX_REQUEST_INTERVAL_MS = 60_000;

/**
 * The longest a run's exit step may spend delivering to one channel, retries included: an hour.
 * A channel down for longer is down for the day, and the exit step's pod has five minutes on Argo
 * anyway (`workflows/pipeline-template.ts`); the bound also keeps the timer within Node's.
 */
export const MAX_NOTIFY_DEADLINE_SECONDS = 3600;

export type StepName = "fetch" | "compute-rsi" | "validate" | "persist" | "backfill";

/** The exit step's name: its `stock-rsi` subcommand and its Argo template. */
export type ExitStepName = "notify";

export type Flag = `--${string}`;

export interface ParameterDefinition {
  readonly name: string;
  /** The step flag this parameter fills, e.g. `--as-of`. */
  readonly flag: Flag;
  /** What the flag's value is, for `--help`: `--as-of <date>`. */
  readonly valueName: string;
  readonly description: string;
  /** Empty means "the step's own default" (for `as-of`: today in New York). */
  readonly default: string;
  /**
   * Every run must give it (the backfill's range): it has no default on Argo, which then refuses
   * a submission without `-p NAME=...` before any pod starts; the step itself refuses it empty.
   */
  readonly required?: true;
  /** The value the flag means when given alone (`--overwrite` for `--overwrite true`); such a flag's value is optional. */
  readonly valueWhenAlone?: string;
  /**
   * Checks a value and converts it, refusing a bad one with a message naming what is expected.
   * The step that takes the flag and `stock-rsi run` both use it, so `run` refuses a bad value
   * before any step starts.
   */
  readonly parse: ValueParser<unknown>;
}

export interface SettingDefinition {
  readonly name: string;
  readonly flag: Flag;
  /** What the flag's value is, for `--help`; absent for a switch, a flag that takes no value. */
  readonly valueName?: string;
  readonly description: string;
  /**
   * The value when nobody sets it: text (`""` passes nothing, so the step's own default holds),
   * for a switch `false` (not passed), or for a setting given any number of times (`--notify`) a
   * list, usually empty.
   */
  readonly default: SettingValue;
  /**
   * Checks a value of a setting that takes one (and converts it), refusing a bad one with a
   * message naming what is expected: at the flag, before any step starts, in every command that
   * takes the setting, and in the deployment config when `npm run synth` renders it. A setting
   * without one takes any text (a URL is checked where it is opened, so its secret is never echoed).
   */
  readonly parse?: ValueParser<unknown>;
}

/**
 * A setting's value: text passes `--FLAG TEXT` ("" passes nothing); a switch passes `--FLAG` when
 * true; a list passes `--FLAG ITEM` once per item.
 */
export type SettingValue = string | boolean | readonly string[];

export interface ArtifactFile {
  readonly name: string;
  /** The file name; executors choose the directory. */
  readonly file: string;
  /** What the file holds, a noun phrase for `--help` and the Argo UI: "the prices artifact (JSON)". */
  readonly description: string;
}

/** A file a step writes, and the flag that says where. */
export interface StepOutput extends ArtifactFile {
  readonly flag: Flag;
  /**
   * Whether the step's own command line may leave the flag out (the file is then not written).
   * The pipeline always passes it; an artifact other steps read is never optional.
   */
  readonly optional?: boolean;
}

/** A file a step reads: an upstream step's output, or one of the pipeline's own input files. */
export interface StepInput {
  readonly name: string;
  readonly flag: Flag;
  readonly from: { readonly step: StepName; readonly output: string } | { readonly pipelineInput: string };
}

export interface StepDefinition {
  /** The step's name, which is also its `stock-rsi` subcommand and, unless `image` says otherwise, its image's name. */
  readonly name: StepName;
  /** The image the step runs in, when it is another step's (backfill runs in persist's). */
  readonly image?: StepName;
  /** One line for the Argo UI and `--help`. */
  readonly summary: string;
  readonly inputs: readonly StepInput[];
  /** Artifacts passed to the next step. */
  readonly outputs: readonly StepOutput[];
  /** Small text files shown as output parameters on the step's node in the Argo UI; optional locally. */
  readonly outputParameters: readonly StepOutput[];
  /**
   * The run parameters the step takes: by name, under the parameter's own flag; or under a flag of
   * the step's (the backfill pipeline's last day `to` is fetch's `--as-of`).
   */
  readonly parameters: readonly (string | { readonly parameter: string; readonly flag: Flag })[];
  /** The settings the step takes, by name. */
  readonly settings: readonly string[];
  /**
   * Whether a failed attempt is worth repeating: only a step that talks to a service that can be
   * briefly away (Yahoo, MySQL) is retried, and only when it exits `unavailable` (3). Bad input,
   * a failed validation policy and a service's refusal (4: a wrong password, a missing privilege)
   * fail the same way every time.
   */
  readonly retry?: StepRetry;
}

export interface StepRetry {
  /** Attempts after the first. */
  readonly limit: number;
  /** The wait before the first retry; each later one doubles it. */
  readonly backoffSeconds: number;
  /**
   * The step already waits out a briefly absent service itself: persist retries the database
   * until the URL's retry deadline (60 s by default), saying so. Then the local runner does not
   * run it again: in one process a second attempt only repeats that wait, and "the database is
   * down" would take minutes to say instead of one. Argo still retries it, in a new pod, which is
   * what helps when the pod itself was lost or MySQL is being rescheduled for minutes.
   */
  readonly waitsInStep?: boolean;
}

export interface PipelineDefinition {
  readonly name: string;
  /** Files the pipeline is given, e.g. the symbols list. */
  readonly inputs: readonly ArtifactFile[];
  readonly parameters: readonly ParameterDefinition[];
  readonly settings: readonly SettingDefinition[];
  readonly steps: readonly StepDefinition[];
  /** The step that runs when the run has ended, on success and on failure alike. */
  readonly onExit?: ExitStepDefinition;
}

/**
 * The step a run ends with, whatever happened before: it reads what the steps wrote, if they got
 * that far, and is told by the platform how the run ended. It never changes the run's outcome: on
 * Argo its own failure leaves the run's phase alone (see `workflows/pipeline-template.ts`), and
 * `stock-rsi run` exits with the status of the pipeline's steps.
 */
export interface ExitStepDefinition {
  readonly name: ExitStepName;
  /** The image it runs in: a step's. */
  readonly image: StepName;
  readonly summary: string;
  /**
   * Which pipeline ran (its name, under `pipeline`), and what only the platform knows when the run
   * ends, each under a flag: the run's status (`Succeeded`, `Failed`, `Error`), its failed steps
   * (Argo's `{{workflow.failures}}`, a JSON list), and where its report can be read (the run in
   * the Argo UI, or the local report file).
   */
  readonly outcome: { readonly pipeline: Flag; readonly status: Flag; readonly failures: Flag; readonly reportLink: Flag };
  /** The steps' files it reads, each only when the step wrote it in this run. */
  readonly results: readonly ExitStepResult[];
  readonly outputParameters: readonly StepOutput[];
  readonly parameters: StepDefinition["parameters"];
  readonly settings: readonly string[];
}

/** A file one of the run's steps writes (an output or an output parameter), read by the exit step under `flag`. */
export interface ExitStepResult {
  readonly flag: Flag;
  readonly from: { readonly step: StepName; readonly output: string };
}

export const PARAMETERS = {
  asOf: {
    name: "as-of",
    flag: "--as-of",
    valueName: "date",
    parse: isoDateValue,
    description: "the trading date to rank, YYYY-MM-DD, not after today (default: today in New York); later bars are dropped",
    default: "",
  },
  lookbackDays: {
    name: "lookback-days",
    flag: "--lookback-days",
    valueName: "days",
    parse: boundedIntValue(1, MAX_LOOKBACK_DAYS, "calendar days of history (ten years)"),
    description: `calendar days of history to fetch before the as-of date, at most ${MAX_LOOKBACK_DAYS} (the original program: 91)`,
    default: "91",
  },
  source: {
    name: "source",
    flag: "--source",
    valueName: "source",
    parse: textValue,
    description: "where prices come from: yahoo, sample (deterministic, offline) or file:PATH (a prices artifact)",
    default: "yahoo",
  },
  method: {
    name: "method",
    flag: "--method",
    valueName: "method",
    parse: methodValue,
    description: "RSI method: seed (the original program's), wilder (TA-Lib) or cutler (SMA)",
    default: DEFAULT_METHOD,
  },
  period: {
    name: "period",
    flag: "--period",
    valueName: "n",
    parse: boundedIntValue(1, MAX_PERIOD, "trading days (a longer period has more closes than the longest window holds)"),
    description: `RSI period in trading days, at most ${MAX_PERIOD}`,
    default: String(DEFAULT_PERIOD),
  },
  maxFailedShare: {
    name: "max-failed-share",
    flag: "--max-failed-share",
    valueName: "share",
    parse: shareValue,
    description: "largest share of symbols (0-1) that may fail before the run is refused",
    default: "0.25",
  },
  maxStaleDays: {
    name: "max-stale-days",
    flag: "--max-stale-days",
    valueName: "days",
    parse: boundedIntValue(0, MAX_LOOKBACK_DAYS, "NYSE trading days (a lag longer than the longest window leaves no close in it)"),
    description: `NYSE trading days a symbol's last close may lag the as-of date before it is rejected as stale, at most ${MAX_LOOKBACK_DAYS}`,
    default: "3",
  },
  concurrency: {
    name: "concurrency",
    flag: "--concurrency",
    valueName: "n",
    parse: boundedIntValue(1, MAX_CONCURRENCY, "requests in flight (more is a request storm)"),
    description: `Yahoo requests in flight at once, at most ${MAX_CONCURRENCY} (4 as in yahoo-finance2)`,
    default: "4",
  },
  requestIntervalMs: {
    name: "request-interval-ms",
    flag: "--request-interval-ms",
    valueName: "ms",
    parse: boundedIntValue(0, MAX_REQUEST_INTERVAL_MS, "milliseconds (a minute)"),
    description: `least milliseconds between the starts of two Yahoo requests, at most ${MAX_REQUEST_INTERVAL_MS} (0: no pause)`,
    default: "0",
  },
  fetchDeadlineSeconds: {
    name: "fetch-deadline-seconds",
    flag: "--fetch-deadline-seconds",
    valueName: "seconds",
    parse: boundedIntValue(0, MAX_FETCH_DEADLINE_SECONDS, "seconds (a day)"),
    description: `time allowed for all downloads, at most ${MAX_FETCH_DEADLINE_SECONDS} s (a day); symbols not fetched by then fail with reason deadline (0: none)`,
    default: "600",
  },
  from: {
    name: "from",
    flag: "--from",
    valueName: "date",
    parse: isoDateValue,
    description: "backfill: the first trading day to fill, YYYY-MM-DD",
    default: "",
    required: true,
  },
  to: {
    name: "to",
    flag: "--to",
    valueName: "date",
    parse: isoDateValue,
    description: "backfill: the last trading day to fill, YYYY-MM-DD",
    default: "",
    required: true,
  },
  overwrite: {
    name: "overwrite",
    flag: "--overwrite",
    valueName: "true|false",
    valueWhenAlone: "true",
    parse: booleanValue,
    description: "backfill: also recompute days that already have stored values (false: skip them)",
    default: "false",
  },
} as const satisfies Record<string, ParameterDefinition>;

export const SETTINGS = {
  db: {
    name: "db",
    flag: "--db",
    valueName: "url",
    description: "the database: sqlite:PATH or mysql://USER@HOST:PORT/DATABASE",
    default: "sqlite:stock-rsi.db",
  },
  runId: {
    name: "run-id",
    flag: "--run-id",
    valueName: "id",
    description: `recorded with every value the run stores, 1 to ${MAX_RUN_ID_LENGTH} printable characters (default: local-<time>; on Argo: the workflow's name)`,
    default: "",
    parse: runIdValue,
  },
  json: {
    name: "json",
    flag: "--json",
    description: "print the machine-readable result instead of the ranking lines",
    default: false,
  },
  yahooUrl: {
    name: "yahoo-url",
    flag: "--yahoo-url",
    valueName: "url",
    description: "send Yahoo requests to this scheme://host[:port] instead (a mirror; default: $STOCK_RSI_YAHOO_URL, else Yahoo)",
    default: "",
  },
  noWideTable: {
    name: "no-wide-table",
    flag: "--no-wide-table",
    description: "MySQL: do not keep the wide `stocks` table (one column per symbol, for Excel) beside the long table",
    default: false,
  },
  // A channel's URL is a credential: on a cluster it comes from a Secret (STOCK_RSI_NOTIFY_FILE),
  // never from the deployment config, whose values end up in dist/ and in every pod's argv.
  notify: {
    name: "notify",
    flag: "--notify",
    valueName: "url",
    description:
      "when the run ends, send what crossed and what broke here; repeatable: https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, " +
      "smtp[s]://USER@HOST:PORT?from=...&to=... (also $STOCK_RSI_NOTIFY, $STOCK_RSI_NOTIFY_FILE; docs/notifications.md)",
    default: [] as readonly string[],
  },
  notifyDeadlineSeconds: {
    name: "notify-deadline-seconds",
    flag: "--notify-deadline-seconds",
    valueName: "seconds",
    description: `time allowed to deliver to each channel, retries included, at most ${MAX_NOTIFY_DEADLINE_SECONDS} s (an hour); a channel still failing then is reported and given up`,
    default: "30",
    parse: boundedIntValue(1, MAX_NOTIFY_DEADLINE_SECONDS, "seconds (an hour)"),
  },
} as const satisfies Record<string, SettingDefinition>;

type NameOf<T extends Record<string, { readonly name: string }>> = T[keyof T]["name"];
export type ParameterName = NameOf<typeof PARAMETERS>;
export type SettingName = NameOf<typeof SETTINGS>;

const parameters = (...names: ParameterName[]): readonly string[] => names;
const settings = (...names: SettingName[]): readonly string[] => names;

export const pipeline: PipelineDefinition = {
  name: "stock-rsi",
  inputs: [{ name: "symbols", file: "symbols.txt", description: "the symbols file: one ticker per line, # comments" }],
  parameters: [
    PARAMETERS.asOf,
    PARAMETERS.lookbackDays,
    PARAMETERS.source,
    PARAMETERS.method,
    PARAMETERS.period,
    PARAMETERS.maxFailedShare,
    PARAMETERS.maxStaleDays,
    PARAMETERS.concurrency,
    PARAMETERS.requestIntervalMs,
    PARAMETERS.fetchDeadlineSeconds,
  ],
  settings: Object.values(SETTINGS),
  steps: [
    {
      name: "fetch",
      summary: "download daily closes for every symbol",
      inputs: [{ name: "symbols", flag: "--symbols", from: { pipelineInput: "symbols" } }],
      outputs: [{ name: "prices", file: "prices.json", flag: "--out", description: "the prices artifact (JSON)" }],
      outputParameters: [],
      parameters: parameters("as-of", "lookback-days", "source", "concurrency", "request-interval-ms", "fetch-deadline-seconds", "max-stale-days"),
      settings: settings("yahoo-url"),
      retry: { limit: 2, backoffSeconds: 30 },
    },
    {
      name: "compute-rsi",
      summary: "compute each symbol's RSI from its closes",
      inputs: [{ name: "prices", flag: "--in", from: { step: "fetch", output: "prices" } }],
      outputs: [{ name: "rsi", file: "rsi.json", flag: "--out", description: "the rsi artifact (JSON)" }],
      outputParameters: [],
      parameters: parameters("method", "period"),
      settings: [],
    },
    {
      name: "validate",
      summary: "check the values and the failure rate before anything is stored",
      inputs: [{ name: "rsi", flag: "--in", from: { step: "compute-rsi", output: "rsi" } }],
      outputs: [{ name: "validated", file: "validated.json", flag: "--out", description: "the validated artifact (JSON)" }],
      outputParameters: [
        {
          name: "failed-symbols",
          file: "failed-symbols.txt",
          flag: "--failures-out",
          description: "the symbols without a value, one `SYMBOL reason: message` per line",
        },
        { name: "ranked-count", file: "ranked-count.txt", flag: "--ranked-count-out", description: "how many symbols the run ranks (0 when the policy failed)" },
        { name: "failed-count", file: "failed-count.txt", flag: "--failed-count-out", description: "how many symbols have no value" },
        { name: "trade-date", file: "trade-date.txt", flag: "--trade-date-out", description: "the trading day the values are of (empty when no symbol has one)" },
      ],
      parameters: parameters("max-failed-share", "max-stale-days"),
      settings: [],
    },
    {
      name: "persist",
      summary: "store the day's values and print the ranking",
      inputs: [{ name: "validated", flag: "--in", from: { step: "validate", output: "validated" } }],
      // The report is the run's page for a person: shown in the Argo UI, written locally with `run --report`.
      outputs: [{ name: "report", file: "report.html", flag: "--report-out", description: "the run's report (HTML)", optional: true }],
      outputParameters: [
        { name: "ranking", file: "ranking.txt", flag: "--ranking-out", description: "the ranking: SYMBOL VALUE lines, strongest first" },
        {
          name: "signals",
          file: "signals.txt",
          flag: "--signals-out",
          description: "the crossings since the previous stored trading day: SYMBOL entered-overbought|left-overbought|entered-oversold|left-oversold FROM -> TO lines",
        },
      ],
      parameters: [],
      settings: settings("db", "no-wide-table", "run-id", "json"),
      retry: { limit: 3, backoffSeconds: 20, waitsInStep: true },
    },
  ],
  onExit: {
    name: "notify",
    // Its image has the report's code and what reading the steps' files takes.
    image: "persist",
    summary: "tell the user how the run ended: what crossed, what broke",
    outcome: { pipeline: "--pipeline", status: "--status", failures: "--failures", reportLink: "--report-link" },
    results: [
      { flag: "--trade-date", from: { step: "validate", output: "trade-date" } },
      { flag: "--failed-symbols", from: { step: "validate", output: "failed-symbols" } },
      { flag: "--ranking", from: { step: "persist", output: "ranking" } },
      { flag: "--signals", from: { step: "persist", output: "signals" } },
      { flag: "--report", from: { step: "persist", output: "report" } },
    ],
    outputParameters: [
      { name: "undelivered", file: "undelivered.txt", flag: "--undelivered-out", description: "how many channels the message could not be delivered to" },
    ],
    parameters: parameters("as-of", "method", "period"),
    settings: settings("notify", "notify-deadline-seconds", "run-id"),
  },
};

/**
 * Backfill on the cluster: the trading days of a range that the daily run missed, each given the
 * value the daily run would have stored (see `steps/persist/backfill.ts`).
 *
 *     fetch ──prices (the whole range)──▶ backfill
 *
 * The same images as the daily DAG, in the shape that fits: fetch asks Yahoo once per symbol for
 * every day's window at once (`--first-day`), and backfill, in persist's image, computes,
 * validates and stores each day in turn, each in its own transaction. Spreading the days over
 * compute-rsi, validate and persist pods would start four pods per day for work that takes a
 * second, and could not skip the days already stored.
 */
export const backfillPipeline: PipelineDefinition = {
  name: "stock-rsi-backfill",
  inputs: pipeline.inputs,
  // The daily run's parameters, with a range of days in place of the one as-of date.
  parameters: [PARAMETERS.from, PARAMETERS.to, ...pipeline.parameters.filter((p) => p !== PARAMETERS.asOf), PARAMETERS.overwrite],
  settings: Object.values(SETTINGS),
  steps: [
    {
      ...stepNamed(pipeline, "fetch"),
      summary: "download every symbol's closes for the whole range, once",
      parameters: [
        { parameter: "to", flag: "--as-of" },
        { parameter: "from", flag: "--first-day" },
        ...parameters("lookback-days", "source", "concurrency", "request-interval-ms", "fetch-deadline-seconds", "max-stale-days"),
      ],
    },
    {
      name: "backfill",
      image: "persist",
      summary: "store each trading day's values, as the daily run would have stored them",
      inputs: [{ name: "prices", flag: "--prices", from: { step: "fetch", output: "prices" } }],
      outputs: [],
      outputParameters: [
        { name: "days", file: "days.txt", flag: "--days-out", description: "one line per trading day: DATE stored N, skipped, or refused with why" },
      ],
      parameters: parameters("from", "to", "lookback-days", "method", "period", "max-failed-share", "max-stale-days", "overwrite"),
      settings: settings("db", "no-wide-table", "run-id"),
      retry: stepNamed(pipeline, "persist").retry!,
    },
  ],
  onExit: {
    ...pipeline.onExit!,
    results: [{ flag: "--days", from: { step: "backfill", output: "days" } }],
    parameters: [{ parameter: "to", flag: "--as-of" }, { parameter: "from", flag: "--first-day" }, ...parameters("method", "period")],
  },
};

/** What an executor binds to a step's declarations to get its argv. */
export interface ArgvBinding {
  /** A run parameter's value: locally the value itself; on Argo `{{inputs.parameters.NAME}}`. */
  parameter(parameter: ParameterDefinition): string;
  /** A setting's value; unset settings take `setting.default`. */
  setting(setting: SettingDefinition): SettingValue;
  /** Where an input file is. */
  input(input: StepInput, step: StepDefinition): string;
  /** Where an output file goes. */
  output(output: StepOutput, step: StepDefinition): string;
}

/**
 * The argv after `stock-rsi` that runs `step`: its subcommand, then a flag per input, output,
 * output parameter, run parameter and setting, in that order. The one function that turns a
 * step's declarations into words, for the local runner and the Argo template alike.
 */
export function stepArgv(definition: PipelineDefinition, step: StepDefinition, binding: ArgvBinding): string[] {
  return [
    step.name,
    ...step.inputs.flatMap((input) => [input.flag, binding.input(input, step)]),
    ...[...step.outputs, ...step.outputParameters].flatMap((output) => [output.flag, binding.output(output, step)]),
    ...parametersOf(definition, step).flatMap((parameter) => [parameter.flag, binding.parameter(parameter)]),
    ...settingsOf(definition, step).flatMap((setting) => settingWords(setting, binding.setting(setting))),
  ];
}

/** The words a setting's value adds to an argv: `--db URL`, `--json`, `--notify A --notify B`, or none. */
export function settingWords(setting: SettingDefinition, value: SettingValue): string[] {
  const isSwitch = setting.valueName === undefined;
  const isList = Array.isArray(setting.default);
  const kind = typeof value === "boolean" ? "switch" : Array.isArray(value) ? "list" : "text";
  if (kind !== (isSwitch ? "switch" : isList ? "list" : "text")) {
    const takes = isSwitch ? "a switch takes true or false" : isList ? "takes a list of values" : "takes text";
    throw new Error(`setting ${setting.name}: ${takes}, not ${JSON.stringify(value)}`);
  }
  if (Array.isArray(value)) return value.flatMap((item: string) => [setting.flag, item]);
  if (value === false || value === "") return [];
  return value === true ? [setting.flag] : [setting.flag, value as string];
}

/** What an executor binds to the exit step's declarations to get its argv. */
export interface ExitArgvBinding {
  /** What the platform says of the run: its status, its failures (JSON), where its report can be read ("" when nowhere). */
  outcome(what: "status" | "failures" | "reportLink"): string;
  /** Where a step's file is, or undefined when this run did not write it (the flag is then left out). */
  result(result: ExitStepResult, file: ArtifactFile): string | undefined;
  output(output: StepOutput): string;
  parameter(parameter: ParameterDefinition): string;
  setting(setting: SettingDefinition): SettingValue;
}

/**
 * The argv after `stock-rsi` that runs the exit step: its subcommand, the run's outcome, a flag per
 * result the run wrote, its output parameters, run parameters and settings. The one function that
 * turns the exit step's declarations into words, for `stock-rsi run` and the Argo exit handler alike.
 */
export function exitStepArgv(definition: PipelineDefinition, binding: ExitArgvBinding): string[] {
  const step = definition.onExit;
  if (!step) throw new Error(`pipeline ${definition.name} has no exit step`);
  return [
    step.name,
    step.outcome.pipeline,
    definition.name,
    ...(["status", "failures", "reportLink"] as const).flatMap((what) => [step.outcome[what], binding.outcome(what)]),
    ...step.results.flatMap((result) => {
      const path = binding.result(result, resultFile(definition, result));
      return path === undefined ? [] : [result.flag, path];
    }),
    ...step.outputParameters.flatMap((output) => [output.flag, binding.output(output)]),
    ...parametersOf(definition, step).flatMap((parameter) => [parameter.flag, binding.parameter(parameter)]),
    ...settingsOf(definition, step).flatMap((setting) => settingWords(setting, binding.setting(setting))),
  ];
}

/** The file a result of the exit step is: a step's output or output parameter; throws when no step writes it. */
export function resultFile(definition: PipelineDefinition, result: ExitStepResult): StepOutput {
  const producer = definition.steps.find((s) => s.name === result.from.step);
  const file = [...(producer?.outputs ?? []), ...(producer?.outputParameters ?? [])].find((o) => o.name === result.from.output);
  if (!file) throw new Error(`pipeline ${definition.name}: the exit step reads ${result.from.step}.${result.from.output}, which no step writes`);
  return file;
}

/** A step, or the exit step: what names its run parameters and settings. */
type TakesKnobs = Pick<StepDefinition, "parameters" | "settings"> & { readonly name: string };

/** The run parameters a step takes, as definitions; throws on a name the pipeline does not define. */
export function parametersOf(definition: PipelineDefinition, step: TakesKnobs): ParameterDefinition[] {
  return step.parameters.map((entry) => {
    const name = typeof entry === "string" ? entry : entry.parameter;
    const found = definition.parameters.find((p) => p.name === name);
    if (!found) throw new Error(`step ${step.name}: unknown parameter ${name}`);
    const parameter = typeof entry === "string" ? found : { ...found, flag: entry.flag };
    return parameter;
  });
}

/** The settings a step takes, as definitions; throws on a name the pipeline does not define. */
export function settingsOf(definition: PipelineDefinition, step: TakesKnobs): SettingDefinition[] {
  return step.settings.map((name) => {
    const setting = definition.settings.find((s) => s.name === name);
    if (!setting) throw new Error(`step ${step.name}: unknown setting ${name}`);
    return setting;
  });
}

/**
 * Setting values by name, each checked against the definition: an unknown name (a typo in a
 * deployment config) is refused, and a setting nobody set takes its default.
 */
export function settingValues(
  definition: PipelineDefinition,
  given: Readonly<Record<string, SettingValue | undefined>>,
  where: string,
): Record<string, SettingValue> {
  const known = new Map(definition.settings.map((s) => [s.name, s]));
  for (const [name, value] of Object.entries(given)) {
    const setting = known.get(name);
    if (!setting) throw new Error(`${where}: "${name}" is not a pipeline setting; known: ${[...known.keys()].join(", ")}`);
    if (setting.parse && typeof value === "string" && value !== "") {
      try {
        setting.parse(value);
      } catch (err) {
        if (!(err instanceof ValueRefused)) throw err;
        throw new Error(`${where}: ${name}: ${err.message}`);
      }
    }
  }
  return Object.fromEntries(definition.settings.map((s) => [s.name, given[s.name] ?? s.default]));
}

/** The output a step input reads, or the pipeline input file it is. */
export function sourceOf(definition: PipelineDefinition, input: StepInput): { readonly step?: StepName; readonly file: ArtifactFile } {
  if ("pipelineInput" in input.from) {
    const name = input.from.pipelineInput;
    const file = definition.inputs.find((i) => i.name === name);
    if (!file) throw new Error(`pipeline ${definition.name}: no pipeline input ${name}`);
    return { file };
  }
  const { step: producer, output } = input.from;
  const file = definition.steps.find((s) => s.name === producer)?.outputs.find((o) => o.name === output);
  if (!file) throw new Error(`pipeline ${definition.name}: input ${input.name} reads ${producer}.${output}, which no step writes`);
  return { step: producer, file };
}

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

/** A step of the pipeline by name. */
export function stepNamed(definition: PipelineDefinition, name: StepName): StepDefinition {
  const step = definition.steps.find((s) => s.name === name);
  if (!step) throw new Error(`pipeline ${definition.name}: no step ${name}`);
  return step;
}

/**
 * What monitoring sees of the daily batch, and what each run is called in the Argo UI.
 *
 * Argo's controller exports these custom metrics (prefixed `argo_workflows_`) to Prometheus or
 * OpenTelemetry, whichever it is configured for; the UI does not show them. A metric's name and
 * labels may hold only letters, digits and `_`, and it must have a help text: Argo refuses the
 * metric otherwise (the lint in test/synth checks both).
 *
 * - `stock_rsi_symbols_ranked` and `stock_rsi_symbols_failed`: gauges set by the validate step of
 *   every run, labelled by RSI method: how many symbols the run ranks (0 when the policy failed),
 *   and how many have no value. A slow rise in failures is a symbol list going stale.
 * - `stock_rsi_run_duration_seconds`: a gauge set when a run ends, labelled by method and outcome
 *   (`Succeeded`, `Failed`, `Error`), and `stock_rsi_runs`: a counter of runs by the same labels.
 * - `stock_rsi_last_success_timestamp_seconds`: when the last successful run started (Unix
 *   seconds), by method. `time()` minus it is how long the store has gone without a new day: the
 *   one number to alert on (docs/deploying.md has a rule).
 */
import type { StepName } from "../steps/pipeline.ts";
import type { Prometheus } from "./argo/types.ts";

const METHOD = { key: "method", value: "{{workflow.parameters.method}}" };
const OUTCOME = { key: "status", value: "{{workflow.status}}" };

/** Metrics of the run as a whole, computed by the controller when a run ends. */
export const RUN_METRICS: readonly Prometheus[] = [
  {
    name: "stock_rsi_run_duration_seconds",
    help: "How long the last stock-rsi run took, by RSI method and outcome",
    labels: [METHOD, OUTCOME],
    gauge: { value: "{{workflow.duration}}", realtime: false },
  },
  {
    name: "stock_rsi_runs",
    help: "stock-rsi runs, by RSI method and outcome",
    labels: [METHOD, OUTCOME],
    counter: { value: "1" },
  },
  {
    name: "stock_rsi_last_success_timestamp_seconds",
    help: "When the last successful stock-rsi run started, in Unix seconds, by RSI method",
    labels: [METHOD],
    when: "{{workflow.status}} == Succeeded",
    gauge: { value: "{{workflow.creationTimestamp.s}}", realtime: false },
  },
];

/** Metrics a step's node sets when it ends, from its output parameters. */
export const STEP_METRICS: Readonly<Partial<Record<StepName, readonly Prometheus[]>>> = {
  validate: [
    {
      name: "stock_rsi_symbols_ranked",
      help: "Symbols the last stock-rsi run ranked (0 when its validation policy failed), by RSI method",
      labels: [METHOD],
      gauge: { value: "{{outputs.parameters.ranked-count}}", realtime: false },
    },
    {
      name: "stock_rsi_symbols_failed",
      help: "Symbols without a value in the last stock-rsi run, by RSI method",
      labels: [METHOD],
      gauge: { value: "{{outputs.parameters.failed-count}}", realtime: false },
    },
  ],
};

/**
 * A metric of the exit handler's notify node, set when it ends: `stock_rsi_notifications_undelivered`,
 * a counter of channels that did not take a run's message (a webhook revoked, a server down past
 * the delivery's bound, a bad URL in the Secret), from notify's `undelivered` output parameter.
 * Labelled by pipeline (`stock-rsi`, `stock-rsi-backfill`). A run's outcome never depends on it:
 * this is how a silent channel is noticed.
 */
export function notifyMetrics(pipeline: string): readonly Prometheus[] {
  return [
    {
      name: "stock_rsi_notifications_undelivered",
      help: "Notification channels that did not take a stock-rsi run's message, by pipeline",
      labels: [{ key: "pipeline", value: pipeline }],
      counter: { value: "{{outputs.parameters.undelivered}}" },
    },
  ];
}

/**
 * The day a run ranks: its `as-of` parameter, or when that is left empty (the daily schedule),
 * the date the run started in the market's time zone, which is the day it ranks. An Argo
 * expression, evaluated when the run starts: `workflow.creationTimestamp.RFC3339` is the start
 * time, and `sprig.dateInZone` formats it in `timeZone`.
 */
export function rankedDayExpression(timeZone: string): string {
  return (
    `{{=workflow.parameters['as-of'] != '' ? workflow.parameters['as-of'] : ` +
    `sprig.dateInZone('2006-01-02', sprig.toDate('2006-01-02T15:04:05Z07:00', workflow.creationTimestamp.RFC3339), '${timeZone}')}}`
  );
}

/**
 * The title and description each run carries in the Workflows list. Argo copies only the
 * template's `spec.workflowMetadata` onto a run (not the template's own annotations), and
 * substitutes parameters and expressions in it when the run starts; the UI renders the two
 * annotations as markdown.
 */
export function runAnnotations(timeZone: string): Record<string, string> {
  const day = rankedDayExpression(timeZone);
  return {
    "workflows.argoproj.io/title": `**stock-rsi** ${day} · {{workflow.parameters.method}} {{workflow.parameters.period}}`,
    "workflows.argoproj.io/description":
      `Ranks the symbols by RSI as of ${day} from {{workflow.parameters.source}}. ` +
      "The report is the `report` artifact of the **persist** node; `ranking` and `signals` are its output parameters.",
  };
}

/** A backfill run's title and description: the range it fills. */
export function backfillRunAnnotations(): Record<string, string> {
  return {
    "workflows.argoproj.io/title": "**stock-rsi backfill** {{workflow.parameters.from}} to {{workflow.parameters.to}} · {{workflow.parameters.method}} {{workflow.parameters.period}}",
    "workflows.argoproj.io/description":
      "Stores, for each trading day from {{workflow.parameters.from}} to {{workflow.parameters.to}}, the values the daily run would have stored. " +
      "The `days` output parameter of the **backfill** node lists each day.",
  };
}

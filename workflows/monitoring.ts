/**
 * What monitoring sees of the daily batch, how it gets there, when it alerts, and what each run
 * is called in the Argo UI.
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
 *   one number to alert on.
 *
 * Nothing scrapes them by itself (Argo v4.0.10, `docs/metrics.md`): the install has no metrics
 * Service; the controller serves them over HTTPS with a certificate it makes itself when it
 * starts (`util/telemetry/exporter_prometheus.go`: `secure` is the default); only the leader
 * serves them, a standby answers with no metrics; and custom metrics live in the controller's
 * memory, so after a restart a gauge is absent until a run sets it again. So this module also
 * says how Prometheus scrapes the controller (`CONTROLLER_SCRAPE`, as a PodMonitor for the
 * Prometheus Operator or as a plain scrape config), and its alerts (`ALERT_RULES`) read the last
 * success through `last_over_time`, which outlives a restart, and fire on absence too.
 */
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import type { StepName } from "../steps/pipeline.ts";
import type { Prometheus } from "./argo/types.ts";
import { componentLabels } from "./labels.ts";

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

/** Argo's controller exports every metric with this prefix (`prometheus.WithNamespace`, util/telemetry at v4.0.10). */
export const ARGO_METRIC_PREFIX = "argo_workflows_";

/**
 * How Prometheus finds and reads Argo's controller, as Argo v4.0.10 installs it: pods labelled
 * `app: workflow-controller` with the container port `metrics` (9090;
 * `manifests/base/workflow-controller/workflow-controller-deployment.yaml`), serving `/metrics`
 * over HTTPS with a self-signed certificate, so the scrape skips verifying it
 * (`util/telemetry/exporter_prometheus.go`). Every controller pod is scraped; only the leader's
 * answer holds metrics, so the alerts aggregate over pods.
 */
export const CONTROLLER_SCRAPE = {
  podLabels: { app: "workflow-controller" },
  portName: "metrics",
  path: "/metrics",
  scheme: "https",
  interval: "60s",
} as const;

/** A Prometheus alerting rule, as both a PrometheusRule and a plain rule file hold it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description?: string };
}

const LAST_SUCCESS = `${ARGO_METRIC_PREFIX}stock_rsi_last_success_timestamp_seconds`;
/**
 * How far back the alerts look for the last success: a controller restart drops the gauge, and
 * `last_over_time` keeps its last value in view for this long (within Prometheus' default
 * retention of 15 days).
 */
const REMEMBERED = "10d";

/** The alerts: a day not stored, no success seen at all, the controller not scraped, many symbols failing. */
export const ALERT_RULES: readonly AlertRule[] = [
  {
    // Weekdays at 17:30 New York time is 21:30 or 22:30 UTC, so from Tuesday to Saturday (UTC) the
    // last success is never more than about a day old.
    alert: "StockRsiNoSuccessfulRun",
    expr: `(time() - max(last_over_time(${LAST_SUCCESS}[${REMEMBERED}]))) > 28 * 3600
and on() (day_of_week() >= 2 and day_of_week() <= 6)`,
    for: "1h",
    annotations: { summary: "stock-rsi has stored no new day for {{ $value | humanizeDuration }}" },
  },
  {
    alert: "StockRsiNoSuccessRecorded",
    expr: `absent(last_over_time(${LAST_SUCCESS}[${REMEMBERED}]))`,
    for: "1h",
    annotations: {
      summary: `no successful stock-rsi run in ${REMEMBERED}, or none was scraped`,
      description: "Also fires from deployment until the first run succeeds.",
    },
  },
  {
    // Only the leader serves metrics; none means no controller is scraped (or none runs).
    alert: "ArgoWorkflowControllerNotScraped",
    expr: `absent(${ARGO_METRIC_PREFIX}is_leader)`,
    for: "15m",
    annotations: { summary: "Prometheus gets no metrics from Argo's workflow controller: stock-rsi's are not watched" },
  },
  {
    alert: "StockRsiManySymbolsFailing",
    expr:
      `max by (method) (${ARGO_METRIC_PREFIX}stock_rsi_symbols_failed)
` +
      `  / (max by (method) (${ARGO_METRIC_PREFIX}stock_rsi_symbols_failed) + max by (method) (${ARGO_METRIC_PREFIX}stock_rsi_symbols_ranked))
> 0.2`,
    annotations: { summary: "more than 20% of the symbols had no value in the last run ({{ $labels.method }})" },
  },
];

/** The rule group, as a Prometheus rule file and a PrometheusRule's spec both hold it. */
export const ALERT_GROUP = { name: "stock-rsi", rules: ALERT_RULES } as const;

/** A Prometheus without the Operator scrapes the controller with this job (docs/deploying.md shows it). */
export function controllerScrapeConfig(argoNamespace: string): Record<string, unknown> {
  return {
    job_name: "argo-workflows-controller",
    scheme: CONTROLLER_SCRAPE.scheme,
    metrics_path: CONTROLLER_SCRAPE.path,
    scrape_interval: CONTROLLER_SCRAPE.interval,
    tls_config: { insecure_skip_verify: true },
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [argoNamespace] } }],
    relabel_configs: [
      ...Object.entries(CONTROLLER_SCRAPE.podLabels).map(([label, value]) => ({
        source_labels: [`__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`],
        action: "keep",
        regex: value,
      })),
      { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: CONTROLLER_SCRAPE.portName },
      { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
    ],
  };
}

export interface PipelineMonitoringProps {
  readonly namespace: string;
  /** Where Argo's controller runs; the PodMonitor goes there, beside the pods it selects. */
  readonly argoNamespace: string;
  /** Labels the Operator's Prometheus selects PodMonitors and PrometheusRules by. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * For a cluster with the Prometheus Operator: a PodMonitor that scrapes Argo's controller
 * (`CONTROLLER_SCRAPE`) and a PrometheusRule holding `ALERT_RULES`. Their schemas are the
 * Operator's CRDs (monitoring.coreos.com/v1), vendored under `workflows/prometheus-operator/`.
 */
export class PipelineMonitoring extends Construct {
  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const labels = (name: string) => ({ ...componentLabels(name, "monitoring"), ...props.labels });
    new ApiObject(this, "controller-monitor", {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "argo-workflow-controller", namespace: props.argoNamespace, labels: labels("argo-workflow-controller") },
      spec: {
        selector: { matchLabels: { ...CONTROLLER_SCRAPE.podLabels } },
        podMetricsEndpoints: [
          {
            port: CONTROLLER_SCRAPE.portName,
            path: CONTROLLER_SCRAPE.path,
            scheme: CONTROLLER_SCRAPE.scheme,
            interval: CONTROLLER_SCRAPE.interval,
            // The controller's certificate is self-signed, made when it starts.
            tlsConfig: { insecureSkipVerify: true },
          },
        ],
      },
    });
    new ApiObject(this, "alerts", {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "stock-rsi", namespace: props.namespace, labels: labels("stock-rsi") },
      spec: { groups: [{ name: ALERT_GROUP.name, rules: ALERT_GROUP.rules.map((rule) => ({ ...rule })) }] },
    });
  }
}

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

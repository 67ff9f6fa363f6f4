/**
 * Everything stock-rsi runs on a cluster, as the architecture reads:
 *
 * - the namespace holds it all;
 * - MySQL keeps its data on an NFS volume, and only the pipeline's persist step (and the
 *   networks the config names) may reach it;
 * - Argo keeps the artifacts the steps pass in an S3 store (SeaweedFS on its own NFS volume, or
 *   one the user already has);
 * - the pipeline is a WorkflowTemplate rendered from `steps/pipeline.ts`, run as its own
 *   ServiceAccount, persisting to MySQL; a CronWorkflow runs it every weekday after the close;
 * - a person watches it in the Argo UI as a viewer, who may read and change nothing.
 *
 * One chart per part, so `dist/` has one file each, numbered in the order `kubectl apply -f dist/`
 * must create them (the namespace first).
 */
import { Chart } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { DEFAULT_MYSQL_ACCOUNTS } from "../steps/store/mysql/grants.ts";
import type { PipelineDefinition, StepName } from "../steps/pipeline.ts";
import { ArtifactRepository, type ArtifactStoreConfig } from "./artifact-repository.ts";
import { DailySchedule, type ScheduleConfig } from "./daily-schedule.ts";
import { PART_OF } from "./labels.ts";
import { MysqlDatabase } from "./mysql.ts";
import { NfsVolume, type NfsStorage } from "./nfs-volume.ts";
import { backfillRunAnnotations, notifyMetrics, PipelineMonitoring, RUN_METRICS, runAnnotations, STEP_METRICS } from "./monitoring.ts";
import { notificationChannels } from "./notification-channels.ts";
import { PipelineTemplate } from "./pipeline-template.ts";
import { UiViewer } from "./ui-viewer.ts";
import { WorkflowIdentity } from "./workflow-identity.ts";

export interface ImageConfig {
  /** e.g. `registry.example.com:5000/stock-rsi`; the image name is `<registry>/<step>`. */
  readonly registry: string;
  /** A pinned tag; never `latest`. */
  readonly tag: string;
  /**
   * The digest each image had when it was last pushed, by the name it was pushed under
   * (`imageName`): `npm run images -- --push` records them in `synth/image-digests.json`. A step
   * whose image has one runs exactly that build (`<name>@<digest>`), pulled once per node.
   */
  readonly digests?: Readonly<Record<string, string>>;
}

export interface MysqlConfig {
  /** The official image: a patch release of the 8.4 LTS line (`mysql:8.4.10`) or a digest; synth refuses a moving tag. */
  readonly image: string;
  readonly storage: NfsStorage;
  /**
   * Networks (CIDR) besides the pipeline's persist pods that may reach MySQL on 3306, e.g. the
   * nodes' network for a `mysql` client run on a node, or Excel over ODBC through a NodePort.
   * Empty: only the pipeline (and `kubectl exec` / `kubectl port-forward`, which bypass it).
   */
  readonly allowedClientCidrs: readonly string[];
}

/**
 * Everything that differs between one cluster and another, typed: the app in `synth/` fills it
 * in (`synth/config.ts`) and hands it to `defineStockRsi`.
 */
export interface DeploymentConfig {
  readonly namespace: string;
  readonly images: ImageConfig;
  /**
   * The numeric user (and group) the step containers run as: the images' non-root user (65532,
   * distroless's `nonroot`, see the Dockerfile). The pods state it so Kubernetes can enforce
   * `runAsNonRoot`.
   */
  readonly stepRunAsUser: number;
  /** The symbols file, relative to the repository root; synth copies it into a ConfigMap. */
  readonly symbolsFile: string;
  /**
   * Defaults for the pipeline's run parameters (`steps/pipeline.ts`), by parameter name, e.g.
   * `{ method: "wilder" }`; `argo submit -p` still overrides them per run. Unknown names fail synth.
   */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Values for the pipeline's settings (`SETTINGS` in `steps/pipeline.ts`) beyond the ones the
   * manifests derive themselves (`db`, `run-id`): text passes `--NAME TEXT` ("" passes nothing),
   * a switch passes `--NAME` when true. A setting set nowhere takes its definition's default, as
   * in a local run; a name the pipeline does not define fails synth.
   */
  readonly settings: Readonly<Record<string, string | boolean>>;
  readonly schedule: ScheduleConfig;
  readonly mysql: MysqlConfig;
  readonly artifacts: ArtifactStoreConfig;
  /** The namespace Argo Workflows runs in; its server reads artifacts for the UI. */
  readonly argoNamespace: string;
  /**
   * The Argo UI's address as the user opens it (`https://argo.example.com:2746`): each run's
   * notification links the run there. "" links nothing.
   */
  readonly argoUiUrl: string;
  readonly monitoring: MonitoringConfig;
}

/** What watches the pipeline (workflows/monitoring.ts). */
export interface MonitoringConfig {
  /**
   * true: ship the Prometheus Operator's PodMonitor (scraping Argo's controller) and
   * PrometheusRule (the alerts), in `dist/0004-monitoring.k8s.yaml`. false on a cluster without
   * the Operator: its Prometheus takes the scrape config and rules in docs/deploying.md instead.
   */
  readonly prometheusOperator: boolean;
  /** Labels the Operator's Prometheus selects PodMonitors and PrometheusRules by (its `podMonitorSelector`, `ruleSelector`). */
  readonly labels: Readonly<Record<string, string>>;
}

/** The name a step's image is built and pushed under, e.g. `localhost:5000/stock-rsi/fetch:0.1.0`. */
export function imageName(step: StepName, images: ImageConfig): string {
  return `${images.registry}/${step}:${images.tag}`;
}

/**
 * The image reference a step's container runs: its name and the digest it was last pushed with
 * (`localhost:5000/stock-rsi/fetch:0.1.0@sha256:...`), so each build has a reference of its own;
 * the bare name while no push was recorded.
 */
export function imageFor(step: StepName, images: ImageConfig): string {
  const name = imageName(step, images);
  const digest = images.digests?.[name];
  return digest ? `${name}@${digest}` : name;
}

export interface StockRsiProps {
  readonly config: DeploymentConfig;
  readonly definition: PipelineDefinition;
  /** The backfill DAG (`backfillPipeline` in `steps/pipeline.ts`), rendered beside the daily one. */
  readonly backfill: PipelineDefinition;
  /** The content of each pipeline input file, by input name (the symbols list). */
  readonly inputFiles: Readonly<Record<string, string>>;
}

export function defineStockRsi(app: Construct, props: StockRsiProps): void {
  const { config, definition } = props;
  const { namespace } = config;

  const home = new Chart(app, "namespace");
  new kplus.Namespace(home, "namespace", { metadata: { name: namespace, labels: { "app.kubernetes.io/part-of": PART_OF } } });

  // MySQL keeps its data on an NFS volume; the networks the config names may reach it.
  const database = new Chart(app, "mysql");
  database.addDependency(home);
  const mysql = new MysqlDatabase(database, "mysql", {
    namespace,
    image: config.mysql.image,
    accounts: DEFAULT_MYSQL_ACCOUNTS,
    dataVolume: new NfsVolume(database, "data", { namespace, name: "mysql-data", storage: config.mysql.storage }),
  });
  config.mysql.allowedClientCidrs.forEach((cidr, i) => mysql.allowFrom(kplus.NetworkPolicyIpBlock.ipv4(database, `client-network-${i}`, cidr)));

  // Argo passes the steps' files through an S3 store.
  const artifacts = new Chart(app, "artifacts");
  artifacts.addDependency(home);
  new ArtifactRepository(artifacts, "repository", { namespace, store: config.artifacts, argoNamespace: config.argoNamespace });

  // The pipeline runs as its own account; its persist step is one of MySQL's pipeline clients.
  // A CronWorkflow runs it every weekday after the close.
  const pipelineChart = new Chart(app, "pipeline");
  pipelineChart.addDependency(database, artifacts);
  const identity = new WorkflowIdentity(pipelineChart, "identity", { namespace });
  // What every pod of both templates gets: the same account, database, images and user.
  const steps = {
    serviceAccountName: identity.serviceAccountName,
    artifactGcServiceAccountName: identity.artifactGcServiceAccountName,
    parameterDefaults: config.parameters,
    settings: {
      db: mysql.pipelineUrl,
      // Every value a run stores carries the workflow's name, so a row leads back to its run.
      "run-id": "{{workflow.name}}",
      ...config.settings,
    },
    // notify reads its channels from the Secret the user creates (docs/deploying.md).
    settingNeeds: { db: mysql.pipelineClient, notify: notificationChannels() },
    imageFor: (step: StepName) => imageFor(step, config.images),
    runAsUser: config.stepRunAsUser,
  };
  const pipeline = new PipelineTemplate(pipelineChart, "pipeline", {
    namespace,
    definition,
    title: "stock-rsi: rank the symbols by RSI",
    outcome: "Each run's report is the `report` artifact of its **persist** node; `ranking` and `signals` are that node's output parameters, `failed-symbols` validate's.",
    inputFiles: props.inputFiles,
    deployment: {
      ...steps,
      // Each run says in the Workflows list which day it ranks; monitoring sees every run.
      runAnnotations: runAnnotations(config.schedule.timeZone),
      metrics: { run: RUN_METRICS, steps: STEP_METRICS },
      exitStep: { argoUiUrl: config.argoUiUrl, metrics: notifyMetrics(definition.name) },
    },
  });
  // The days a scheduled run missed, filled on demand with the same images:
  // argo submit --from workflowtemplate/stock-rsi-backfill -p from=DATE -p to=DATE.
  new PipelineTemplate(pipelineChart, "backfill", {
    namespace,
    definition: props.backfill,
    title: "stock-rsi backfill: fill the trading days a run missed",
    outcome: "The `days` output parameter of the **backfill** node lists each trading day: stored, skipped (already stored) or refused by validation.",
    inputFiles: props.inputFiles,
    deployment: { ...steps, runAnnotations: backfillRunAnnotations(), exitStep: { argoUiUrl: config.argoUiUrl, metrics: notifyMetrics(props.backfill.name) } },
  });
  new DailySchedule(pipelineChart, "daily", { namespace, templateName: pipeline.name, schedule: config.schedule });
  // A person watches the runs in the Argo UI, logged in as a read-only viewer.
  new UiViewer(pipelineChart, "ui-viewer", { namespace });

  // Prometheus scrapes Argo's controller, where the pipeline's metrics are, and alerts on them.
  if (config.monitoring.prometheusOperator) {
    const monitoring = new Chart(app, "monitoring");
    monitoring.addDependency(pipelineChart);
    new PipelineMonitoring(monitoring, "monitoring", { namespace, argoNamespace: config.argoNamespace, labels: config.monitoring.labels });
  }
}

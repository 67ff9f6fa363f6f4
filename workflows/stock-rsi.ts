/**
 * Everything stock-rsi runs on a cluster, as the architecture reads:
 *
 * - the namespace holds it all;
 * - MySQL keeps its data on an NFS volume, and only the pipeline's persist step (and the
 *   networks the config names) may reach it;
 * - Argo keeps the artifacts the steps pass in an S3 store (SeaweedFS on its own NFS volume, or
 *   one the user already has);
 * - the pipeline is a WorkflowTemplate rendered from `steps/pipeline.ts`, run as its own
 *   ServiceAccount, persisting to MySQL; a CronWorkflow runs it every weekday after the close.
 *
 * One chart per part, so `dist/` has one file each, numbered in the order `kubectl apply -f dist/`
 * must create them (the namespace first).
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import { DEFAULT_MYSQL_ACCOUNTS } from "../steps/store/mysql/grants.ts";
import type { PipelineDefinition } from "../steps/pipeline.ts";
import { imageFor, type DeploymentConfig } from "../synth/config.ts";
import { ArtifactRepository } from "./artifact-repository.ts";
import { DailySchedule } from "./daily-schedule.ts";
import { kube } from "./kube.ts";
import { PART_OF } from "./labels.ts";
import { MysqlDatabase } from "./mysql.ts";
import { NfsVolume } from "./nfs-volume.ts";
import { PipelineTemplate } from "./pipeline-template.ts";
import { WorkflowIdentity } from "./workflow-identity.ts";

export interface StockRsiProps {
  readonly config: DeploymentConfig;
  readonly definition: PipelineDefinition;
  /** The content of each pipeline input file, by input name (the symbols list). */
  readonly inputFiles: Readonly<Record<string, string>>;
}

export function defineStockRsi(app: Construct, props: StockRsiProps): void {
  const { config, definition } = props;
  const { namespace } = config;

  const home = new Chart(app, "namespace");
  kube<INamespace>(home, "namespace", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace, labels: { "app.kubernetes.io/part-of": PART_OF } },
  });

  const database = new Chart(app, "mysql");
  database.addDependency(home);
  const mysql = new MysqlDatabase(database, "mysql", {
    namespace,
    image: config.mysql.image,
    accounts: DEFAULT_MYSQL_ACCOUNTS,
    dataVolume: new NfsVolume(database, "data", { namespace, name: "mysql-data", storage: config.mysql.storage }),
    allowedClientCidrs: config.mysql.allowedClientCidrs,
  });

  const artifacts = new Chart(app, "artifacts");
  artifacts.addDependency(home);
  new ArtifactRepository(artifacts, "repository", { namespace, store: config.artifacts, argoNamespace: config.argoNamespace });

  const pipelineChart = new Chart(app, "pipeline");
  pipelineChart.addDependency(database, artifacts);
  const identity = new WorkflowIdentity(pipelineChart, "identity", { namespace });
  const pipeline = new PipelineTemplate(pipelineChart, "pipeline", {
    namespace,
    definition,
    inputFiles: props.inputFiles,
    deployment: {
      serviceAccountName: identity.serviceAccountName,
      parameterDefaults: config.parameters,
      settings: {
        db: mysql.pipelineUrl,
        // Every value a run stores carries the workflow's name, so a row leads back to its run.
        "run-id": "{{workflow.name}}",
        ...config.settings,
      },
      settingNeeds: { db: mysql.pipelineClient },
      imageFor: (step) => imageFor(step, config),
      runAsUser: config.stepRunAsUser,
    },
  });
  new DailySchedule(pipelineChart, "daily", { namespace, templateName: pipeline.name, schedule: config.schedule });
}

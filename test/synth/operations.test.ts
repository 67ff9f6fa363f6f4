/**
 * The operating decisions, as the user's cluster will receive them: read from dist/, so a
 * refactoring that drops one fails here.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { pipeline } from "../../steps/pipeline.ts";
import { retryExpression } from "../../workflows/retry.ts";
import { loadManifests, type KubeObject } from "./support/manifests.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading parsed YAML
type Any = Record<string, any>;
let objects: KubeObject[];
const get = (kind: string, name?: string): Any => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return found as Any;
};

beforeAll(() => {
  objects = loadManifests().map((m) => m.object);
});

describe("the pipeline in dist/", () => {
  it("is the definition's DAG: one task per step, each waiting for the steps it reads from", () => {
    const spec = get("WorkflowTemplate").spec;
    const dag = spec.templates.find((t: Any) => t.name === spec.entrypoint).dag.tasks as Any[];
    expect(dag.map((t) => [t.name, t.dependencies ?? []])).toEqual([
      ["fetch", []],
      ["compute-rsi", ["fetch"]],
      ["validate", ["compute-rsi"]],
      ["persist", ["validate"]],
    ]);
    for (const step of pipeline.steps) {
      const template = spec.templates.find((t: Any) => t.name === step.name);
      expect(template.container.command).toEqual(["stock-rsi"]);
      expect(template.container.args[0]).toBe(step.name);
      expect(template.container.image).toMatch(new RegExp(`/${step.name}:[\\w.-]+$`));
      for (const artifact of template.outputs.artifacts ?? []) expect(artifact.archive).toEqual({ none: {} });
    }
  });

  it("retries only fetch and persist, by the retry expression (test/workflows/retry.test.ts), with back-off", () => {
    const templates = get("WorkflowTemplate").spec.templates as Any[];
    const retried = templates.filter((t) => t.retryStrategy).map((t) => t.name);
    expect(retried).toEqual(["fetch", "persist"]);
    for (const t of templates.filter((x) => x.retryStrategy)) {
      expect(t.retryStrategy.expression).toBe(retryExpression());
      expect(t.retryStrategy.backoff.duration).toMatch(/^\d+s$/);
    }
  });

  it("ends every run and cleans up after it: a deadline, podGC and a TTL", () => {
    const spec = get("WorkflowTemplate").spec;
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(spec.podGC.strategy).toBe("OnWorkflowSuccess");
    expect(spec.ttlStrategy.secondsAfterSuccess).toBeGreaterThan(0);
    expect(spec.ttlStrategy.secondsAfterFailure).toBeGreaterThan(0);
    for (const t of spec.templates.filter((x: Any) => x.container)) expect(t.activeDeadlineSeconds).toBeGreaterThan(0);
  });

  it("shows the ranking, the crossings and the failed symbols as output parameters of persist and validate", () => {
    const templates = get("WorkflowTemplate").spec.templates as Any[];
    const outputs = (name: string) => templates.find((t) => t.name === name)!.outputs.parameters.map((p: Any) => p.name);
    expect(outputs("persist")).toEqual(["ranking", "signals"]);
    expect(outputs("validate")).toEqual(["failed-symbols", "ranked-count", "failed-count", "trade-date"]);
  });

  it("titles every run with the day it ranks, in the metadata Argo copies onto each run", () => {
    const spec = get("WorkflowTemplate").spec;
    const title = spec.workflowMetadata.annotations["workflows.argoproj.io/title"] as string;
    // The as-of parameter when given, else the day the run starts in New York.
    expect(title).toContain("workflow.parameters['as-of']");
    expect(title).toContain("'America/New_York'");
    expect(spec.workflowMetadata.annotations["workflows.argoproj.io/description"]).toContain("`report` artifact of the **persist** node");
  });

  it("tells monitoring how each run went, how many symbols it ranked and failed, and when one last succeeded", () => {
    const spec = get("WorkflowTemplate").spec;
    const names = (metrics: Any) => (metrics?.prometheus ?? []).map((m: Any) => m.name);
    expect(names(spec.metrics)).toEqual(["stock_rsi_run_duration_seconds", "stock_rsi_runs", "stock_rsi_last_success_timestamp_seconds"]);
    const validate = spec.templates.find((t: Any) => t.name === "validate");
    expect(names(validate.metrics)).toEqual(["stock_rsi_symbols_ranked", "stock_rsi_symbols_failed"]);
    expect(validate.metrics.prometheus.map((m: Any) => m.gauge.value)).toEqual(["{{outputs.parameters.ranked-count}}", "{{outputs.parameters.failed-count}}"]);
    const lastSuccess = spec.metrics.prometheus.find((m: Any) => m.name === "stock_rsi_last_success_timestamp_seconds");
    expect(lastSuccess.when).toBe("{{workflow.status}} == Succeeded");
    for (const metric of [...spec.metrics.prometheus, ...validate.metrics.prometheus]) {
      expect(metric.labels.map((l: Any) => l.key)).toContain("method");
    }
  });

  it("runs as its own ServiceAccount, whose Role allows only creating and patching workflowtaskresults", () => {
    const account = get("WorkflowTemplate").spec.serviceAccountName;
    expect(get("ServiceAccount", account)).toBeDefined();
    const binding = get("RoleBinding", account);
    // apiGroup "" is the core group, where ServiceAccounts live.
    expect(binding.subjects).toEqual([{ apiGroup: "", kind: "ServiceAccount", name: account, namespace: "stock-rsi" }]);
    expect(get("Role", binding.roleRef.name).rules).toEqual([{ apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] }]);
  });

  it("gives the steps' own containers no token; Argo's executor gets the account's token from its Secret", () => {
    for (const template of objects.filter((o) => o.kind === "WorkflowTemplate") as Any[]) {
      const spec = template.spec;
      expect(spec.automountServiceAccountToken).toBe(false);
      // Argo v4.0.10 mounts `<executor account>.service-account-token` into its init and wait containers only.
      expect(spec.executor.serviceAccountName).toBe(spec.serviceAccountName);
      for (const t of spec.templates as Any[]) expect(t.automountServiceAccountToken ?? false).toBe(false);
    }
    const account = get("WorkflowTemplate").spec.executor.serviceAccountName;
    const token = get("Secret", `${account}.service-account-token`);
    expect(token.type).toBe("kubernetes.io/service-account-token");
    expect(token.metadata.annotations["kubernetes.io/service-account.name"]).toBe(account);
    expect(token.data ?? {}).toEqual({});
    expect(get("ServiceAccount", account).automountServiceAccountToken).toBe(false);
  });

  it("deletes a run's artifacts with the run, by pods whose account may do just that and the artifact store admits", () => {
    const gc = get("WorkflowTemplate").spec.artifactGC;
    expect(gc.strategy).toBe("OnWorkflowDeletion");
    expect(get("WorkflowTemplate", "stock-rsi-backfill").spec.artifactGC).toEqual(gc);
    const binding = get("RoleBinding", gc.serviceAccountName);
    expect(binding.subjects).toEqual([{ apiGroup: "", kind: "ServiceAccount", name: gc.serviceAccountName, namespace: "stock-rsi" }]);
    // What `argoexec artifact delete` calls (cmd/argoexec/commands/artifact/delete.go at v4.0.10).
    expect(get("Role", binding.roleRef.name).rules).toEqual([
      { apiGroups: ["argoproj.io"], resources: ["workflowartifactgctasks"], verbs: ["list"] },
      { apiGroups: ["argoproj.io"], resources: ["workflowartifactgctasks/status"], verbs: ["patch"] },
    ]);
    const admitted = get("NetworkPolicy", "artifact-store-clients-only").spec.ingress.flatMap((rule: Any) => rule.from).filter((peer: Any) => peer.podSelector);
    expect(admitted.some((peer: Any) => Object.entries(peer.podSelector.matchLabels).every(([k, v]) => gc.podMetadata.labels[k] === v))).toBe(true);
  });

  it("leaves the backfill's range without a default, so a submission without it is refused; every other parameter has one", () => {
    const parameters = (name: string) => get("WorkflowTemplate", name).spec.arguments.parameters as Any[];
    expect(parameters("stock-rsi-backfill").filter((p) => p.value === undefined && !p.valueFrom).map((p) => p.name)).toEqual(["from", "to"]);
    expect(parameters("stock-rsi").filter((p) => p.value === undefined && !p.valueFrom)).toEqual([]);
  });

  it("takes the symbols from a ConfigMap holding the user's file", async () => {
    const { readFileSync } = await import("node:fs");
    const { USER_SYMBOLS } = await import("../support/cli.ts");
    const parameter = (get("WorkflowTemplate").spec.arguments.parameters as Any[]).find((p) => p.name === "symbols");
    const ref = parameter!.valueFrom.configMapKeyRef;
    const configMap = get("ConfigMap", ref.name);
    expect(configMap.metadata.labels["workflows.argoproj.io/configmap-type"]).toBe("Parameter");
    expect(configMap.data[ref.key]).toBe(readFileSync(USER_SYMBOLS, "utf8"));
  });
});

describe("the schedule in dist/", () => {
  it("runs the template by reference on weekdays after the close, New York time, never twice at once", () => {
    const spec = get("CronWorkflow").spec;
    expect(spec.workflowSpec).toEqual({ workflowTemplateRef: { name: get("WorkflowTemplate").metadata.name } });
    expect(spec.timezone).toBe("America/New_York");
    for (const cron of spec.schedules as string[]) {
      const [minute, hour, , , weekdays] = cron.split(" ");
      expect(Number(hour) * 60 + Number(minute)).toBeGreaterThan(16 * 60);
      expect(weekdays).toBe("1-5");
    }
    expect(spec.concurrencyPolicy).toBe("Forbid");
    expect(spec.startingDeadlineSeconds).toBeGreaterThanOrEqual(600);
    expect(spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(spec.failedJobsHistoryLimit).toBeGreaterThan(0);
  });
});

describe("MySQL in dist/", () => {
  it("is one mysqld, replaced not rolled, pinned to an 8.4 patch release, as uid 999, its passwords from the Secret, root on the socket only", () => {
    const deployment = get("Deployment", "mysql");
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toMatch(/^mysql:8\.4\.\d+$/);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true });
    const env = container.env as Any[];
    // The entrypoint's default MYSQL_ROOT_HOST, %, would also create a root reachable over the network.
    expect(env.filter((e) => !e.valueFrom)).toEqual([{ name: "MYSQL_ROOT_HOST", value: "localhost" }]);
    for (const e of env.filter((x) => x.valueFrom)) expect(e.valueFrom.secretKeyRef.name).toBe("mysql-credentials");
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    const mounted = (path: string) => {
      const mount = (container.volumeMounts as Any[]).find((m) => m.mountPath === path);
      expect(mount, path).toMatchObject({ readOnly: true });
      return get("ConfigMap", pod.volumes.find((v: Any) => v.name === mount!.name).configMap.name).data;
    };
    expect(Object.keys(mounted("/docker-entrypoint-initdb.d"))).toEqual(["10-stock-rsi.sh"]);
    // Run by hand only (docs/deploying.md): not where the entrypoint would run it.
    expect(Object.keys(mounted("/opt/stock-rsi"))).toEqual(["reset-passwords.sh"]);
  });

  it("keeps its data on a static NFS volume (4.1, Retain) bound by name, reachable only by the pipeline's clients", () => {
    const claimName = get("Deployment", "mysql").spec.template.spec.volumes.find((v: Any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
    const claim = get("PersistentVolumeClaim", claimName);
    expect(claim.spec.storageClassName).toBe("");
    const volume = get("PersistentVolume", claim.spec.volumeName);
    expect(volume.spec).toMatchObject({ storageClassName: "", persistentVolumeReclaimPolicy: "Retain", mountOptions: ["nfsvers=4.1"] });
    expect(volume.spec.nfs.server).toBeTruthy();
    const container = get("Deployment", "mysql").spec.template.spec.containers[0];
    expect(container.ports).toEqual([{ name: "mysql", containerPort: 3306, protocol: "TCP" }]);
    expect(get("Service", "mysql").spec.ports).toEqual([{ name: "mysql", port: 3306, targetPort: 3306, protocol: "TCP" }]);
    const policy = get("NetworkPolicy", "mysql-clients-only").spec;
    expect(policy.podSelector).toEqual(get("Deployment", "mysql").spec.selector);
    expect(policy.policyTypes).toEqual(["Ingress"]);
    expect(policy.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { "stock-rsi/mysql-client": "true" } } }], ports: [{ protocol: "TCP", port: 3306 }] }]);
    const templates = get("WorkflowTemplate").spec.templates as Any[];
    const clients = templates.filter((t) => t.metadata?.labels?.["stock-rsi/mysql-client"] === "true").map((t) => t.name);
    expect(clients).toEqual(["persist"]);
  });
});

describe("the artifact repository in dist/", () => {
  it("is the namespace's default, an S3 bucket whose keys come from a Secret", () => {
    const configMap = get("ConfigMap", "artifact-repositories");
    const key = configMap.metadata.annotations["workflows.argoproj.io/default-artifact-repository"];
    expect(configMap.data[key]).toMatch(/^s3:\n/);
    expect(configMap.data[key]).toContain("name: artifact-store-credentials");
  });
});

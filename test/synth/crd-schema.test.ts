/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * Every custom resource in dist/ against the CRD that will hold it on the cluster, as the API
 * server checks it (support/crd-schema.ts): Argo v4.0.10's full CRDs, which its install.yaml
 * applies, for the WorkflowTemplates and the CronWorkflow, and the Prometheus Operator's for the
 * PodMonitor and the PrometheusRule. Beside argo-schema.test.ts (Argo's JSON schema), not instead.
 */
import { isCelError, run } from "@bufbuild/cel";
import { beforeAll, describe, expect, it } from "vitest";
import { ARGO_FULL_CRDS, ARGO_RELEASE } from "../../workflows/argo/release.ts";
import { PROMETHEUS_OPERATOR_CRDS } from "../../workflows/prometheus-operator/release.ts";
import { crdSchema, formatCrdFinding, type CrdSchema } from "./support/crd-schema.ts";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";

let manifests: Manifest[];
let argo: CrdSchema;
let operator: CrdSchema;

beforeAll(() => {
  manifests = loadManifests();
  argo = crdSchema(ARGO_FULL_CRDS);
  operator = crdSchema(PROMETHEUS_OPERATOR_CRDS);
}, 120_000);

const custom = (objects: readonly Manifest[]) => objects.filter((m) => argo.covers(m) || operator.covers(m));
const findings = (objects: readonly Manifest[]) =>
  custom(objects)
    .flatMap((m) => (argo.covers(m) ? argo : operator).checkObject(m))
    .map(formatCrdFinding);

function find(objects: readonly Manifest[], kind: string, name?: string): Record<string, any> {
  const m = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  if (!m) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return m.object as Record<string, any>;
}

function template(objects: readonly Manifest[], name: string): { index: number; json: Record<string, any> } {
  const templates = find(objects, "WorkflowTemplate", "stock-rsi").spec.templates as Array<Record<string, any>>;
  const index = templates.findIndex((t) => t.name === name);
  return { index, json: templates[index]! };
}

const WT = "dist/0003-pipeline.k8s.yaml: WorkflowTemplate stock-rsi";
const MONITOR = "dist/0004-monitoring.k8s.yaml: PodMonitor argo-workflow-controller";

describe(`dist/ against Argo ${ARGO_RELEASE.tag}'s full CRDs and the Prometheus Operator's`, () => {
  it("covers every object dist/ holds that is not one of Kubernetes' own kinds", () => {
    expect([...argo.kinds].sort()).toEqual(["argoproj.io/v1alpha1 CronWorkflow", "argoproj.io/v1alpha1 WorkflowTemplate"]);
    expect([...operator.kinds].sort()).toEqual(["monitoring.coreos.com/v1 PodMonitor", "monitoring.coreos.com/v1 PrometheusRule"]);
    expect(custom(manifests).map((m) => `${m.object.kind} ${m.object.metadata.name}`).sort()).toEqual([
      "CronWorkflow stock-rsi-daily",
      "PodMonitor argo-workflow-controller",
      "PrometheusRule stock-rsi",
      "WorkflowTemplate stock-rsi",
      "WorkflowTemplate stock-rsi-backfill",
    ]);
  });

  it("finds nothing wrong: structure, types and every CEL rule on the way", () => {
    expect(findings(manifests)).toEqual([]);
  });

  it("can evaluate every CEL rule Argo's CRDs hold (none needs a Kubernetes-only CEL function)", () => {
    expect(argo.rules.size).toBeGreaterThan(0);
    for (const rule of argo.rules.keys()) {
      const result = run(rule, { self: (rule.startsWith("self.all(") ? [] : {}) as never });
      expect(isCelError(result) ? `${rule}: ${result.message}` : typeof result, rule).toBe("boolean");
    }
  });
});

describe("the CRD check refuses", () => {
  it("a misspelt field, as kubectl's strict field validation does", () => {
    const broken = cloneManifests(manifests);
    const { index, json } = template(broken, "fetch");
    json.container.imagePulPolicy = json.container.imagePullPolicy;
    delete json.container.imagePullPolicy;
    expect(findings(broken)).toEqual([`${WT}: /spec/templates/${index}/container/imagePulPolicy: unknown field "imagePulPolicy"; did you mean "imagePullPolicy"?`]);
  });

  it("a bare number where the full CRD wants a string (a parameter's value), which Argo's JSON schema lets through", () => {
    const broken = cloneManifests(manifests);
    const parameters = find(broken, "WorkflowTemplate", "stock-rsi").spec.arguments.parameters as any[];
    const i = parameters.findIndex((p) => p.name === "lookback-days");
    parameters[i].value = 91;
    expect(findings(broken)).toEqual([`${WT}: /spec/arguments/parameters/${i}/value: 91 must be string`]);
  });

  it("by a CEL rule: a template of two types, a DAG task with both depends and dependencies", () => {
    const broken = cloneManifests(manifests);
    const { json } = template(broken, "fetch");
    json.script = { image: json.container.image, source: "true" };
    const dag = template(broken, "stock-rsi");
    dag.json.dag.tasks[1].depends = "fetch";
    expect(findings(broken)).toEqual([
      `${WT}: /spec/templates: template must have at most one template type`,
      `${WT}: /spec/templates/${dag.index}/dag/tasks/1: cannot use both 'depends' and 'dependencies'`,
    ]);
  });

  it("a misspelt field in the PodMonitor, and a rule group without its name", () => {
    const broken = cloneManifests(manifests);
    const monitor = find(broken, "PodMonitor");
    monitor.spec.podMetricEndpoints = monitor.spec.podMetricsEndpoints;
    delete monitor.spec.podMetricsEndpoints;
    delete find(broken, "PrometheusRule").spec.groups[0].name;
    expect(findings(broken)).toEqual([
      `${MONITOR}: /spec/podMetricEndpoints: unknown field "podMetricEndpoints"; did you mean "podMetricsEndpoints"?`,
      "dist/0004-monitoring.k8s.yaml: PrometheusRule stock-rsi: /spec/groups/0/name: is required",
    ]);
  });

  it("a scrape scheme the Operator does not know", () => {
    const broken = cloneManifests(manifests);
    find(broken, "PodMonitor").spec.podMetricsEndpoints[0].scheme = "tls";
    expect(findings(broken)).toEqual([expect.stringMatching(new RegExp(`^${MONITOR}: /spec/podMetricsEndpoints/0/scheme: "tls" must be one of`))]);
  });
});

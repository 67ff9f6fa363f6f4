/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * The semantic lint over dist/: what a schema cannot check (references, the DAG's shape, images,
 * resources, non-root, no shipped secrets), and that each kind of mistake is caught and named.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { formatLint, lintManifests } from "./support/lint.ts";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";

let manifests: Manifest[];
beforeAll(() => {
  manifests = loadManifests();
});

const lint = (objects: readonly Manifest[]) => lintManifests(objects).map(formatLint);
const WT = "dist/0003-pipeline.k8s.yaml: WorkflowTemplate stock-rsi";

function workflowTemplate(objects: readonly Manifest[]) {
  return objects.find((m) => m.object.kind === "WorkflowTemplate")!.object as Record<string, any>;
}
function dag(objects: readonly Manifest[]) {
  const spec = workflowTemplate(objects).spec;
  const index = spec.templates.findIndex((t: { name: string }) => t.name === spec.entrypoint);
  return { index, tasks: spec.templates[index].dag.tasks as Array<Record<string, any>> };
}
function taskIndex(objects: readonly Manifest[], name: string) {
  return dag(objects).tasks.findIndex((t) => t.name === name);
}

describe("the lint", () => {
  it("finds nothing wrong in dist/", () => {
    expect(lint(manifests)).toEqual([]);
  });

  it("checks the variables an expression names, and a metric's view of its own node", () => {
    const broken = cloneManifests(manifests);
    const spec = workflowTemplate(broken).spec;
    spec.workflowMetadata.annotations["workflows.argoproj.io/title"] = "{{=workflow.parameters['as-off'] != '' ? 'x' : sprig.upper('y')}}";
    const validate = spec.templates.findIndex((t: { name: string }) => t.name === "validate");
    spec.templates[validate].metrics.prometheus[0].gauge.value = "{{outputs.parameters.ranked}}";
    // A node's outcome is defined in its metrics, nowhere else in the template.
    spec.templates[validate].container.args.push("{{status}}");
    const found = lint(broken);
    expect(found).toContain(
      `${WT}: /spec/workflowMetadata/annotations/workflows.argoproj.io/title: {{=workflow.parameters['as-off'] != '' ? 'x' : sprig.upper('y')}}: workflow.parameters.as-off in the expression: the workflow declares no parameter "as-off"`,
    );
    expect(found).toContain(`${WT}: /spec/templates/${validate}/metrics/prometheus/0/gauge/value: {{outputs.parameters.ranked}}: the template declares no output parameter "ranked"`);
    expect(found.some((f) => f.includes("/container/args/") && f.includes("{{status}}: not a variable Argo defines here"))).toBe(true);
  });

  it("refuses a task that names a template that does not exist", () => {
    const broken = cloneManifests(manifests);
    const { index, tasks } = dag(broken);
    const i = taskIndex(broken, "validate");
    tasks[i]!.template = "validate-v2";
    expect(lint(broken)).toContain(`${WT}: /spec/templates/${index}/dag/tasks/${i}/template: no template named "validate-v2"`);
  });

  it("refuses an artifact `from` that no upstream task declares", () => {
    const broken = cloneManifests(manifests);
    const { index, tasks } = dag(broken);
    const i = taskIndex(broken, "compute-rsi");
    tasks[i]!.arguments.artifacts[0].from = "{{tasks.fetch.outputs.artifacts.closes}}";
    expect(lint(broken)).toContain(
      `${WT}: /spec/templates/${index}/dag/tasks/${i}/arguments/artifacts/0/from: {{tasks.fetch.outputs.artifacts.closes}}: template "fetch" declares no output artifact "closes"`,
    );
  });

  it("refuses an artifact taken from a task that is not upstream", () => {
    const broken = cloneManifests(manifests);
    const { index, tasks } = dag(broken);
    const i = taskIndex(broken, "persist");
    tasks[i]!.arguments.artifacts[0].from = "{{tasks.compute-rsi.outputs.artifacts.rsi}}";
    delete tasks[i]!.dependencies;
    const found = lint(broken);
    expect(found).toContain(
      `${WT}: /spec/templates/${index}/dag/tasks/${i}/arguments/artifacts/0/from: {{tasks.compute-rsi.outputs.artifacts.rsi}}: task "compute-rsi" is not upstream of this task (add it to dependencies)`,
    );
  });

  it("refuses a cycle in the DAG", () => {
    const broken = cloneManifests(manifests);
    const { index, tasks } = dag(broken);
    tasks[taskIndex(broken, "fetch")]!.dependencies = ["persist"];
    const found = lint(broken);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${WT}: /spec/templates/${index}/dag/tasks/\\d: the DAG has a cycle: `));
    expect(found[0]).toContain("fetch → compute-rsi → validate → persist → fetch");
  });

  it("refuses a reference to a parameter nobody declares", () => {
    const broken = cloneManifests(manifests);
    const spec = workflowTemplate(broken).spec;
    const t = spec.templates.findIndex((x: { name: string }) => x.name === "compute-rsi");
    const args = spec.templates[t].container.args as string[];
    const a = args.indexOf("{{inputs.parameters.period}}");
    args[a] = "{{inputs.parameters.periods}}";
    expect(lint(broken)).toContain(`${WT}: /spec/templates/${t}/container/args/${a}: {{inputs.parameters.periods}}: the template declares no input parameter "periods"`);
  });

  it("refuses a task that does not pass an input its template needs", () => {
    const broken = cloneManifests(manifests);
    const { index, tasks } = dag(broken);
    const i = taskIndex(broken, "compute-rsi");
    tasks[i]!.arguments.parameters = tasks[i]!.arguments.parameters.filter((p: { name: string }) => p.name !== "method");
    expect(lint(broken)).toContain(`${WT}: /spec/templates/${index}/dag/tasks/${i}/arguments/parameters: template "compute-rsi" needs input parameter "method", which this task does not pass`);
  });

  it("refuses a CronWorkflow whose template does not exist", () => {
    const broken = cloneManifests(manifests);
    (broken.find((m) => m.object.kind === "CronWorkflow")!.object as any).spec.workflowSpec.workflowTemplateRef.name = "stock-rs";
    expect(lint(broken)).toContain(
      "dist/0003-pipeline.k8s.yaml: CronWorkflow stock-rsi-daily: /spec/workflowSpec/workflowTemplateRef/name: no WorkflowTemplate \"stock-rs\" in namespace stock-rsi in dist/",
    );
  });

  it("refuses an unpinned image, a container without resources or running as root, and a shipped Secret", () => {
    const broken = cloneManifests(manifests);
    const mysql = broken.find((m) => m.object.kind === "Deployment" && m.object.metadata.name === "mysql")!.object as any;
    const container = mysql.spec.template.spec.containers[0];
    container.image = "mysql:latest";
    delete container.resources;
    mysql.spec.template.spec.securityContext.runAsUser = 0;
    container.env.push({ name: "MYSQL_PASSWORD", value: "hunter2" });
    broken.push({ file: "dist/0001-mysql.k8s.yaml", object: { apiVersion: "v1", kind: "Secret", metadata: { name: "mysql-credentials", namespace: "stock-rsi" }, data: { "root-password": "aHVudGVyMg==" } } });
    const pod = "dist/0001-mysql.k8s.yaml: Deployment mysql: /spec/template/spec/containers/0";
    expect(lint(broken)).toEqual([
      `${pod}/image: image "mysql:latest" uses "latest"; pin a version`,
      `${pod}/resources/requests: needs cpu and memory requests`,
      `${pod}/resources/limits: needs a memory limit`,
      `${pod}/securityContext: must run as non-root (runAsNonRoot: true, runAsUser not 0)`,
      `${pod}/env/3/value: MYSQL_PASSWORD has a literal value; take it from a Secret`,
      "dist/0001-mysql.k8s.yaml: Secret mysql-credentials: : a Secret in dist/ would put credentials in the repository; the user creates it (README)",
    ]);
  });

  it("lets through only an empty request for a ServiceAccount token, never one with a token in it", () => {
    const broken = cloneManifests(manifests);
    const request = broken.find((m) => m.object.kind === "Secret")!.object as any;
    expect(request.type).toBe("kubernetes.io/service-account-token");
    request.data = { token: "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk=" };
    expect(lint(broken)).toEqual([`dist/0003-pipeline.k8s.yaml: Secret ${request.metadata.name}: : a Secret in dist/ would put credentials in the repository; the user creates it (README)`]);
  });

  it("refuses a claim bound to a volume that does not exist, and a Service that selects nothing", () => {
    const broken = cloneManifests(manifests);
    (broken.find((m) => m.object.kind === "PersistentVolumeClaim" && m.object.metadata.name === "mysql-data")!.object as any).spec.volumeName = "mysql";
    (broken.find((m) => m.object.kind === "Service" && m.object.metadata.name === "mysql")!.object as any).spec.selector = { app: "mysql" };
    expect(lint(broken)).toEqual([
      'dist/0001-mysql.k8s.yaml: PersistentVolumeClaim mysql-data: /spec/volumeName: no PersistentVolume "mysql" in dist/',
      "dist/0001-mysql.k8s.yaml: Service mysql: /spec/selector: selects no Deployment's pods in dist/",
    ]);
  });
});

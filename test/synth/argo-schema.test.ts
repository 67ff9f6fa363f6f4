/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * Every Argo object in dist/, and every artifact repository Argo reads from dist/, against
 * Argo's own published JSON schema, strictly (see support/argo-schema.ts): what `argo lint`
 * would refuse for its shape, without the Go binary.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ARGO_RELEASE } from "../../workflows/argo/release.ts";
import { ARTIFACT_REPOSITORY, argoSchema, formatSchemaFinding, type ArgoSchema } from "./support/argo-schema.ts";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";

let manifests: Manifest[];
let schema: ArgoSchema;

beforeAll(() => {
  manifests = loadManifests();
  schema = argoSchema();
});

const PIPELINE = "dist/0003-pipeline.k8s.yaml";
const WT = `${PIPELINE}: WorkflowTemplate stock-rsi`;
const CRON = `${PIPELINE}: CronWorkflow stock-rsi-daily`;

const isArgo = (m: Manifest) => m.object.apiVersion.startsWith("argoproj.io/");

/** Every finding over the Argo objects and the artifact repositories of `objects`. */
function findings(objects: readonly Manifest[]): string[] {
  const all = objects.filter(isArgo).flatMap((m) => schema.checkObject(m));
  for (const m of objects) {
    if (m.object.kind !== "ConfigMap" || m.object.metadata.name !== "artifact-repositories") continue;
    for (const [key, text] of Object.entries((m.object.data as Record<string, string> | undefined) ?? {})) {
      all.push(...schema.checkValue(ARTIFACT_REPOSITORY, parse(text) as unknown, `${m.file}: ConfigMap artifact-repositories`, `/data/${key}`));
    }
  }
  return all.map(formatSchemaFinding);
}

function find(objects: readonly Manifest[], kind: string, name?: string): Record<string, any> {
  const m = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  if (!m) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return m.object as Record<string, any>;
}

function template(objects: readonly Manifest[], name: string): { index: number; json: Record<string, any> } {
  const templates = find(objects, "WorkflowTemplate").spec.templates as Array<Record<string, any>>;
  const index = templates.findIndex((t) => t.name === name);
  return { index, json: templates[index]! };
}

/** The artifact repository Argo uses by default, as the ConfigMap's annotation names it. */
function defaultRepository(objects: readonly Manifest[]): { key: string; set(value: unknown): void; value: Record<string, any> } {
  const configMap = find(objects, "ConfigMap", "artifact-repositories");
  const key = configMap.metadata.annotations["workflows.argoproj.io/default-artifact-repository"] as string;
  return { key, value: parse(configMap.data[key]) as Record<string, any>, set: (value) => (configMap.data[key] = JSON.stringify(value)) };
}

describe(`dist/ against Argo ${ARGO_RELEASE.tag}'s own JSON schema, strictly`, () => {
  it("holds the two WorkflowTemplates and the CronWorkflow, each a kind the schema defines", () => {
    const argo = manifests.filter(isArgo);
    expect(argo.map((m) => `${m.object.kind} ${m.object.metadata.name}`).sort()).toEqual([
      "CronWorkflow stock-rsi-daily",
      "WorkflowTemplate stock-rsi",
      "WorkflowTemplate stock-rsi-backfill",
    ]);
    for (const m of argo) expect(schema.definitionOf(m.object.apiVersion, m.object.kind)).toBe(`io.argoproj.workflow.v1alpha1.${m.object.kind}`);
  });

  it("finds nothing wrong in the Argo objects and the artifact repositories", () => {
    const { key, value } = defaultRepository(manifests);
    expect(value.s3).toBeDefined();
    expect(key).toBeTruthy();
    expect(findings(manifests)).toEqual([]);
  });

  it("accepts numbers where the API server and the controller do, and only there", () => {
    const numbers = cloneManifests(manifests);
    const fetch = template(numbers, "fetch").json;
    fetch.retryStrategy.limit = 2; // IntOrString
    fetch.container.resources.limits.cpu = 1; // Quantity
    find(numbers, "WorkflowTemplate").spec.arguments.parameters[1].value = 91; // AnyString
    expect(findings(numbers)).toEqual([]);

    const broken = cloneManifests(manifests);
    const { index, json } = template(broken, "fetch");
    json.retryStrategy.limit = 1.5;
    json.container.imagePullPolicy = 1;
    expect(findings(broken)).toEqual([
      `${WT}: /spec/templates/${index}/container/imagePullPolicy: 1 must be string`,
      `${WT}: /spec/templates/${index}/retryStrategy/limit: 1.5 must be string,integer`,
    ]);
  });

  it("keeps maps free-form: any label, annotation or resource name", () => {
    const maps = cloneManifests(manifests);
    const fetch = template(maps, "fetch").json;
    fetch.metadata.labels["example.com/any-label"] = "x";
    fetch.container.resources.requests["ephemeral-storage"] = "1Gi";
    find(maps, "CronWorkflow").metadata.annotations["example.com/note"] = "x";
    expect(findings(maps)).toEqual([]);
  });
});

describe("the Argo schema check refuses", () => {
  it("a misspelt field in a template's container, naming the object and the path", () => {
    const broken = cloneManifests(manifests);
    const { index, json } = template(broken, "fetch");
    json.container.imagePulPolicy = json.container.imagePullPolicy;
    delete json.container.imagePullPolicy;
    expect(findings(broken)).toEqual([`${WT}: /spec/templates/${index}/container/imagePulPolicy: unknown field "imagePulPolicy"; did you mean "imagePullPolicy"?`]);
  });

  it("v3's singular schedule on the CronWorkflow (v4 has only schedules)", () => {
    const broken = cloneManifests(manifests);
    const spec = find(broken, "CronWorkflow").spec;
    spec.schedule = spec.schedules[0];
    delete spec.schedules;
    expect(findings(broken)).toEqual([`${CRON}: /spec/schedules: is required`, `${CRON}: /spec/schedule: unknown field "schedule"; did you mean "schedules"?`]);
  });

  it("v3's singular synchronization.mutex (v4 has only mutexes)", () => {
    const broken = cloneManifests(manifests);
    find(broken, "WorkflowTemplate").spec.synchronization = { mutex: { name: "stock-rsi" } };
    expect(findings(broken)).toEqual([`${WT}: /spec/synchronization/mutex: unknown field "mutex"; did you mean "mutexes"?`]);
  });

  it("a wrong type: a schedule given as one string, a deadline as a string, podGC as a word", () => {
    const broken = cloneManifests(manifests);
    const cron = find(broken, "CronWorkflow").spec;
    cron.schedules = cron.schedules[0];
    cron.startingDeadlineSeconds = "3600";
    find(broken, "WorkflowTemplate").spec.podGC = "OnWorkflowSuccess";
    expect(findings(broken)).toEqual([
      `${WT}: /spec/podGC: "OnWorkflowSuccess" must be object`,
      `${CRON}: /spec/schedules: "30 17 * * 1-5" must be array`,
      `${CRON}: /spec/startingDeadlineSeconds: "3600" must be integer`,
    ]);
  });

  it("a DAG task without its name (a required field)", () => {
    const broken = cloneManifests(manifests);
    const { index, json } = template(broken, "stock-rsi");
    delete json.dag.tasks[1].name;
    expect(findings(broken)).toEqual([`${WT}: /spec/templates/${index}/dag/tasks/1/name: is required`]);
  });

  it("a field inside an empty marker object (archive: none)", () => {
    const broken = cloneManifests(manifests);
    const { index, json } = template(broken, "fetch");
    json.outputs.artifacts[0].archive.none = { compress: false };
    expect(findings(broken)).toEqual([`${WT}: /spec/templates/${index}/outputs/artifacts/0/archive/none/compress: unknown field "compress"`]);
  });

  it("a misspelt field in metadata", () => {
    const broken = cloneManifests(manifests);
    find(broken, "CronWorkflow").metadata.annotation = {};
    expect(findings(broken)).toEqual([`${CRON}: /metadata/annotation: unknown field "annotation"; did you mean "annotations"?`]);
  });

  it("a misspelt field in the default artifact repository, inside the ConfigMap's YAML", () => {
    const broken = cloneManifests(manifests);
    const repository = defaultRepository(broken);
    repository.value.s3.endpont = repository.value.s3.endpoint;
    delete repository.value.s3.endpoint;
    repository.set(repository.value);
    expect(findings(broken)).toEqual([
      `dist/0002-artifacts.k8s.yaml: ConfigMap artifact-repositories: /data/${repository.key}/s3/endpont: unknown field "endpont"; did you mean "endpoint"?`,
    ]);
  });

  it("an Argo kind the release does not define", () => {
    const broken = cloneManifests(manifests);
    (find(broken, "CronWorkflow") as any).kind = "CronWorkflows";
    expect(findings(broken)).toEqual([`${PIPELINE}: CronWorkflows stock-rsi-daily: /kind: Argo ${ARGO_RELEASE.tag} defines no argoproj.io/v1alpha1 CronWorkflows`]);
  });
});

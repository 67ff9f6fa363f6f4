/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * Every object in dist/ against the Kubernetes and Argo v4 models, strictly: the models' own
 * validators (types, enums, required fields) and no field the models do not declare.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";
import { formatFinding, kindModel, modelValidation, strictSchema, type ModelRef, type StrictSchema } from "./support/strict-schema.ts";

const ARTIFACT_REPOSITORY: ModelRef = {
  module: "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/ArtifactRepository",
  name: "IArtifactRepository",
};

let manifests: Manifest[];
let schema: StrictSchema;

beforeAll(() => {
  manifests = loadManifests();
  schema = strictSchema([...manifests.map((m) => kindModel(m.object.apiVersion, m.object.kind)), ARTIFACT_REPOSITORY]);
});

async function findings(objects: readonly Manifest[]): Promise<string[]> {
  const all: string[] = [];
  for (const m of objects) {
    all.push(...schema.checkObject(m).map(formatFinding));
    all.push(...(await modelValidation(m)).map(formatFinding));
  }
  return all;
}

function find(objects: readonly Manifest[], kind: string, name?: string): Record<string, any> {
  const m = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  if (!m) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return m.object as Record<string, any>;
}

describe("dist/ against the Kubernetes and Argo models", () => {
  it("holds the objects a deployment needs, each of a kind the models know", () => {
    const kinds = manifests.map((m) => m.object.kind).sort();
    for (const kind of ["Namespace", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "Service", "NetworkPolicy", "ConfigMap", "ServiceAccount", "Role", "RoleBinding", "WorkflowTemplate", "CronWorkflow"]) {
      expect(kinds).toContain(kind);
    }
  });

  it("every object fits its model, with no unknown or misspelt field", async () => {
    expect(await findings(manifests)).toEqual([]);
  });

  it("the default artifact repository in artifact-repositories fits Argo's ArtifactRepository", () => {
    const configMap = find(manifests, "ConfigMap", "artifact-repositories");
    const key = configMap.metadata.annotations["workflows.argoproj.io/default-artifact-repository"];
    expect(configMap.data[key]).toBeDefined();
    const repository = parse(configMap.data[key]) as unknown;
    expect(schema.checkValue(ARTIFACT_REPOSITORY, repository, "artifact-repositories", `/data/${key}`)).toEqual([]);
    expect(schema.checkValue(ARTIFACT_REPOSITORY, { s3: { bucket: "b", endpont: "x:1" } }, "artifact-repositories", "/data/x").map(formatFinding)).toEqual([
      'artifact-repositories: /data/x/s3/endpont: unknown field "endpont"; did you mean "endpoint"?',
    ]);
  });
});

describe("the schema check refuses", () => {
  it("a misspelt field in a WorkflowTemplate's container, naming the object and the path", async () => {
    const broken = cloneManifests(manifests);
    const fetch = find(broken, "WorkflowTemplate").spec.templates.findIndex((t: { name: string }) => t.name === "fetch");
    const container = find(broken, "WorkflowTemplate").spec.templates[fetch].container;
    container.imagePulPolicy = container.imagePullPolicy;
    delete container.imagePullPolicy;
    expect(await findings(broken)).toEqual([
      `dist/0003-pipeline.k8s.yaml: WorkflowTemplate stock-rsi: /spec/templates/${fetch}/container/imagePulPolicy: unknown field "imagePulPolicy"; did you mean "imagePullPolicy"?`,
    ]);
  });

  it("a misspelt field in a Deployment's pod spec, and a wrong type", async () => {
    const broken = cloneManifests(manifests);
    const spec = find(broken, "Deployment", "mysql").spec;
    spec.template.spec.securityContext.runAsNonroot = true;
    spec.replicas = "1";
    const found = await findings(broken);
    expect(found).toContain('dist/0001-mysql.k8s.yaml: Deployment mysql: /spec/template/spec/securityContext/runAsNonroot: unknown field "runAsNonroot"; did you mean "runAsNonRoot"?');
    expect(found).toContain('dist/0001-mysql.k8s.yaml: Deployment mysql: /spec/replicas: "1" is not number');
  });

  it("a field Argo v4 removed: CronWorkflow.spec.schedule", async () => {
    const broken = cloneManifests(manifests);
    const spec = find(broken, "CronWorkflow").spec;
    spec.schedule = spec.schedules[0];
    const found = await findings(broken);
    expect(found.some((f) => f.includes("CronWorkflow stock-rsi-daily: /spec/schedule: unknown field"))).toBe(true);
  });
});

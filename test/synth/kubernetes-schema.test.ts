/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * Every Kubernetes object in dist/ against the Kubernetes API cdk8s-plus-33 is built on, strictly
 * (see support/kubernetes-schema.ts). Argo's objects are argo-schema.test.ts's and, with the
 * Prometheus Operator's, crd-schema.test.ts's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";
import { formatFinding, KUBERNETES_API, kubernetesSchema, type KubernetesSchema } from "./support/kubernetes-schema.ts";

let manifests: Manifest[];
let schema: KubernetesSchema;

beforeAll(() => {
  manifests = loadManifests();
  schema = kubernetesSchema();
});

/** Argo's kinds are argo-schema.test.ts's, the Prometheus Operator's crd-schema.test.ts's. */
const isKubernetes = (m: Manifest) => !/^(argoproj\.io|monitoring\.coreos\.com)\//.test(m.object.apiVersion);
const findings = (objects: readonly Manifest[]) => objects.filter(isKubernetes).flatMap((m) => schema.checkObject(m)).map(formatFinding);

function find(objects: readonly Manifest[], kind: string, name?: string): Record<string, any> {
  const m = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  if (!m) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return m.object as Record<string, any>;
}

const MYSQL = "dist/0001-mysql.k8s.yaml: Deployment mysql";

describe(`dist/ against the Kubernetes ${KUBERNETES_API} API, strictly`, () => {
  it("holds the objects a deployment needs, each of a kind the API defines", () => {
    const kinds = manifests.filter(isKubernetes).map((m) => m.object.kind);
    for (const kind of ["Namespace", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "Service", "NetworkPolicy", "ConfigMap", "ServiceAccount", "Role", "RoleBinding"]) {
      expect(kinds).toContain(kind);
    }
    for (const m of manifests.filter(isKubernetes)) expect(schema.declarationOf(m.object.apiVersion, m.object.kind), m.object.kind).toBe(`Kube${m.object.kind}Props`);
  });

  it("finds nothing wrong in any of them", () => {
    expect(findings(manifests)).toEqual([]);
  });

  it("takes a field by its name in the API, where the TypeScript import renamed it", () => {
    expect(find(manifests, "Deployment", "mysql").spec.template.spec.setHostnameAsFQDN).toBe(false);
    const broken = cloneManifests(manifests);
    const pod = find(broken, "Deployment", "mysql").spec.template.spec;
    pod.setHostnameAsFqdn = pod.setHostnameAsFQDN;
    delete pod.setHostnameAsFQDN;
    expect(findings(broken)).toEqual([`${MYSQL}: /spec/template/spec/setHostnameAsFqdn: unknown field "setHostnameAsFqdn"; did you mean "setHostnameAsFQDN"?`]);
  });

  it("accepts numbers and strings where the API server does: an IntOrString port, a Quantity", () => {
    const numbers = cloneManifests(manifests);
    const container = find(numbers, "Deployment", "mysql").spec.template.spec.containers[0];
    container.resources.limits.cpu = 1;
    find(numbers, "Service", "mysql").spec.ports[0].targetPort = "mysql";
    expect(findings(numbers)).toEqual([]);
  });
});

describe("the Kubernetes schema check refuses", () => {
  it("a misspelt field in a Deployment's container, naming the object and the path", () => {
    const broken = cloneManifests(manifests);
    const container = find(broken, "Deployment", "mysql").spec.template.spec.containers[0];
    container.imagePulPolicy = container.imagePullPolicy;
    delete container.imagePullPolicy;
    expect(findings(broken)).toEqual([`${MYSQL}: /spec/template/spec/containers/0/imagePulPolicy: unknown field "imagePulPolicy"; did you mean "imagePullPolicy"?`]);
  });

  it("a wrong type: replicas as a string, a port as a fraction, a list given as one value", () => {
    const broken = cloneManifests(manifests);
    const spec = find(broken, "Deployment", "mysql").spec;
    spec.replicas = "1";
    find(broken, "Service", "mysql").spec.ports[0].targetPort = 3306.5;
    find(broken, "PersistentVolume", "stock-rsi-mysql-data").spec.accessModes = "ReadWriteOnce";
    expect(findings(broken)).toEqual([
      'dist/0001-mysql.k8s.yaml: PersistentVolume stock-rsi-mysql-data: /spec/accessModes: "ReadWriteOnce" is not string[]',
      `${MYSQL}: /spec/replicas: "1" is not number`,
      "dist/0001-mysql.k8s.yaml: Service mysql: /spec/ports/0/targetPort: 3306.5 is not IntOrString",
    ]);
  });

  it("a required field left out: a Deployment's selector, a container's name, a RoleBinding's roleRef", () => {
    const broken = cloneManifests(manifests);
    const spec = find(broken, "Deployment", "mysql").spec;
    delete spec.selector;
    delete spec.template.spec.containers[0].name;
    delete find(broken, "RoleBinding").roleRef;
    expect(findings(broken)).toEqual([
      `${MYSQL}: /spec/selector: is required`,
      `${MYSQL}: /spec/template/spec/containers/0/name: is required`,
      "dist/0003-pipeline.k8s.yaml: RoleBinding stock-rsi-workflow: /roleRef: is required",
    ]);
  });

  it("a misspelt field in metadata, and a kind the API does not have", () => {
    const broken = cloneManifests(manifests);
    find(broken, "ConfigMap", "mysql-init").metadata.label = {};
    (find(broken, "NetworkPolicy", "mysql-clients-only") as any).apiVersion = "extensions/v1beta1";
    expect(findings(broken)).toEqual([
      'dist/0001-mysql.k8s.yaml: ConfigMap mysql-init: /metadata/label: unknown field "label"; did you mean "labels"?',
      `dist/0001-mysql.k8s.yaml: NetworkPolicy mysql-clients-only: /kind: Kubernetes ${KUBERNETES_API} has no extensions/v1beta1 NetworkPolicy`,
    ]);
  });
});

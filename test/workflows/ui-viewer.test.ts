/**
 * The UI viewer in dist/: every request the Argo server makes in a viewer's name while the viewer
 * reads the pipeline's runs is allowed by its Role, as Kubernetes' RBAC evaluates a rule (a rule
 * allows a request when its API group, resource, verb and, if it lists any, resource name match),
 * and nothing that changes anything is.
 */
import { describe, expect, it } from "vitest";
import { loadManifests, type KubeObject } from "../synth/support/manifests.ts";

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}
interface Request {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

const objects = loadManifests().map((m) => m.object);
const find = (kind: string, name: string): KubeObject => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

function allowed(rules: readonly Rule[], r: Request): boolean {
  const has = (list: readonly string[] | undefined, value: string) => !!list && (list.includes("*") || list.includes(value));
  return rules.some(
    (rule) =>
      has(rule.apiGroups, r.group) &&
      has(rule.resources, r.resource) &&
      has(rule.verbs, r.verb) &&
      (!rule.resourceNames || rule.resourceNames.length === 0 || (r.name !== undefined && rule.resourceNames.includes(r.name))),
  );
}

/**
 * What argo-server (v4.0.10, v4.1.2) asks Kubernetes with the user's token while the user looks at
 * the pipeline in the UI; the source of each is in workflows/ui-viewer.ts.
 */
const UI_READS: readonly Request[] = [
  { verb: "list", group: "argoproj.io", resource: "workflows" },
  { verb: "get", group: "argoproj.io", resource: "workflows", name: "stock-rsi-daily-1715980200" },
  { verb: "watch", group: "argoproj.io", resource: "workflows" },
  { verb: "watch", group: "", resource: "events" },
  { verb: "list", group: "argoproj.io", resource: "workflowtemplates" },
  { verb: "get", group: "argoproj.io", resource: "workflowtemplates", name: "stock-rsi" },
  { verb: "list", group: "argoproj.io", resource: "cronworkflows" },
  { verb: "get", group: "argoproj.io", resource: "cronworkflows", name: "stock-rsi-daily" },
  { verb: "list", group: "", resource: "pods" },
  { verb: "watch", group: "", resource: "pods" },
  { verb: "get", group: "", resource: "pods/log", name: "stock-rsi-daily-1715980200-persist-1" },
  { verb: "get", group: "", resource: "secrets", name: "artifact-store-credentials" },
];

describe("the UI viewer", () => {
  const account = find("ServiceAccount", "stock-rsi-viewer");
  const binding = find("RoleBinding", "stock-rsi-viewer") as unknown as { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
  const rules = (find("Role", binding.roleRef.name) as unknown as { rules: Rule[] }).rules;

  it("is an account of its own, bound to its Role, mounted by no pod", () => {
    expect(account.automountServiceAccountToken).toBe(false);
    expect(binding.roleRef.kind).toBe("Role");
    expect(binding.subjects).toEqual([{ apiGroup: "", kind: "ServiceAccount", name: "stock-rsi-viewer", namespace: account.metadata.namespace }]);
    const pods = objects.flatMap((o) => JSON.stringify(o).match(/"serviceAccountName":"[^"]+"/g) ?? []);
    expect(pods.join()).not.toContain("stock-rsi-viewer");
  });

  it("may make every request the Argo server makes for the runs, templates, schedule, logs and the report", () => {
    for (const request of UI_READS) expect(allowed(rules, request), JSON.stringify(request)).toBe(true);
  });

  it("may change nothing, exec into nothing, and read no other Secret", () => {
    const writes = ["create", "update", "patch", "delete", "deletecollection"];
    for (const rule of rules) expect(rule.verbs.filter((v) => writes.includes(v) || v === "*"), JSON.stringify(rule)).toEqual([]);
    expect(allowed(rules, { verb: "create", group: "", resource: "pods/exec" })).toBe(false);
    expect(allowed(rules, { verb: "get", group: "", resource: "secrets", name: "mysql-credentials" })).toBe(false);
    expect(allowed(rules, { verb: "list", group: "", resource: "secrets" })).toBe(false);
    expect(allowed(rules, { verb: "create", group: "argoproj.io", resource: "workflows" })).toBe(false);
  });
});

/**
 * The deployment guide (docs/deploying.md) stays true to dist/: the Secrets it tells the user to
 * create are exactly the ones the manifests use, and the names it submits and lists exist.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ARGO_RELEASE } from "../../workflows/argo/release.ts";
import { ALERT_GROUP, controllerScrapeConfig } from "../../workflows/monitoring.ts";
import { defaultConfig } from "../../synth/config.ts";
import { REPO_ROOT } from "../support/cli.ts";
import { loadManifests, type KubeObject } from "./support/manifests.ts";

interface Template {
  readonly volumes?: { name: string; secret?: { secretName: string; items?: unknown[] } }[];
  readonly container?: { env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] };
}

let deploy: string;
let objects: KubeObject[];

beforeAll(() => {
  deploy = readFileSync(join(REPO_ROOT, "docs/deploying.md"), "utf8");
  objects = loadManifests().map((m) => m.object);
});

/** Every `secretKeyRef` / secret volume item in dist/: `name/key`. */
function secretKeysUsed(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => secretKeysUsed(v, found));
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const ref = o.secretKeyRef as { name: string; key: string } | undefined;
    if (ref) found.add(`${ref.name}/${ref.key}`);
    const secret = o.secret as { secretName: string; items?: Array<{ key: string }> } | undefined;
    if (secret) secret.items?.forEach((i) => found.add(`${secret.secretName}/${i.key}`));
    const s3 = o.s3 as Record<string, { name: string; key: string }> | undefined;
    for (const k of ["accessKeySecret", "secretKeySecret"]) if (s3?.[k]) found.add(`${s3[k].name}/${s3[k].key}`);
    Object.values(o).forEach((v) => secretKeysUsed(v, found));
  }
  return found;
}

describe("the deployment guide", () => {
  it("creates every Secret key the manifests read, and no other", () => {
    const used = secretKeysUsed(objects);
    // The artifact repository lives as YAML text inside a ConfigMap.
    for (const o of objects.filter((x) => x.metadata.name === "artifact-repositories")) {
      for (const text of Object.values(o.data as Record<string, string>)) {
        for (const m of text.matchAll(/name: (\S+)\n\s+key: (\S+)|key: (\S+)\n\s+name: (\S+)/g)) used.add(m[1] ? `${m[1]}/${m[2]}` : `${m[4]}/${m[3]}`);
      }
    }
    const created = new Set<string>();
    // A command runs on while its lines end with a backslash.
    for (const m of deploy.matchAll(/create secret generic (\S+)((?:[^\n]*\\\n)*[^\n]*)/g)) {
      for (const k of m[2]!.matchAll(/--from-literal=([\w-]+)=/g)) created.add(`${m[1]}/${k[1]}`);
    }
    expect([...created].sort()).toEqual([...used].sort());
  });

  it("the channels' Secret: docs/notifications.md creates every key the notify pod reads, under the name dist/ mounts", () => {
    const notifications = readFileSync(join(REPO_ROOT, "docs/notifications.md"), "utf8");
    const templates = objects.filter((o) => o.kind === "WorkflowTemplate").flatMap((o) => (o.spec as { templates: Template[] }).templates);
    const read = new Set<string>();
    for (const t of templates) {
      for (const volume of t.volumes ?? []) {
        if (!volume.secret || volume.secret.items) continue;
        const mount = t.container?.volumeMounts?.find((m) => m.name === volume.name);
        // A whole Secret mounted as a folder: the keys are the files its environment names there.
        for (const env of t.container?.env ?? []) {
          if (mount && env.value?.startsWith(`${mount.mountPath}/`)) read.add(`${volume.secret.secretName}/${env.value.slice(mount.mountPath.length + 1)}`);
        }
      }
    }
    expect(read.size).toBeGreaterThan(0);
    const created = new Set<string>();
    for (const m of notifications.matchAll(/create secret generic (\S+)((?:[^\n]*\\\n)*[^\n]*)/g)) {
      for (const k of m[2]!.matchAll(/--from-(?:literal|file)=([\w-]+)=/g)) created.add(`${m[1]}/${k[1]}`);
    }
    expect([...created].sort()).toEqual([...read].sort());
  });

  it("submits and lists workflows that exist in dist/", () => {
    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    const templates = [...deploy.matchAll(/--from workflowtemplate\/(\S+)/g)].map((m) => m[1]);
    const crons = [...deploy.matchAll(/--from cronwf\/(\S+)/g)].map((m) => m[1]);
    expect(templates.length).toBeGreaterThan(0);
    expect(crons.length).toBeGreaterThan(0);
    for (const t of templates) expect(names("WorkflowTemplate")).toContain(t);
    for (const c of crons) expect(names("CronWorkflow")).toContain(c);
    expect(deploy).toContain("argo cron list");
  });

  it("names every file in dist/ and the NFS exports the volumes mount", () => {
    for (const file of new Set(loadManifests().map((m) => m.file.replace("dist/", "")))) expect(deploy).toContain(`\`${file}\``);
    for (const pv of objects.filter((o) => o.kind === "PersistentVolume")) {
      const path = (pv.spec as { nfs: { path: string } }).nfs.path;
      expect(deploy).toContain(path);
    }
  });

  it("installs the Argo release the manifests are built and checked against", () => {
    const installed = [...deploy.matchAll(/^ARGO=(\S+)$/gm)].map((m) => m[1]);
    expect(installed).toEqual([ARGO_RELEASE.tag]);
    expect(deploy).toContain(`Argo Workflows **${ARGO_RELEASE.tag}**`);
  });

  it("gives the scrape job and the alert rules the code ships, field for field", () => {
    const blocks = [...deploy.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => parseAllDocuments(m[1]!).map((d) => d.toJS() as Record<string, unknown>));
    expect(blocks.find((b) => b && "scrape_configs" in b)).toEqual({ scrape_configs: [controllerScrapeConfig(defaultConfig.argoNamespace)] });
    expect(blocks.find((b) => b && "groups" in b)).toEqual({ groups: [JSON.parse(JSON.stringify(ALERT_GROUP))] });
  });
});

/** The shell commands of the guide's ```sh blocks, a continued line joined to its start. */
function shellCommands(): string[] {
  return [...deploy.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.replace(/\\\n\s*/g, "").split("\n")).filter((l) => l.trim() !== "");
}

describe("the guide's way back after a delete", () => {
  it("keeps a copy of the Secrets that kubectl create takes back: name, type and data, nothing the cluster assigned", () => {
    const backup = shellCommands().find((c) => c.includes("get secret") && c.includes("jq"))!;
    const program = /jq '([^']+)'/.exec(backup)![1]!;
    const output = /> (\S+)\)?$/.exec(backup)![1]!.replace(/\)$/, "");
    expect(backup).toMatch(/^\(umask 077;/);
    // What `kubectl get secret A B -o json` prints: a List of the live objects.
    const live = (name: string, data: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name, namespace: "stock-rsi", uid: "0b7f8f1e-5c1a-4d7e-9a61-1c1b2a3d4e5f", resourceVersion: "48213", creationTimestamp: "2026-12-01T10:00:00Z", managedFields: [{ manager: "kubectl-create" }] },
      data,
    });
    const listed = { apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: [live("mysql-credentials", { "root-password": "cg==" }), live("artifact-store-credentials", { "access-key": "YQ==" })] };
    const jq = spawnSync("jq", [program], { input: JSON.stringify(listed), encoding: "utf8" });
    expect(jq.stderr).toBe("");
    expect(JSON.parse(jq.stdout)).toEqual({
      apiVersion: "v1",
      kind: "List",
      items: [
        { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "mysql-credentials" }, data: { "root-password": "cg==" } },
        { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "artifact-store-credentials" }, data: { "access-key": "YQ==" } },
      ],
    });
    expect(shellCommands()).toContain(`kubectl -n stock-rsi create -f ${output}`);
    // The copy holds every Secret the manifests read.
    const secretsUsed = new Set([...secretKeysUsed(objects)].map((k) => k.split("/")[0]));
    for (const name of secretsUsed) expect(backup).toContain(name);
  });

  it("takes stock-rsi down with every file of dist/ but the namespace's, in reverse order", () => {
    const loop = shellCommands().find((c) => c.startsWith("for f in"))!;
    expect(loop).toBe('for f in $(ls -r dist/*.k8s.yaml); do [ "$f" = dist/0000-namespace.k8s.yaml ] || kubectl delete -f "$f"; done');
    const namespaces = loadManifests().filter((m) => m.object.kind === "Namespace");
    expect(namespaces.map((m) => m.file)).toEqual(["dist/0000-namespace.k8s.yaml"]);
    expect(loadManifests().filter((m) => m.file === "dist/0000-namespace.k8s.yaml").map((m) => m.object.kind)).toEqual(["Namespace"]);
  });

  it("patches only volumes of dist/, which keep their data and are reserved for their claim by name", () => {
    const patches = shellCommands().flatMap((c) => {
      const m = /^kubectl patch pv (\S+) -p '(.+)'$/.exec(c);
      return m ? [{ volume: m[1]!, body: JSON.parse(m[2]!) as unknown }] : [];
    });
    const volumes = objects.filter((o) => o.kind === "PersistentVolume");
    expect(patches.map((p) => p.volume).sort()).toEqual(volumes.map((v) => v.metadata.name).sort());
    for (const { body } of patches) expect(body).toEqual({ spec: { claimRef: { uid: null } } });
    for (const volume of volumes) {
      const spec = volume.spec as { persistentVolumeReclaimPolicy: string; claimRef: Record<string, string> };
      expect(spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(Object.keys(spec.claimRef).sort()).toEqual(["name", "namespace"]);
    }
  });

  it("runs the password reset script where dist/ mounts it in MySQL's pod, and undoes the patch it makes for --skip-grant-tables", () => {
    const runs = shellCommands().filter((c) => c.includes("reset-passwords.sh"));
    expect(runs.length).toBe(2);
    const path = /bash (\S+reset-passwords\.sh)/.exec(runs[0]!)![1]!;
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mysql") as unknown as {
      spec: { template: { spec: { containers: Array<{ args?: string[]; volumeMounts: Array<{ name: string; mountPath: string }> }>; volumes: Array<{ name: string; configMap?: { name: string } }> } } };
    };
    const pod = deployment.spec.template.spec;
    const mount = pod.containers[0]!.volumeMounts.find((m) => path.startsWith(`${m.mountPath}/`))!;
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === pod.volumes.find((v) => v.name === mount.name)!.configMap!.name)!;
    expect(Object.keys(configMap.data as object)).toEqual([path.slice(mount.mountPath.length + 1)]);
    // The patch adds args the manifest never sets, so the guide must remove them again.
    expect(pod.containers[0]!.args).toBeUndefined();
    const commands = shellCommands();
    const add = commands.findIndex((c) => c.includes('"op": "add", "path": "/spec/template/spec/containers/0/args"'));
    const remove = commands.findIndex((c) => c.includes('"op": "remove", "path": "/spec/template/spec/containers/0/args"'));
    expect(add).toBeGreaterThan(-1);
    expect(remove).toBeGreaterThan(add);
  });
});

describe("the guide's UI login", () => {
  it("makes a token for a ServiceAccount of dist/ whose Role can change nothing", () => {
    const token = shellCommands().find((c) => c.includes("create token"))!;
    const [, namespace, account] = /kubectl -n (\S+) create token (\S+)/.exec(token)!;
    const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === account)!;
    expect(sa.metadata.namespace).toBe(namespace);
    expect(token).toMatch(/^echo "Bearer \$\(/);
    const binding = objects.find((o) => o.kind === "RoleBinding" && (o.subjects as Array<{ name: string }>).some((s) => s.name === account)) as unknown as { roleRef: { name: string } };
    const role = objects.find((o) => o.kind === "Role" && o.metadata.name === binding.roleRef.name)!;
    for (const rule of role.rules as Array<{ verbs: string[] }>) expect(rule.verbs.every((v) => ["get", "list", "watch"].includes(v))).toBe(true);
  });
});

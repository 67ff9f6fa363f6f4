/**
 * The deployment guide (docs/deploying.md) stays true to dist/: the Secrets it tells the user to
 * create are exactly the ones the manifests use, and the names it submits and lists exist.
 */
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

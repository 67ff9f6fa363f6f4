/**
 * The whole app under other deployment configs than the committed one, through cdk8s' Testing.
 */
import { execFileSync } from "node:child_process";
import { Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { backfillPipeline, pipeline } from "../../steps/pipeline.ts";
import { defaultConfig } from "../../synth/config.ts";
import type { NfsStorage } from "../../workflows/nfs-volume.ts";
import type { DeploymentConfig } from "../../workflows/stock-rsi.ts";
import { defineStockRsi } from "../../workflows/stock-rsi.ts";

type Obj = { kind: string; metadata: { name: string }; [k: string]: unknown };

function synth(config: DeploymentConfig): Obj[] {
  const app = Testing.app();
  defineStockRsi(app, { config, definition: pipeline, backfill: backfillPipeline, inputFiles: { symbols: "AAPL\nMSFT\n" } });
  return app.charts.flatMap((c) => c.toJson() as Obj[]);
}

describe("the deployment config", () => {
  it("with an existing artifact repository, ships no store and points Argo at the given bucket", () => {
    const objects = synth({ ...defaultConfig, artifacts: { kind: "existing", endpoint: "s3.example.net:443", bucket: "argo", insecure: false, region: "eu-1" } });
    expect(objects.filter((o) => o.metadata.name.startsWith("artifact-store"))).toEqual([]);
    expect(objects.filter((o) => o.kind === "PersistentVolume").map((o) => o.metadata.name)).toEqual(["stock-rsi-mysql-data"]);
    const configMap = objects.find((o) => o.metadata.name === "artifact-repositories") as unknown as { data: Record<string, string> };
    expect(parse(configMap.data["default-v1"]!)).toEqual({
      s3: {
        endpoint: "s3.example.net:443",
        bucket: "argo",
        insecure: false,
        region: "eu-1",
        accessKeySecret: { name: "artifact-store-credentials", key: "access-key" },
        secretKeySecret: { name: "artifact-store-credentials", key: "secret-key" },
        keyFormat: "{{workflow.name}}/{{pod.name}}",
      },
    });
  });

  it("puts everything in the configured namespace, and the database URL follows it", () => {
    const objects = synth({ ...defaultConfig, namespace: "rsi-test" });
    // The PodMonitor goes beside the pods it scrapes, Argo's controller.
    const namespaced = objects.filter((o) => !["Namespace", "PersistentVolume", "PodMonitor"].includes(o.kind));
    expect(new Set(namespaced.map((o) => (o.metadata as { namespace?: string }).namespace))).toEqual(new Set(["rsi-test"]));
    expect(objects.filter((o) => o.kind === "PodMonitor").map((o) => (o.metadata as { namespace?: string }).namespace)).toEqual([defaultConfig.argoNamespace]);
    expect(JSON.stringify(objects)).toContain("mysql://stock_rsi@mysql.rsi-test.svc:3306/stock_rsi");
  });

  it("without the Prometheus Operator, writes no PodMonitor or PrometheusRule; with it, labels them as the config says", () => {
    const without = synth({ ...defaultConfig, monitoring: { prometheusOperator: false, labels: {} } });
    expect(without.filter((o) => o.kind === "PodMonitor" || o.kind === "PrometheusRule")).toEqual([]);
    const labelled = synth({ ...defaultConfig, monitoring: { prometheusOperator: true, labels: { release: "kube-prometheus-stack" } } });
    const monitoring = labelled.filter((o) => o.kind === "PodMonitor" || o.kind === "PrometheusRule");
    expect(monitoring.map((o) => o.kind).sort()).toEqual(["PodMonitor", "PrometheusRule"]);
    for (const o of monitoring) expect((o.metadata as unknown as { labels: Record<string, string> }).labels.release).toBe("kube-prometheus-stack");
  });

  it("lets the configured networks reach MySQL besides the pipeline's persist pods", () => {
    const objects = synth({ ...defaultConfig, mysql: { ...defaultConfig.mysql, allowedClientCidrs: ["10.0.2.0/24"] } });
    const policy = objects.find((o) => o.metadata.name === "mysql-clients-only") as unknown as { spec: { ingress: Array<{ from: unknown[]; ports: unknown[] }> } };
    // One rule per peer: the policy admits the union of them, each on 3306 only.
    expect(policy.spec.ingress.flatMap((rule) => rule.from)).toEqual([{ podSelector: { matchLabels: { "stock-rsi/mysql-client": "true" } } }, { ipBlock: { cidr: "10.0.2.0/24" } }]);
    for (const rule of policy.spec.ingress) expect(rule.ports).toEqual([{ port: 3306, protocol: "TCP" }]);
  });
});

describe("the in-cluster artifact store", () => {
  const init = () => {
    const store = synth(defaultConfig).find((o) => o.kind === "Deployment" && o.metadata.name === "artifact-store") as unknown as {
      spec: { template: { spec: { initContainers: Array<{ command: string[] }> } } };
    };
    return store.spec.template.spec.initContainers[0]!.command;
  };
  const runInit = (env: Record<string, string>, dir: string) => {
    const [shell, flag, script] = init();
    const text = script!.replaceAll("/config/", `${dir}/`);
    try {
      execFileSync(shell === "/bin/sh" ? "sh" : shell!, [flag!, text], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      return { code: 0, stderr: "" };
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      return { code: e.status, stderr: e.stderr.toString() };
    }
  };

  it("starts from an identities file holding exactly the Secret's keys", async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/stock-rsi-s3-");
    try {
      expect(runInit({ ACCESS_KEY: "0123abcd", SECRET_KEY: "s3cr3t+/=" }, dir).code).toBe(0);
      const identities = JSON.parse(readFileSync(`${dir}/s3.json`, "utf8")) as { identities: Array<{ credentials: unknown[]; actions: string[] }> };
      expect(identities.identities).toHaveLength(1);
      expect(identities.identities[0]!.credentials).toEqual([{ accessKey: "0123abcd", secretKey: "s3cr3t+/=" }]);
      expect(identities.identities[0]!.actions).toContain("Write");
      const refused = runInit({ ACCESS_KEY: 'ab"cd', SECRET_KEY: "x" }, dir);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/artifact-store-credentials: keys must not contain " or \\/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("may fill about nine tenths of its volume, whatever its size, not SeaweedFS's default of 8 volumes", () => {
    const args = (size: `${number}Gi`) => {
      const config = { ...defaultConfig, artifacts: { ...defaultConfig.artifacts, storage: { ...(defaultConfig.artifacts as { storage: NfsStorage }).storage, size } } } as DeploymentConfig;
      const store = synth(config).find((o) => o.kind === "Deployment" && o.metadata.name === "artifact-store") as unknown as {
        spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
      };
      const flag = (name: string) => Number(store.spec.template.spec.containers[0]!.args.find((a) => a.startsWith(`-${name}=`))!.split("=")[1]);
      return { volumes: flag("volume.max"), volumeMiB: flag("master.volumeSizeLimitMB") };
    };
    for (const size of ["5Gi", "30Gi", "200Gi"] as const) {
      const { volumes, volumeMiB } = args(size);
      const capacityMiB = volumes * volumeMiB;
      const sizeMiB = Number(size.slice(0, -2)) * 1024;
      expect(capacityMiB).toBeLessThanOrEqual(0.9 * sizeMiB - volumeMiB);
      expect(capacityMiB).toBeGreaterThan(0.9 * sizeMiB - 3 * volumeMiB);
    }
    expect(() => args("2Gi")).toThrow("deployment config: artifacts.storage.size 2Gi holds 6 SeaweedFS volumes of 256 MB; give at least 3Gi");
  });
});

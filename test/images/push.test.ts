/**
 * `npm run images -- --push`'s push and digest record, against a real registry: Debian's
 * `docker-registry` (the CNCF distribution registry) on 127.0.0.1, written to by buildah through
 * the same functions as `npm run images`. The images are small ones from a Dockerfile of the same
 * shape (one target per step, no RUN), so this needs no base image and no emulator, and can build
 * for arm64 on an amd64 machine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Testing } from "cdk8s";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishImage } from "../../images/build.ts";
import { readImageDigests, recordImageDigests } from "../../synth/image-digests.ts";
import { backfillPipeline, pipeline } from "../../steps/pipeline.ts";
import { defaultConfig } from "../../synth/config.ts";
import { defineStockRsi } from "../../workflows/stock-rsi.ts";
import { tempDir } from "../support/cli.ts";
import { buildahEnv } from "./support/buildah.ts";
import { BUILDER } from "./support/images.ts";

const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
const MANIFEST_TYPES = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];

let env: NodeJS.ProcessEnv;
let dir: { path: string; cleanup: () => void };
let registry: ChildProcess;
let address: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      server.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** What the registry serves for `name:reference`: its digest (computed from the bytes, as a client checks it) and body. */
async function manifest(name: string, reference: string, accept: readonly string[]): Promise<{ digest: string; type: string; body: Record<string, unknown> }> {
  const response = await fetch(`http://${address}/v2/${name}/manifests/${reference}`, { headers: { Accept: accept.join(", ") } });
  expect(response.status, `${name}:${reference}`).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, type: response.headers.get("content-type") ?? "", body: JSON.parse(bytes.toString("utf8")) };
}

/** A build context shaped like the real one: a Dockerfile with one target per step. */
function context(content: string): string {
  const path = join(dir.path, `context-${createHash("sha256").update(content).digest("hex").slice(0, 8)}`);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, "Dockerfile"), ["FROM scratch AS fetch", "COPY step.txt /step.txt", "FROM scratch AS persist", "COPY step.txt /step.txt", ""].join("\n"));
  writeFileSync(join(path, "step.txt"), content);
  return path;
}

beforeAll(async () => {
  env = await buildahEnv();
  dir = tempDir("stock-rsi-registry-");
  address = `127.0.0.1:${await freePort()}`;
  const config = join(dir.path, "registry.yml");
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir.path, "registry")}\nhttp:\n  addr: ${address}\n`);
  // Its log has an error line for every blob a client asks about before pushing it: not shown.
  registry = spawn("docker-registry", ["serve", config], { stdio: "ignore" });
  for (let i = 0; ; i++) {
    const up = await fetch(`http://${address}/v2/`).then((r) => r.status === 200, () => false);
    if (up) break;
    if (i > 100) throw new Error(`docker-registry did not answer on ${address}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(() => {
  registry?.kill();
  dir?.cleanup();
});

describe("pushing the images", () => {
  it("returns the digest the registry serves the image by, and a rebuild with other contents gets another", async () => {
    const images = { registry: `${address}/stock-rsi`, tag: "0.1.0" };
    const first = await publishImage({ builder: BUILDER, step: "fetch", images, context: context("first build\n"), env, insecure: true, log: () => undefined });
    expect(first.ref).toBe(`${address}/stock-rsi/fetch:0.1.0`);
    const served = await manifest("stock-rsi/fetch", "0.1.0", MANIFEST_TYPES);
    expect(first.digest).toBe(served.digest);
    const rebuilt = await publishImage({ builder: BUILDER, step: "fetch", images, context: context("second build\n"), env, insecure: true, log: () => undefined });
    expect(rebuilt.digest).not.toBe(first.digest);
    expect((await manifest("stock-rsi/fetch", "0.1.0", MANIFEST_TYPES)).digest).toBe(rebuilt.digest);
    // The first build is still there by its digest: a run that started with it finishes with it.
    expect((await manifest("stock-rsi/fetch", first.digest, MANIFEST_TYPES)).digest).toBe(first.digest);
  }, 300_000);

  it("for amd64 and arm64, pushes one image index naming both, and returns the index's digest", async () => {
    const images = { registry: `${address}/stock-rsi`, tag: "0.2.0" };
    const options = { builder: BUILDER, step: "persist" as const, images, env, insecure: true, platforms: ["linux/amd64", "linux/arm64"], log: () => undefined };
    const pushed = await publishImage({ ...options, context: context("multi-platform\n") });
    const index = await manifest("stock-rsi/persist", "0.2.0", INDEX_TYPES);
    expect(INDEX_TYPES).toContain(index.type);
    expect(pushed.digest).toBe(index.digest);
    const platforms = (index.body.manifests as Array<{ platform: { os: string; architecture: string } }>).map((m) => `${m.platform.os}/${m.platform.architecture}`);
    expect(platforms.sort()).toEqual(["linux/amd64", "linux/arm64"]);
    // Built again under the same name: a new index of two images, not the old list grown to four.
    const again = await publishImage({ ...options, context: context("multi-platform, rebuilt\n") });
    const second = await manifest("stock-rsi/persist", "0.2.0", INDEX_TYPES);
    expect(again.digest).toBe(second.digest);
    expect(second.body.manifests).toHaveLength(2);
  }, 300_000);

  it("records what was pushed, and synth then names each image by that digest", async () => {
    const images = { registry: `${address}/stock-rsi`, tag: "0.3.0" };
    const pushed = await publishImage({ builder: BUILDER, step: "fetch", images, context: context("recorded\n"), env, insecure: true, log: () => undefined });
    const file = join(dir.path, "image-digests.json");
    writeFileSync(file, "{}\n");
    recordImageDigests({ [pushed.ref]: pushed.digest }, file);
    const app = Testing.app();
    defineStockRsi(app, {
      config: { ...defaultConfig, images: { ...images, digests: readImageDigests(file) } },
      definition: pipeline,
      backfill: backfillPipeline,
      inputFiles: { symbols: "AAPL\n" },
    });
    const yaml = JSON.stringify(app.charts.map((c) => c.toJson()));
    expect(yaml).toContain(`"image":"${pushed.ref}@${pushed.digest}","imagePullPolicy":"IfNotPresent"`);
    // What the manifests name is what the registry serves.
    expect((await manifest("stock-rsi/fetch", pushed.digest, MANIFEST_TYPES)).digest).toBe(pushed.digest);
  }, 300_000);
});

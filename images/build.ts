/**
 * `npm run images`: builds the four step images from the Dockerfile with whatever builder is on
 * this machine (docker, podman or buildah), names them from the deployment config the manifests
 * are rendered from (`synth/config.ts`), prints each image's size, and with `--push` pushes them
 * and records each one's digest in `synth/image-digests.json`, which synth reads: `dist/` then
 * names every image by the digest of the build just pushed.
 *
 *     npm run images                                  # build all four, print sizes
 *     npm run images -- --push                        # ... push them to the configured registry, record their digests
 *     npm run images -- --push --insecure             # ... over plain HTTP (podman, buildah)
 *     npm run images -- --push --platform linux/amd64,linux/arm64   # one multi-platform image each
 *     npm run images -- --push --registry ghcr.io/me/stock-rsi --tag 0.2.0   # other names than synth/config.ts
 *     npm run images -- --builder podman compute-rsi  # one builder, one step
 *     npm run images -- --build-arg NODE_BASE=...     # any Dockerfile ARG
 *
 * stdout carries only the size table (single-platform builds); the builder's own output goes to
 * stderr.
 *
 * Sizes are what a registry stores and a node unpacks: "size" is the sum of the image's layers as
 * uncompressed tars, "gzip" the same layers gzip-compressed (as `docker push` sends them), "own"
 * the layers this image does not share with the other step images (its step layer).
 */
import { spawn } from "node:child_process";
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline as streamPipeline } from "node:stream/promises";
import { Writable, type Transform } from "node:stream";
import { parseArgs } from "node:util";
import { createGunzip, createGzip } from "node:zlib";
import { defaultConfig } from "../synth/config.ts";
import { DIGEST, recordImageDigests } from "../synth/image-digests.ts";
import { imageName, type DeploymentConfig, type ImageConfig as ImageNames } from "../workflows/stock-rsi.ts";
import { pipeline, type StepName } from "../steps/pipeline.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "..");
export const BUILDERS = ["docker", "podman", "buildah"] as const;
export type Builder = (typeof BUILDERS)[number];
/** The build secret the Dockerfile's `npm ci` mounts as its extra TLS CA. */
export const CA_SECRET_ID = "npm-ca";

export interface Runner {
  /** Environment for the builder (e.g. CONTAINERS_STORAGE_CONF, BUILDAH_ISOLATION). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the builder's progress goes; stdout stays free for results. */
  readonly log?: (text: string) => void;
}

/**
 * A question each builder answers only when it can build: docker's client is often installed
 * where no daemon runs (a CI image, a laptop with Docker Desktop stopped), and then `docker info`
 * fails; podman and buildah fail theirs where they cannot set up their storage or namespaces.
 */
const HEALTH_CHECKS: Readonly<Record<Builder, readonly string[]>> = {
  docker: ["info", "--format", "{{.ServerVersion}}"],
  podman: ["info", "--format", "{{.Store.GraphRoot}}"],
  buildah: ["info"],
};

/**
 * The first builder that works, in the order docker, podman, buildah, and why each one before it
 * was passed over (shown to the user, so a silent daemon does not pick the builder for them).
 */
export async function detectBuilder(env: NodeJS.ProcessEnv = process.env): Promise<{ builder: Builder; skipped: string[] }> {
  const skipped: string[] = [];
  for (const builder of BUILDERS) {
    const answer = await exec(builder, HEALTH_CHECKS[builder], { env }).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? "not installed" : err.message));
    if (typeof answer !== "string" && answer.code === 0) return { builder, skipped };
    const why = typeof answer === "string" ? answer : firstLine(answer.stderr) || firstLine(answer.stdout) || `\`${builder} ${HEALTH_CHECKS[builder][0]}\` exited with ${answer.code}`;
    skipped.push(`${builder}: ${why}`);
  }
  throw new Error(`no image builder works here: ${skipped.join("; ")}. Start or install one of ${BUILDERS.join(", ")}, or name one with --builder`);
}

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 200);
}

export interface BuildOptions extends Runner {
  readonly builder: Builder;
  readonly step: StepName;
  readonly config?: DeploymentConfig;
  /** The registry and tag to name the image with (default: the config's). */
  readonly images?: ImageNames;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** A PEM file of extra CA certificates for the build's network (default: $NODE_EXTRA_CA_CERTS). */
  readonly caFile?: string | undefined;
  readonly context?: string;
  /**
   * Build one image for each of these platforms (`linux/amd64`, `linux/arm64`) under one name, a
   * multi-platform image (an image index) of which each node pulls its own. podman and buildah
   * make it a local manifest list; docker (buildx) keeps none locally, so `publishImage` builds
   * and pushes in one go.
   */
  readonly platforms?: readonly string[];
}

/** Builds one step's target of the Dockerfile and tags it; returns the image's name. */
export async function buildImage(options: BuildOptions): Promise<string> {
  const ref = imageName(options.step, options.images ?? (options.config ?? defaultConfig).images);
  const platforms = options.platforms ?? [];
  if (platforms.length > 0 && options.builder !== "docker") {
    // A second build under the same name would add its images to the old list, not replace it.
    await run(options.builder, ["manifest", "rm", ref], { ...options, quiet: true }).catch(() => undefined);
  }
  await run(options.builder, [...buildCommand(options.builder, platforms), ...buildArgv(options, ref)], options);
  return ref;
}

function buildCommand(builder: Builder, platforms: readonly string[]): string[] {
  if (builder === "docker") return platforms.length > 0 ? ["buildx", "build", "--platform", platforms.join(",")] : ["build"];
  // buildah's layer cache (1.28, Debian 12's) does not tell platforms apart: with it, every
  // platform after the first got the first one's image (test/images/push.test.ts).
  if (platforms.length > 0) return [builder === "buildah" ? "bud" : "build", "--layers=false", "--platform", platforms.join(",")];
  return builder === "buildah" ? ["bud", "--layers"] : ["build"];
}

/** The flags every builder takes alike, then the context; the name as a tag or a manifest list. */
function buildArgv(options: BuildOptions, ref: string, extra: readonly string[] = []): string[] {
  const context = options.context ?? REPO_ROOT;
  const multi = (options.platforms ?? []).length > 0 && options.builder !== "docker";
  const args = ["--target", options.step, ...(multi ? ["--manifest", ref] : ["--tag", ref]), "--file", join(context, "Dockerfile"), ...extra];
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) args.push("--build-arg", `${name}=${value}`);
  const caFile = options.caFile ?? (options.env ?? process.env).NODE_EXTRA_CA_CERTS;
  if (caFile && existsSync(caFile)) args.push("--secret", `id=${CA_SECRET_ID},src=${caFile}`);
  args.push(context);
  return args;
}

/**
 * Pushes one image to the registry its name says and returns the digest the registry knows it
 * by (the image index's, for a multi-platform image: what a node resolves the name to).
 * `insecure`: a registry served over plain HTTP (podman and buildah refuse one unless told;
 * docker allows `localhost` and the daemon's `insecure-registries`).
 */
export async function pushImage(
  builder: Builder,
  ref: string,
  runner: Runner & { insecure?: boolean; multiPlatform?: boolean } = {},
): Promise<string> {
  const tls = runner.insecure && builder !== "docker" ? ["--tls-verify=false"] : [];
  if (builder === "docker") {
    await run("docker", ["push", ref], runner);
    // The digest the registry answered with, kept by the daemon as the image's RepoDigest.
    const { stdout } = await run("docker", ["image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", ref], { ...runner, quiet: true });
    const repository = ref.slice(0, ref.lastIndexOf(":"));
    const repoDigest = stdout.split("\n").find((line) => line.startsWith(`${repository}@`));
    return checkedDigest(repoDigest?.slice(repository.length + 1), ref);
  }
  return withDigestFile(async (digestFile) => {
    const push = runner.multiPlatform ? ["manifest", "push", "--all", ...tls, "--digestfile", digestFile, ref, `docker://${ref}`] : ["push", ...tls, "--digestfile", digestFile, ref];
    await run(builder, push, runner);
  });
}

export interface PublishOptions extends BuildOptions {
  readonly insecure?: boolean;
}

/** Builds one step's image and pushes it; returns its name and the digest the registry has for it. */
export async function publishImage(options: PublishOptions): Promise<{ ref: string; digest: string }> {
  const multiPlatform = (options.platforms ?? []).length > 0;
  if (options.builder === "docker" && multiPlatform) {
    // buildx keeps no multi-platform image locally: it builds and pushes in one go, and writes
    // the pushed index's digest to the metadata file.
    const ref = imageName(options.step, options.images ?? (options.config ?? defaultConfig).images);
    const dir = mkdtempSync(join(tmpdir(), "stock-rsi-push-"));
    try {
      const metadata = join(dir, "metadata.json");
      await run("docker", [...buildCommand("docker", options.platforms!), ...buildArgv(options, ref, ["--push", "--metadata-file", metadata])], options);
      const digest = (JSON.parse(readFileSync(metadata, "utf8")) as Record<string, unknown>)["containerimage.digest"];
      return { ref, digest: checkedDigest(typeof digest === "string" ? digest : undefined, ref) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ref = await buildImage(options);
  return { ref, digest: await pushImage(options.builder, ref, { ...options, multiPlatform }) };
}

async function withDigestFile(push: (digestFile: string) => Promise<void>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-push-"));
  try {
    const digestFile = join(dir, "digest");
    await push(digestFile);
    return readFileSync(digestFile, "utf8").trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkedDigest(digest: string | undefined, ref: string): string {
  if (!digest || !DIGEST.test(digest)) throw new Error(`pushed ${ref}, but the registry's digest for it is not known (${digest ?? "none reported"})`);
  return digest;
}

export interface ImageConfig {
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly workingDir: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The layers' content digests, base first. */
  readonly diffIds: readonly string[];
}

/** The parts of an image's configuration a pod depends on. */
export async function inspectImage(builder: Builder, ref: string, runner: Runner = {}): Promise<ImageConfig> {
  if (builder === "buildah") {
    const { stdout } = await run("buildah", ["inspect", "--type", "image", ref], { ...runner, quiet: true });
    const oci = JSON.parse(stdout).OCIv1;
    return configOf(oci.config ?? {}, oci.rootfs?.diff_ids ?? []);
  }
  const { stdout } = await run(builder, ["image", "inspect", ref], { ...runner, quiet: true });
  const image = JSON.parse(stdout)[0];
  return configOf(image.Config ?? {}, image.RootFS?.Layers ?? []);
}

function configOf(config: Record<string, unknown>, diffIds: string[]): ImageConfig {
  return {
    user: (config.User as string) ?? "",
    entrypoint: (config.Entrypoint as string[]) ?? [],
    cmd: (config.Cmd as string[]) ?? [],
    workingDir: (config.WorkingDir as string) ?? "",
    labels: (config.Labels as Record<string, string>) ?? {},
    diffIds,
  };
}

export interface LayerSize {
  readonly diffId: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Paths in the layer; listed for layers of at most `listFilesUpTo` bytes. */
  readonly files?: readonly string[];
}

export interface ImageSize {
  readonly ref: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly layers: readonly LayerSize[];
}

/**
 * Saves the image as a docker-archive and measures each layer: its tar size and its gzip size
 * (zlib's default level, as `docker push` compresses). Layers already measured (the shared base)
 * are taken from `seen` instead of being compressed again.
 */
export async function measureImage(
  builder: Builder,
  ref: string,
  options: Runner & { seen?: Map<string, LayerSize>; listFilesUpTo?: number } = {},
): Promise<ImageSize> {
  const seen = options.seen ?? new Map<string, LayerSize>();
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-image-"));
  try {
    const archive = join(dir, "image.tar");
    if (builder === "buildah") await run("buildah", ["push", "--quiet", ref, `docker-archive:${archive}:${ref}`], options);
    else if (builder === "podman") await run("podman", ["save", "--quiet", "--format", "docker-archive", "-o", archive, ref], options);
    else await run("docker", ["save", "-o", archive, ref], options);
    const contents = join(dir, "contents");
    await run("sh", ["-c", 'mkdir "$1" && tar -xf "$2" -C "$1"', "sh", contents, archive], { ...options, quiet: true });
    rmSync(archive);
    const manifest = JSON.parse(readFileSync(join(contents, "manifest.json"), "utf8"))[0] as { Config: string; Layers: string[] };
    const diffIds = (JSON.parse(readFileSync(join(contents, manifest.Config), "utf8")).rootfs?.diff_ids ?? []) as string[];
    const layers: LayerSize[] = [];
    for (const [i, path] of manifest.Layers.entries()) {
      const diffId = diffIds[i] ?? path;
      const known = seen.get(diffId);
      if (known) {
        layers.push(known);
        continue;
      }
      const file = join(contents, path);
      // docker save with the containerd image store exports layers gzip-compressed, as stored.
      const compressed = isGzip(file);
      const bytes = compressed ? await streamedSize(file, createGunzip()) : statSync(file).size;
      const gzipBytes = compressed ? statSync(file).size : await streamedSize(file, createGzip());
      const files =
        bytes <= (options.listFilesUpTo ?? 0)
          ? (await run("tar", ["-tf", file], { ...options, quiet: true })).stdout.split("\n").filter(Boolean)
          : undefined;
      const layer: LayerSize = { diffId, bytes, gzipBytes, ...(files ? { files } : {}) };
      seen.set(diffId, layer);
      layers.push(layer);
    }
    const sum = (f: (l: LayerSize) => number) => layers.reduce((n, l) => n + f(l), 0);
    return { ref, bytes: sum((l) => l.bytes), gzipBytes: sum((l) => l.gzipBytes), layers };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The layers an image does not share with the others: a step image's own layer(s). */
export function ownLayers(image: ImageSize, all: readonly ImageSize[]): LayerSize[] {
  const others = all.filter((i) => i !== image);
  if (others.length === 0) return image.layers.slice(-1);
  return image.layers.filter((l) => !others.every((o) => o.layers.some((ol) => ol.diffId === l.diffId)));
}

/** The number of bytes `file` becomes through `transform` (gzip or gunzip). */
async function streamedSize(file: string, transform: Transform): Promise<number> {
  let bytes = 0;
  const counter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  await streamPipeline(createReadStream(file), transform, counter);
  return bytes;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The table `npm run images` prints: one line per image, then the shared base. */
export function sizeTable(images: readonly ImageSize[]): string {
  const width = Math.max(...images.map((i) => i.ref.length), 5);
  const lines = [`${"image".padEnd(width)}  ${"size".padStart(9)}  ${"gzip".padStart(9)}  own layer (gzip)`];
  for (const image of images) {
    const own = ownLayers(image, images);
    const ownBytes = own.reduce((n, l) => n + l.bytes, 0);
    const ownGzip = own.reduce((n, l) => n + l.gzipBytes, 0);
    lines.push(`${image.ref.padEnd(width)}  ${mb(image.bytes).padStart(9)}  ${mb(image.gzipBytes).padStart(9)}  ${mb(ownBytes)} (${mb(ownGzip)})`);
  }
  if (images.length > 1) {
    const shared = images[0]!.layers.filter((l) => images.every((i) => i.layers.some((il) => il.diffId === l.diffId)));
    const bytes = shared.reduce((n, l) => n + l.bytes, 0);
    const gzip = shared.reduce((n, l) => n + l.gzipBytes, 0);
    lines.push(`shared by all ${images.length}: ${shared.length} base layer(s), ${mb(bytes)} (${mb(gzip)} gzip), stored once per registry and node`);
  }
  return `${lines.join("\n")}\n`;
}

interface RunOptions extends Runner {
  /** Capture stdout instead of logging it. */
  readonly quiet?: boolean;
}

async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<{ stdout: string }> {
  const log = options.log ?? ((text: string) => void process.stderr.write(text));
  if (!options.quiet) log(`$ ${command} ${args.join(" ")}\n`);
  const result = await exec(command, args, { env: options.env ?? process.env, onOutput: options.quiet ? undefined : log });
  if (result.code !== 0) {
    throw new Error(`${command} ${args.slice(0, 2).join(" ")} ... exited with ${result.code}${result.stderr ? `:\n${result.stderr.trim()}` : ""}`);
  }
  return { stdout: result.stdout };
}

function exec(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; onOutput?: ((text: string) => void) | undefined },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (options.onOutput ? options.onOutput(d.toString()) : (stdout += d.toString())));
    child.stderr.on("data", (d: Buffer) => (options.onOutput ? options.onOutput(d.toString()) : (stderr += d.toString())));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      builder: { type: "string" },
      push: { type: "boolean", default: false },
      insecure: { type: "boolean", default: false },
      platform: { type: "string" },
      registry: { type: "string" },
      tag: { type: "string" },
      "build-arg": { type: "string", multiple: true, default: [] },
    },
    allowPositionals: true,
  });
  const platforms = values.platform?.split(",").map((p) => p.trim()).filter(Boolean) ?? [];
  if (platforms.length > 0 && !values.push) throw new Error("--platform builds a multi-platform image, which is kept in a registry, not here: add --push");
  const images: ImageNames = { registry: values.registry ?? defaultConfig.images.registry, tag: values.tag ?? defaultConfig.images.tag };
  if (images.tag === "latest" || !/^[\w][\w.-]{0,127}$/.test(images.tag)) throw new Error(`--tag ${images.tag}: a pinned tag (letters, digits, _ . -), never latest`);
  const known = pipeline.steps.map((s) => s.name);
  const unknown = positionals.filter((s) => !known.includes(s as StepName));
  if (unknown.length > 0) throw new Error(`unknown step ${unknown.join(", ")}; the steps are ${known.join(", ")}`);
  const steps = positionals.length > 0 ? (positionals as StepName[]) : known;
  if (values.builder !== undefined && !BUILDERS.includes(values.builder as Builder)) {
    throw new Error(`--builder: ${values.builder} is not one of ${BUILDERS.join(", ")}`);
  }
  let builder = values.builder as Builder | undefined;
  if (builder === undefined) {
    const detected = await detectBuilder();
    builder = detected.builder;
    for (const line of detected.skipped) process.stderr.write(`images: not using ${line}\n`);
  }
  process.stderr.write(`images: building with ${builder}${values.builder === undefined ? "" : " (--builder)"}\n`);
  const buildArgs: Record<string, string> = {};
  for (const pair of values["build-arg"]) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--build-arg ${pair}: expected NAME=VALUE`);
    buildArgs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  if (platforms.length > 0) {
    // Each image is pushed as it is built; a multi-platform image has no one size to print.
    const pushed: Record<string, string> = {};
    for (const step of steps) {
      const { ref, digest } = await publishImage({ builder, step, images, buildArgs, platforms, insecure: values.insecure });
      pushed[ref] = digest;
    }
    record(pushed);
    return;
  }
  const refs: string[] = [];
  for (const step of steps) refs.push(await buildImage({ builder, step, images, buildArgs }));
  const seen = new Map<string, LayerSize>();
  const sizes: ImageSize[] = [];
  for (const ref of refs) sizes.push(await measureImage(builder, ref, { seen, log: () => undefined }));
  process.stdout.write(sizeTable(sizes));
  if (values.push) {
    const pushed: Record<string, string> = {};
    for (const ref of refs) pushed[ref] = await pushImage(builder, ref, { insecure: values.insecure });
    record(pushed);
  }
}

/** Records the pushed images' digests for synth, and says what to do next. */
function record(pushed: Readonly<Record<string, string>>): void {
  recordImageDigests(pushed);
  for (const [ref, digest] of Object.entries(pushed)) process.stderr.write(`images: pushed ${ref}@${digest}\n`);
  process.stderr.write("images: recorded in synth/image-digests.json; `npm run synth` names them by digest in dist/ (commit both)\n");
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`images: ${err.message}\n`);
    process.exitCode = 1;
  });
}

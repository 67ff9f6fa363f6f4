#!/usr/bin/env node
// Runs the built command line (build/cli, made by `npm ci` or `npm run build`) when it was built
// from the sources as they are now; otherwise the TypeScript sources themselves, through tsx, so
// an edit takes effect without a build and a stale build never runs. The container images run an
// esbuild bundle of their own step instead.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freshBuild } from "./built-cli.mjs";
import { NODE_DOWNLOAD_URL, projectNodeRequirement } from "./supported-node.mjs";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

// First, before anything native loads: on a Node the project does not support its packages load
// and then fail (better-sqlite3 13 crashes Node 20 with a segmentation fault). The Node that npm ci
// installs when it runs on such a Node (setup/node.mjs) is the `node` that npx finds first.
const node = projectNodeRequirement(repoRoot);
if (!node.accepts(process.versions.node)) {
  const remedy = existsSync(join(repoRoot, "node_modules/.bin/node"))
    ? `run it as npx stock-rsi, which uses the Node ${node.newest} that npm ci installed in node_modules/.bin, or install Node ${node.newest} LTS (${NODE_DOWNLOAD_URL})`
    : `install Node ${node.newest} LTS (${NODE_DOWNLOAD_URL}), or run npm ci in the project, which installs Node ${node.newest} there for npx stock-rsi`;
  process.stderr.write(`stock-rsi: this is Node ${process.versions.node}, and stock-rsi needs Node ${node.described}: ${remedy}\n`);
  process.exit(2);
}

const built = freshBuild(repoRoot);
if (built) {
  await import(built);
} else {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write("stock-rsi: the command line is not built and tsx is not installed to run its sources; run npm ci\n");
    process.exit(70);
  }
  tsx.register();
  await import("../cli/main.ts");
}

#!/usr/bin/env node
// Runs the built command line (build/cli, made by `npm ci` or `npm run build`) when it was built
// from the sources as they are now; otherwise the TypeScript sources themselves, through tsx, so
// an edit takes effect without a build and a stale build never runs. The container images run an
// esbuild bundle of their own step instead.
import { fileURLToPath } from "node:url";
import { freshBuild } from "./built-cli.mjs";

const built = freshBuild(fileURLToPath(new URL("..", import.meta.url)));
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

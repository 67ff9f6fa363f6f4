/**
 * `npm run test:images`: the container images built from the real Dockerfile with buildah and the
 * pipeline run through them. Minutes, root and buildah, so not part of `npm test`; `.ci/run` runs
 * it as its own stage.
 */
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, "../.."),
    include: ["test/images/**/*.test.ts"],
    // One file at a time: they share one buildah storage and the machine's two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
  },
});

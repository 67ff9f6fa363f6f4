import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The container images take minutes and need root + buildah: `npm run test:images`.
    exclude: [...configDefaults.exclude, "test/images/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { existsSync } from "node:fs";
import { join } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

/** Whether a program is on PATH or where Debian installs daemons. */
function installed(program: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"];
  return dirs.some((dir) => dir !== "" && existsSync(join(dir, program)));
}

/**
 * Suites that need a program from Debian's packages. On a contributor's laptop without it they are
 * skipped with one line saying what to install; in CI (`CI` set) they run, and fail loudly if it
 * is missing, so a green CI run always includes them.
 */
const NEEDS = [{ suites: "**/*.mariadb.test.ts", program: "mariadbd", install: "mariadb-server" }];

const skipped: string[] = [];
for (const need of NEEDS) {
  if (process.env.CI || installed(need.program)) continue;
  skipped.push(need.suites);
  console.warn(`skipping ${need.suites}: ${need.program} not found; install Debian's ${need.install} (apt-get install ${need.install}) to run them`);
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The container images take minutes and need root + buildah: `npm run test:images`.
    exclude: [...configDefaults.exclude, "test/images/**", ...skipped],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

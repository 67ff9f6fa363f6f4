/**
 * What the builder receives as the build context: `.dockerignore` lets through the lock file, the
 * step sources and the bundler, and nothing else — no tests, fixtures, databases, build output,
 * and no credentials, even ones lying inside an allowed folder.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureImage } from "../../images/build.ts";
import { REPO_ROOT, tempDir } from "../support/cli.ts";
import { buildahEnv, must } from "./support/buildah.ts";

const PLANTED = [
  ".env",
  ".npmrc",
  "stock-rsi.db",
  "node_modules/left-over/index.js",
  "build/bundles/fetch/opt/stock-rsi/stock-rsi.mjs",
  "steps/persist/.env",
  "steps/persist/mysql/client-key.pem",
  "steps/persist/mysql/server.key",
  "steps/fetch/planted.test.ts",
  "steps/stock-rsi.db",
];

describe("the build context", () => {
  const context = tempDir("stock-rsi-context-");
  const probe = "localhost/stock-rsi-context-probe:test";
  let env: NodeJS.ProcessEnv;
  let tracked: string[];
  let received: string[];

  beforeAll(async () => {
    env = await buildahEnv();
    // The repository's tracked files plus what a working tree collects, then `COPY . /context`.
    tracked = (await must("git", ["ls-files"], { env })).split("\n").filter(Boolean);
    for (const file of [...tracked, ".dockerignore"]) {
      mkdirSync(dirname(join(context.path, file)), { recursive: true });
      copyFileSync(join(REPO_ROOT, file), join(context.path, file));
    }
    for (const file of PLANTED) {
      mkdirSync(dirname(join(context.path, file)), { recursive: true });
      writeFileSync(join(context.path, file), "planted\n");
    }
    const dockerfile = join(context.path, "..", `${context.path.split("/").pop()}.Dockerfile`);
    writeFileSync(dockerfile, "FROM scratch\nCOPY . /context\n");
    try {
      await must("buildah", ["bud", "--quiet", "--file", dockerfile, "--tag", probe, context.path], { env });
      const image = await measureImage("buildah", probe, { env, listFilesUpTo: 50e6, log: () => undefined });
      received = image.layers
        .flatMap((l) => l.files ?? [])
        .filter((f) => !f.endsWith("/"))
        .map((f) => f.replace(/^\.?\/?context\//, ""));
    } finally {
      await must("rm", ["-f", dockerfile]);
      await must("buildah", ["rmi", "--force", probe], { env }).catch(() => undefined);
    }
  });
  afterAll(() => context.cleanup());

  it("holds what the build stage needs: the lock file, tsconfig, the bundler and every step source", () => {
    const needed = ["package.json", "package-lock.json", "tsconfig.json", "images/bundle.ts"];
    const sources = tracked.filter((f) => f.startsWith("steps/") && f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(sources.length).toBeGreaterThan(20);
    expect(received.sort()).toEqual([...needed, ...sources].sort());
  });

  it("keeps out tests, fixtures, the symbols list, databases, build output and credentials", () => {
    for (const file of received) {
      expect(file).not.toMatch(/^(test|node_modules|build|dist|\.git|\.ci)\//);
      expect(file).not.toMatch(/\.test\.ts$|\.db$|\.pem$|\.key$|(^|\/)\.env|(^|\/)\.npmrc$|^symbols$/);
    }
    for (const file of PLANTED) expect(received, file).not.toContain(file);
  });
});

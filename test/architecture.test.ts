/**
 * The dependency rules the tree is built on, checked on the import statements themselves:
 * nothing imports in a circle; `steps/domain/` is pure (no Node built-ins, no other folder);
 * the steps never import the laptop's CLI; the constructs never import the app that uses them;
 * the pipeline definition loads no command-line framework; and only the output guard
 * (`steps/files/output-files.ts`) writes files.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli.ts";

const SOURCE_ROOTS = ["steps", "cli", "workflows", "synth", "images", "bench"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(REPO_ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every module a file imports: repository files (relative to the root) and packages by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(join(REPO_ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith(".")) files.push(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec)));
    else packages.push(spec);
  }
  return { files, packages };
}

const files = SOURCE_ROOTS.flatMap(sourceFiles);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe("the dependency rules", () => {
  it("no module imports itself through a circle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file)?.files ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("steps/domain/ is pure: it imports only itself and zod/mini", () => {
    for (const file of files.filter((f) => f.startsWith("steps/domain/"))) {
      const { files: local, packages } = graph.get(file)!;
      for (const target of local) expect(target, file).toMatch(/^steps\/domain\//);
      for (const pkg of packages) expect(["zod/mini", "zod/v4/locales/en.js"], file).toContain(pkg);
    }
  });

  it("a notification is composed by pure code: steps/notify's message, formats, channel URLs and run results import no Node built-in, only the domain and the report's markup", () => {
    const pure = ["steps/notify/message.ts", "steps/notify/formats.ts", "steps/notify/channels.ts", "steps/notify/run-results.ts", "steps/notify/names.ts"];
    for (const file of pure) {
      const { files: local, packages } = graph.get(file)!;
      for (const target of local) expect(target, file).toMatch(/^steps\/domain\/|^steps\/report\/markup\.ts$|^steps\/notify\/(message|formats|channels|run-results|names)\.ts$/);
      expect(packages, file).toEqual([]);
    }
  });

  it("nothing loads zod's classic API, which costs every step about 70 ms to start", () => {
    for (const [file, { packages }] of graph) expect(packages, file).not.toContain("zod");
  });

  it("the steps never import the laptop's CLI, and the constructs never import the app", () => {
    for (const [file, { files: local }] of graph) {
      if (file.startsWith("steps/")) for (const target of local) expect(target, file).not.toMatch(/^cli\//);
      if (file.startsWith("workflows/")) for (const target of local) expect(target, file).not.toMatch(/^(synth|cli|images)\//);
    }
  });

  it("the pipeline definition loads no command-line framework", () => {
    const seen = new Set<string>();
    const reach = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const next of graph.get(file)?.files ?? []) reach(next);
    };
    reach("steps/pipeline.ts");
    const packages = [...seen].flatMap((f) => graph.get(f)?.packages ?? []);
    expect(packages).not.toContain("commander");
  });

  it("only the output guard writes files: every other module of the program reads, or asks it", () => {
    // The build script writes build/cli, not a file a user names; it is no command of the program.
    const program = files.filter((f) => /^(steps|cli)\//.test(f) && f !== "cli/build.ts" && f !== OUTPUT_GUARD);
    const offences: string[] = [];
    for (const file of program) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      for (const m of text.matchAll(/import\s+([^;]*?)\s+from\s+["'](node:)?fs(\/promises)?["']/g)) {
        const clause = m[1]!.replace(/^type\s+/, "");
        if (m[3] || !clause.startsWith("{")) offences.push(`${file}: imports ${m[0]} (name what it reads from node:fs instead)`);
        const names = clause.replace(/[{}]/g, "").split(",").map((n) => n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!);
        for (const name of names) if (FS_WRITERS.has(name)) offences.push(`${file}: imports ${name} from node:fs`);
      }
      if (/import\(\s*["'](node:)?fs/.test(text)) offences.push(`${file}: loads node:fs dynamically`);
      for (const m of text.matchAll(/openSync\(([^,()]+),\s*([^)]*)\)/g)) {
        if (!/^"r"$|O_RDONLY/.test(m[2]!.trim())) offences.push(`${file}: openSync(${m[1]}, ${m[2]}) opens for writing`);
      }
    }
    expect(offences).toEqual([]);
  });
});

/** The one module that writes files a command is asked to write (see its doc comment). */
const OUTPUT_GUARD = "steps/files/output-files.ts";

/** node:fs functions that create, change or replace a file. */
const FS_WRITERS = new Set([
  "writeFile",
  "writeFileSync",
  "appendFile",
  "appendFileSync",
  "createWriteStream",
  "rename",
  "renameSync",
  "copyFile",
  "copyFileSync",
  "cp",
  "cpSync",
  "write",
  "writeSync",
  "writev",
  "writevSync",
  "truncate",
  "truncateSync",
  "ftruncate",
  "ftruncateSync",
  "link",
  "linkSync",
  "symlink",
  "symlinkSync",
]);

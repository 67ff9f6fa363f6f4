/**
 * Builds the laptop's `stock-rsi` into plain JavaScript, so the command starts like any Node
 * program instead of compiling TypeScript through tsx on every call. `npm ci` runs it (the
 * `prepare` script); `npm run build` runs it again after editing the sources.
 *
 *     build/cli/main.mjs           the command line: the list of subcommands and commander
 *     build/cli/chunks/*.mjs       each subcommand's code, loaded when a command line names it
 *     build/cli/inputs.json        every source file that went in, with its size and time
 *
 * npm packages are built in too, each subcommand's in its own chunks: one file read instead of a
 * package's dozens of modules is most of what starting takes. better-sqlite3 stays outside (its
 * compiled addon is found from its own package). The
 * bin (`bin/stock-rsi.mjs`, see `bin/built-cli.mjs`) runs the build only while every file in
 * `inputs.json` is unchanged, and the sources through tsx otherwise, so an edit takes effect at
 * once and a stale build never runs.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build } from "esbuild";

export const REPO_ROOT = resolve(import.meta.dirname, "..");
export const CLI_BUILD_DIR = join(REPO_ROOT, "build/cli");

export interface BuiltInput {
  /** Relative to the repository root. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Builds into `outDir` (replacing it whole, so a reader never sees half a build); returns the inputs. */
export async function buildCli(outDir: string = CLI_BUILD_DIR): Promise<BuiltInput[]> {
  const staging = `${outDir}.${process.pid}.tmp`;
  // Taken before esbuild reads the sources: a file saved while it builds then differs from what
  // is recorded, and the bin runs the sources, not a build that may hold the older text.
  const before = new Map<string, BuiltInput>();
  for (const path of [...sourceFiles("cli"), ...sourceFiles("steps"), "package-lock.json"]) before.set(path, inputOf(path));
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      entryPoints: { main: join(REPO_ROOT, "cli/main.ts") },
      outdir: staging,
      outExtension: { ".js": ".mjs" },
      chunkNames: "chunks/[name]-[hash]",
      bundle: true,
      splitting: true,
      // The one package with a compiled addon loads from node_modules, where its build put it.
      external: ["better-sqlite3"],
      // CommonJS dependencies (commander, mysql2) call `require`; an ES module has none.
      banner: { js: 'import { createRequire as __stockRsiCreateRequire } from "node:module"; const require = __stockRsiCreateRequire(import.meta.url);' },
      platform: "node",
      format: "esm",
      target: "node20",
      minify: true,
      // Stack traces are printed for bugs (exit 70); keep them readable.
      keepNames: true,
      metafile: true,
      logLevel: "warning",
    });
    // The sources, and the lock file for the packages built in (npm ci and npm install rebuild).
    const inputs = [...Object.keys(result.metafile.inputs).filter((input) => !input.includes("node_modules/")), "package-lock.json"]
      .map((input) => relative(REPO_ROOT, resolve(REPO_ROOT, input)))
      .map((path) => before.get(path) ?? inputOf(path));
    writeFileSync(join(staging, "inputs.json"), `${JSON.stringify({ inputs }, null, 2)}\n`);
    writeFileSync(join(staging, "metafile.json"), JSON.stringify(result.metafile));
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    return inputs;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function inputOf(path: string): BuiltInput {
  const stat = statSync(join(REPO_ROOT, path));
  return { path, size: stat.size, mtimeMs: stat.mtimeMs };
}

/** The files under a folder of the repository, relative to its root. */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const inputs = await buildCli();
  console.error(`stock-rsi: built ${relative(process.cwd(), CLI_BUILD_DIR) || "."} from ${inputs.length} source files`);
}

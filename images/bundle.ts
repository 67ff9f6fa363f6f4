/**
 * Bundles each step's entry point (`steps/<step>/main.ts`) into one ES module, laid out as the
 * files its image adds on top of the Node base:
 *
 *     <out>/<step>/opt/stock-rsi/stock-rsi.mjs        the step's code and its npm dependencies, one file
 *     <out>/<step>/opt/stock-rsi/better_sqlite3.node  only where the step stores into SQLite (persist)
 *     <out>/<step>/usr/local/bin/stock-rsi            the command the WorkflowTemplate runs
 *
 * A step's bundle holds only what its entry point reaches, so fetch carries yahoo-finance2 and no
 * database driver, and only persist carries a native addon: better-sqlite3's Node-API binary for
 * the platform bundling runs on, which works on every Node from 22 on. The Dockerfile's build
 * stage runs this on the image's platform; `npm run bundle` runs it anywhere.
 *
 *     tsx images/bundle.ts [--out build/bundles] [--node /nodejs/bin/node] [step ...]
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build, type Metafile, type Plugin } from "esbuild";
import { pipeline, type StepName } from "../steps/pipeline.ts";

export const REPO_ROOT = resolve(import.meta.dirname, "..");
/** Where the distroless Node base keeps its `node`; the launcher's shebang points here. */
export const DEFAULT_NODE_PATH = "/nodejs/bin/node";
/** Inside the image: the bundle's directory and the command on `PATH`. */
export const BUNDLE_DIR = "/opt/stock-rsi";
export const BUNDLE_FILE = "stock-rsi.mjs";
export const COMMAND_PATH = "/usr/local/bin/stock-rsi";

/**
 * npm packages that load a compiled addon: the file name the addon gets beside the bundle, and
 * where to find it. A bundle that reaches one of them gets that file beside it; any other `.node`
 * file stops the build (esbuild has no loader for it), so an unexpected addon cannot slip in
 * unnoticed.
 */
const NATIVE_ADDONS: Readonly<Record<string, { readonly file: string; readonly source: () => string | null }>> = {
  "better-sqlite3": { file: "better_sqlite3.node", source: betterSqlite3Addon },
};

/**
 * better-sqlite3 13 ships prebuilt Node-API binaries (`prebuilds/<platform>-<arch>.node`, musl
 * told apart from glibc), and its `lib/binding.js` picks the one for this machine, unless one was
 * compiled on purpose into `build/Release`. Asking that file keeps its choice in one place.
 */
function betterSqlite3Addon(): string | null {
  const dir = packageDir("better-sqlite3");
  const compiled = join(dir, "build/Release/better_sqlite3.node");
  if (existsSync(compiled)) return compiled;
  const binding = createRequire(join(REPO_ROOT, "package.json"))(join(dir, "lib/binding.js")) as { getPrebuildPath(): string | null };
  return binding.getPrebuildPath();
}

export interface StepBundle {
  readonly step: StepName;
  /** The directory whose contents are copied onto the image's `/`. */
  readonly root: string;
  readonly bundleBytes: number;
  /** Addon files copied beside the bundle, e.g. `better_sqlite3.node`. */
  readonly nativeAddons: readonly string[];
  /** npm packages inside the bundle, by bytes of output, largest first. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
  /** The repository's own source files inside the bundle, relative to the root, sorted. */
  readonly sources: readonly string[];
}

export interface BundleOptions {
  /** Where the per-step trees go; each step's tree is replaced. */
  readonly outDir: string;
  /** The absolute path of `node` in the image (the launcher's shebang). */
  readonly nodePath?: string;
}

/** Bundles one step; see the file comment for the layout. */
export async function bundleStep(step: StepName, options: BundleOptions): Promise<StepBundle> {
  const nodePath = options.nodePath ?? DEFAULT_NODE_PATH;
  if (!nodePath.startsWith("/")) throw new Error(`--node: ${nodePath} is not an absolute path (a shebang needs one)`);
  const root = join(options.outDir, step);
  const bundleDir = join(root, BUNDLE_DIR);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(bundleDir, { recursive: true });

  const result = await build({
    entryPoints: [join(REPO_ROOT, "steps", step, "main.ts")],
    outfile: join(bundleDir, BUNDLE_FILE),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    minify: true,
    // Stack traces are printed for bugs (exit 70); keep function and class names readable.
    keepNames: true,
    metafile: true,
    // Paths in the metafile are relative to this.
    absWorkingDir: REPO_ROOT,
    logLevel: "warning",
    // CommonJS dependencies (commander, better-sqlite3, mysql2) call `require`; an ES module has
    // none, so the bundle makes one that resolves beside the bundle file.
    banner: { js: 'import { createRequire as __stockRsiCreateRequire } from "node:module"; const require = __stockRsiCreateRequire(import.meta.url);' },
    plugins: [addonsBesideTheBundle],
  });

  const packages = packagesIn(result.metafile);
  const sources = Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes("node_modules/") && !input.startsWith("<"))
    .map((input) => relative(REPO_ROOT, resolve(REPO_ROOT, input)))
    .sort();
  const nativeAddons: string[] = [];
  for (const [name, { file, source }] of Object.entries(NATIVE_ADDONS)) {
    if (!packages.some((p) => p.name === name)) continue;
    const from = source();
    if (!from || !existsSync(from)) throw new Error(`${name}: no native addon for ${process.platform}-${process.arch} (${from ?? "none shipped"}); run npm ci first`);
    copyFileSync(from, join(bundleDir, file));
    nativeAddons.push(file);
  }

  const command = join(root, COMMAND_PATH);
  mkdirSync(dirname(command), { recursive: true });
  writeFileSync(command, launcher(nodePath));
  chmodSync(command, 0o755);

  return { step, root, bundleBytes: statSync(join(bundleDir, BUNDLE_FILE)).size, nativeAddons, packages, sources };
}

/**
 * The `stock-rsi` on the image's `PATH`. The base has no shell, so the kernel runs it through its
 * absolute shebang; it is CommonJS (no extension, no package.json), and loads the ES module bundle
 * with a dynamic import. A bundle that cannot even load is a bug: exit 70, as errors.ts says.
 */
export function launcher(nodePath: string): string {
  return `#!${nodePath}
// stock-rsi: runs this image's step (${BUNDLE_DIR}/${BUNDLE_FILE}); built by images/bundle.ts.
import(${JSON.stringify(`${BUNDLE_DIR}/${BUNDLE_FILE}`)}).catch((err) => {
  process.stderr.write(\`stock-rsi: internal error (a bug; please report it):\\n\${err?.stack ?? err}\\n\`);
  process.exitCode = 70;
});
`;
}

/**
 * better-sqlite3 finds its addon in `lib/binding.js`, by paths relative to that file: in a bundle
 * there is no such file. This replaces it with a loader that requires the addon from beside the
 * bundle, where `bundleStep` puts it.
 */
const addonsBesideTheBundle: Plugin = {
  name: "addons-beside-the-bundle",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/binding$/ }, (args) =>
      /[\\/]better-sqlite3[\\/]lib$/.test(args.resolveDir) ? { path: "better-sqlite3-binding", namespace: "addon-beside-bundle" } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "addon-beside-bundle" }, () => ({
      // The path is built in a variable: a literal path would make esbuild try to bundle the addon.
      contents: `let addon; exports.getBinding = () => { const beside = "./${NATIVE_ADDONS["better-sqlite3"]!.file}"; return (addon ??= require(beside)); };`,
      loader: "js",
    }));
  },
};

function packagesIn(metafile: Metafile): StepBundle["packages"] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) bytes.set(match[1]!, (bytes.get(match[1]!) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([name, n]) => ({ name, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}

function packageDir(name: string): string {
  return dirname(createRequire(join(REPO_ROOT, "package.json")).resolve(`${name}/package.json`));
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { out: { type: "string", default: join(REPO_ROOT, "build/bundles") }, node: { type: "string", default: DEFAULT_NODE_PATH } },
    allowPositionals: true,
  });
  const known = pipeline.steps.map((s) => s.name);
  const unknown = positionals.filter((s) => !known.includes(s as StepName));
  if (unknown.length > 0) throw new Error(`unknown step ${unknown.join(", ")}; the steps are ${known.join(", ")}`);
  const steps = positionals.length > 0 ? (positionals as StepName[]) : known;
  for (const step of steps) {
    const b = await bundleStep(step, { outDir: resolve(values.out), nodePath: values.node });
    const top = b.packages.slice(0, 4).map((p) => `${p.name} ${kib(p.bytes)}`).join(", ");
    const addons = b.nativeAddons.length > 0 ? ` + ${b.nativeAddons.join(", ")}` : "";
    console.error(`bundle ${step}: ${kib(b.bundleBytes)}${addons} (largest: ${top})`);
  }
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await main(process.argv.slice(2));
}

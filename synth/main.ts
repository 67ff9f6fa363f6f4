/**
 * The cdk8s app: `npm run synth` runs it and writes `dist/` (`synth:check` runs it through
 * `cdk8s synth --output DIR`). It reads the deployment config, the user's symbols file and the
 * recorded image digests, checks them, and instantiates the charts.
 *
 * The output directory is replaced whole or not at all: the charts are rendered into a new
 * directory beside it, which is renamed into its place once every file is written. A symbols file
 * or digests file synth refuses (one line naming it, exit 2), or a bug, leaves the committed
 * `dist/` as it was. `npx cdk8s synth` deletes its output directory before it starts the app
 * (cdk8s-cli 2.207.60, lib/cli/cmds/synth.js: `fs.rmSync(outdir, ...)`), so it would not:
 * `npm run synth` runs the app itself.
 */
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { App } from "cdk8s";
import { printable } from "../steps/command-line/io.ts";
import { UserError } from "../steps/domain/errors.ts";
import { parseSymbols } from "../steps/domain/symbols.ts";
import { backfillPipeline, pipeline } from "../steps/pipeline.ts";
import { defineStockRsi, imageName } from "../workflows/stock-rsi.ts";
import { defaultConfig } from "./config.ts";
import { readImageDigests, refuseUnrenderedNames } from "./image-digests.ts";

const REPO_ROOT = resolve(import.meta.dirname, "..");
// cdk8s-cli says where to write (`--output`); `npm run synth` writes dist/.
const outdir = resolve(process.env.CDK8S_OUTDIR ?? join(REPO_ROOT, "dist"));

try {
  const written = synthesizeInto(outdir);
  const shown = relative(process.cwd(), outdir);
  process.stderr.write(`synth: wrote ${written} manifests to ${shown === "" || shown.startsWith("..") ? outdir : shown}/\n`);
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  process.stderr.write(`synth: ${printable(err.message)}\n`);
  process.exitCode = err.exitCode;
}

/** Checks the inputs, renders the charts beside `outdir`, then puts them in its place; returns how many files. */
function synthesizeInto(outdir: string): number {
  const config = defaultConfig;
  const symbols = readSymbols(config.symbolsFile);
  // A list the fetch step would refuse must not reach the cluster: check it now, with its line number.
  parseSymbols(symbols, config.symbolsFile);
  const digests = readImageDigests();
  refuseUnrenderedNames(
    digests,
    pipeline.steps.map((step) => imageName(step.name, config.images)),
  );

  const staging = mkdtempSync(join(dirname(outdir), `.${basename(outdir)}-`));
  try {
    const app = new App({ outdir: staging });
    defineStockRsi(app, { config: { ...config, images: { ...config.images, digests } }, definition: pipeline, backfill: backfillPipeline, inputFiles: { symbols } });
    app.synth();
    const written = readdirSync(staging).length;
    replaceDirectory(outdir, staging);
    return written;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function readSymbols(symbolsFile: string): string {
  try {
    return readFileSync(resolve(REPO_ROOT, symbolsFile), "utf8");
  } catch (err) {
    throw new UserError(`${symbolsFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); synth/config.ts's symbolsFile names the symbols list, one ticker per line`);
  }
}

/** Two renames: whatever stops the process between them leaves the old directory beside the target, whole. */
function replaceDirectory(target: string, replacement: string): void {
  const old = `${replacement}.old`;
  try {
    renameSync(target, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  renameSync(replacement, target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The cdk8s app: `npx cdk8s synth` (or `npm run synth`) runs this and writes `dist/`.
 * It reads the deployment config and the user's symbols file and instantiates the charts.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { App } from "cdk8s";
import { parseSymbols } from "../steps/domain/symbols.ts";
import { backfillPipeline, pipeline } from "../steps/pipeline.ts";
import { defineStockRsi } from "../workflows/stock-rsi.ts";
import { defaultConfig } from "./config.ts";

const REPO_ROOT = resolve(import.meta.dirname, "..");

const config = defaultConfig;
const symbolsPath = resolve(REPO_ROOT, config.symbolsFile);
const symbols = readFileSync(symbolsPath, "utf8");
// A list the fetch step would refuse must not reach the cluster: check it now, with its line number.
parseSymbols(symbols, config.symbolsFile);

const app = new App();
defineStockRsi(app, { config, definition: pipeline, backfill: backfillPipeline, inputFiles: { symbols } });
app.synth();

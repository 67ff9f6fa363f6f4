/**
 * `npm run bench:artifacts`: what one daily run leaves in the artifact store, and how long the
 * in-cluster store lasts. The WorkflowTemplate in dist/ runs on this machine (the tests' Argo DAG
 * runner, test/support/argo-dag-runner.ts) over the user's 180 symbols, fetched from the Yahoo
 * double (test/support/yahoo-double.ts: Yahoo's answers, closes as float32 values as Yahoo sends
 * them, which is what makes prices.json as long as a real day's); the output
 * artifacts are what each step's wait container uploads (not archived, so their bytes are the
 * files' bytes). Output parameters live in the workflow object, not in the store.
 *
 * Then, from dist/ and the deployment config: the store's capacity (`-volume.max` volumes of
 * `-master.volumeSizeLimitMB`), the most runs Argo keeps (and so the most runs whose artifacts
 * exist: they are collected when a run is deleted), and how long the store would take to fill
 * without that collection (with it, it does not fill).
 *
 *     npm run bench:artifacts
 *     npm run bench:artifacts -- --as-of 2021-05-17 --symbols symbols
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runDag, workflowInDist, type ContainerRun, type ProcessResult } from "../test/support/argo-dag-runner.ts";
import { BIN, exec, tempDir, USER_SYMBOLS } from "../test/support/cli.ts";
import { YahooDouble } from "../test/support/yahoo-double.ts";
import { loadManifests } from "../test/synth/support/manifests.ts";

const { values } = parseArgs({ options: { "as-of": { type: "string", default: "2021-05-17" }, symbols: { type: "string" } } });
const symbolsFile = values.symbols ? resolve(values.symbols) : USER_SYMBOLS;
const MiB = 1024 * 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading parsed YAML
type Any = Record<string, any>;

/** This machine as the container runtime, as test/workflows/dag-local-run.test.ts has it; MySQL becomes a SQLite file. */
function onThisMachine(dbFile: string, yahooUrl: string) {
  return (container: ContainerRun): Promise<ProcessResult> => {
    const hostPaths = new Map([...container.inputs, ...container.outputs].map((file) => [file.path, file.hostPath]));
    const [, ...args] = container.argv.map((word) => hostPaths.get(word) ?? word);
    const mapped = args.map((word, i) => (args[i - 1] === "--db" && word.startsWith("mysql://") ? `sqlite:${dbFile}` : word));
    return exec(process.execPath, [BIN, ...mapped], { env: { ...process.env, STOCK_RSI_YAHOO_URL: yahooUrl, ...container.env } });
  };
}

const work = tempDir("stock-rsi-bench-artifacts-");
const yahoo = await YahooDouble.start();
try {
  const { readFileSync } = await import("node:fs");
  const result = await runDag({
    ...workflowInDist(),
    parameters: { source: "yahoo", "as-of": values["as-of"], symbols: readFileSync(symbolsFile, "utf8") },
    workDir: work.path,
    workflowName: "stock-rsi-bench",
    run: onThisMachine(`${work.path}/rsi.db`, yahoo.url),
    sleep: async () => undefined,
  });
  if (result.phase !== "Succeeded") throw new Error(`the run failed: ${result.tasks.map((t) => `${t.name} ${t.phase}`).join(", ")}`);

  const symbols = result.outputs.ranking!.trim().split("\n").length;
  console.log(`One daily run of ${symbols} ranked symbols (as of ${values["as-of"]}, from the Yahoo double), artifacts uploaded:`);
  let total = 0;
  for (const task of result.tasks) {
    for (const [name, file] of Object.entries(task.outputArtifacts)) {
      const bytes = statSync(file).size;
      total += bytes;
      console.log(`  ${task.name.padEnd(12)} ${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB`);
    }
  }
  console.log(`  total                   ${(total / 1024).toFixed(1).padStart(8)} KiB = ${(total / MiB).toFixed(2)} MiB per run`);

  const objects = loadManifests().map((m) => m.object as Any);
  const find = (kind: string, name?: string): Any => {
    const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
    if (!found) throw new Error(`dist/ holds no ${kind} ${name ?? ""}: run \`npm run synth\``);
    return found;
  };
  const store = find("Deployment", "artifact-store");
  const args = store.spec.template.spec.containers[0].args as string[];
  const flag = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`-${name}=`))?.split("=")[1] ?? fallback);
  const volumeMiB = flag("master.volumeSizeLimitMB", 30_000);
  const volumes = flag("volume.max", 8);
  const capacity = volumes * volumeMiB * MiB;
  const oldCapacity = 8 * volumeMiB * MiB;
  const spec = find("WorkflowTemplate", "stock-rsi").spec;
  const cron = find("CronWorkflow").spec;
  const weekdays = (seconds: number) => Math.floor((seconds / 86_400) * (5 / 7)) + 1;
  // A run lives until its TTL, or until the CronWorkflow's history limit deletes it sooner.
  const succeededKept = Math.min(cron.successfulJobsHistoryLimit, weekdays(spec.ttlStrategy.secondsAfterSuccess));
  const failedKept = Math.min(cron.failedJobsHistoryLimit, weekdays(spec.ttlStrategy.secondsAfterFailure));
  const runsPerYear = 52 * 5;
  console.log();
  console.log(`The in-cluster store: ${volumes} volumes of ${volumeMiB} MiB = ${(capacity / 1024 / MiB).toFixed(2)} GiB (was 8 volumes = ${(oldCapacity / 1024 / MiB).toFixed(0)} GiB)`);
  console.log(`Scheduled runs Argo keeps at most: ${succeededKept} succeeded (TTL ${spec.ttlStrategy.secondsAfterSuccess / 86_400} days, history ${cron.successfulJobsHistoryLimit}) + ${failedKept} failed (TTL ${spec.ttlStrategy.secondsAfterFailure / 86_400} days, history ${cron.failedJobsHistoryLimit})`);
  console.log(`  their artifacts, collected when they are deleted: at most ${(((succeededKept + failedKept) * total) / MiB).toFixed(1)} MiB`);
  console.log(`Without collection, one run a weekday: full after ${Math.floor(capacity / total)} runs, about ${(capacity / total / runsPerYear).toFixed(1)} years (the old 8 volumes: ${(oldCapacity / total / runsPerYear).toFixed(1)} years)`);
} finally {
  await yahoo.close();
  work.cleanup();
}

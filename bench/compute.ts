/**
 * `npm run bench:compute`: how long and how much memory each step takes as a whole process, the
 * way Argo runs it, against short scripts doing the same job the usual way; and how long the
 * command line takes to start.
 *
 * - compute-rsi (wilder) against `reference/rsi-technicalindicators.mjs`, and validate against
 *   `reference/parse-and-check.mjs`, on the same files: prices artifacts of N symbols × 252 bars
 *   from the sample source, for N = 5,000 and 20,000;
 * - `stock-rsi <subcommand> --help` through the package's bin, against `node -e 0`;
 * - the four steps of `stock-rsi run --source sample`, each as its own process, for 180 and 5,000
 *   symbols.
 *
 * Each pair is run alternately, `--runs` times, and the medians are printed as Markdown tables:
 * wall time, CPU (user + system) and peak RSS, from GNU time (`/usr/bin/time`, Debian's `time`
 * package). Figures depend on the machine and its load, which is printed with them; nothing is
 * asserted.
 *
 *     npm run bench:compute
 *     npm run bench:compute -- --sizes 5000 --runs 3 --node /path/to/node
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PRICES } from "../steps/domain/artifacts.ts";
import { MAX_SYMBOLS } from "../steps/domain/symbols.ts";
import { ArtifactWriter, readArtifactStream } from "../steps/files/artifact-files.ts";
import { guardOutputs } from "../steps/files/output-files.ts";
import { syntheticSymbols } from "../test/support/yahoo-double.ts";

/** A file to write, declared as a command declares its outputs. */
const outputFile = (path: string) => guardOutputs({ outputs: [{ flag: "--out", path }] }).open(path);

const REPO_ROOT = resolve(import.meta.dirname, "..");
const BIN = join(REPO_ROOT, "bin/stock-rsi.mjs");
const REFERENCE = join(REPO_ROOT, "bench/reference");
const AS_OF = "2021-05-17";
/** 353 days back from 2021-05-17, both ends included, hold 252 weekdays: a trading year. */
const LOOKBACK_DAYS = "353";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "5000,20000" },
    runs: { type: "string", default: "5" },
    node: { type: "string", default: process.execPath },
  },
});
const node = values.node;
const runs = Number(values.runs);

interface Measure {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMiB: number;
}

/** Runs a command under GNU time; throws when it fails. */
function measure(command: string, args: readonly string[]): Measure {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", command, ...args], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  const [wall, user, system, rssKiB] = last.split(" ").map(Number) as [number, number, number, number];
  return { wall, cpu: user + system, rssMiB: rssKiB / 1024 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = (ms: readonly Measure[]): Measure => ({ wall: median(ms.map((m) => m.wall)), cpu: median(ms.map((m) => m.cpu)), rssMiB: median(ms.map((m) => m.rssMiB)) });

/** Runs the commands in turn, `runs` times round, and returns each one's medians. */
function alternate(commands: ReadonlyArray<readonly [string, readonly string[]]>): Measure[] {
  const all: Measure[][] = commands.map(() => []);
  for (let r = 0; r < runs; r++) commands.forEach(([command, args], i) => all[i]!.push(measure(command, args)));
  return all.map(medians);
}

/**
 * A prices artifact of `symbols` from the sample source, written by the fetch step itself. A run
 * takes at most MAX_SYMBOLS symbols, so a larger universe is fetched in lists of that size and
 * their series are joined, a series at a time, into one artifact: what one fetch would write.
 */
function samplePrices(symbols: readonly string[], out: string): void {
  const parts: string[] = [];
  for (let i = 0; i < symbols.length; i += MAX_SYMBOLS) {
    const list = join(dir, `symbols-part-${parts.length}.txt`);
    writeFileSync(list, symbols.slice(i, i + MAX_SYMBOLS).join("\n") + "\n");
    const part = `${out}.part-${parts.length}`;
    measure(node, [BIN, "fetch", "--symbols", list, "--source", "sample", "--as-of", AS_OF, "--lookback-days", LOOKBACK_DAYS, "--out", part]);
    parts.push(part);
  }
  if (parts.length === 1) return renameSync(parts[0]!, out);
  const writer = new ArtifactWriter(outputFile(out));
  const tail: Record<string, unknown> = {};
  parts.forEach((part, i) => {
    const artifact = readArtifactStream(part, PRICES, "the bench", {
      head: (head) => {
        if (i > 0) return;
        for (const [key, value] of Object.entries(head)) writer.member(key, value);
        writer.beginArray(PRICES.streamed);
      },
      element: (series) => void writer.element(series),
    });
    const after = Object.keys(artifact).slice(Object.keys(artifact).indexOf(PRICES.streamed) + 1);
    for (const key of after) {
      const value = (artifact as Record<string, unknown>)[key];
      tail[key] = Array.isArray(value) ? [...((tail[key] as unknown[] | undefined) ?? []), ...value] : value;
    }
    rmSync(part);
  });
  writer.endArray();
  for (const [key, value] of Object.entries(tail)) writer.member(key, value);
  writer.close();
}

const s = (x: number) => `${x.toFixed(2)} s`;
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-"));
try {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  console.log(`Node ${version}, ${runs} alternated runs each, medians; load average before: ${load()}\n`);

  console.log("| symbols | prices file | step | wall | CPU | peak RSS | reference | wall | CPU | peak RSS | wall ratio | CPU ratio |");
  console.log("| --: | --: | --- | --: | --: | --: | --- | --: | --: | --: | --: | --: |");
  for (const size of values.sizes.split(",").map(Number)) {
    const prices = join(dir, `prices-${size}.json`);
    const rsi = join(dir, `rsi-${size}.json`);
    samplePrices(syntheticSymbols(size), prices);
    const size_ = `${(statSync(prices).size / 2 ** 20).toFixed(0)} MiB`;
    const [compute, reference] = alternate([
      [node, [BIN, "compute-rsi", "--in", prices, "--out", rsi, "--method", "wilder"]],
      [node, [join(REFERENCE, "rsi-technicalindicators.mjs"), prices, join(dir, "reference-rsi.json")]],
    ]);
    console.log(`| ${size} | ${size_} | compute-rsi --method wilder | ${s(compute!.wall)} | ${s(compute!.cpu)} | ${mib(compute!.rssMiB)} | technicalindicators | ${s(reference!.wall)} | ${s(reference!.cpu)} | ${mib(reference!.rssMiB)} | ${ratio(compute!.wall, reference!.wall)} | ${ratio(compute!.cpu, reference!.cpu)} |`);
    const rsiSize = `${(statSync(rsi).size / 2 ** 20).toFixed(1)} MiB`;
    const [validate, check] = alternate([
      [node, [BIN, "validate", "--in", rsi, "--out", join(dir, "validated.json"), "--max-stale-days", "3"]],
      [node, [join(REFERENCE, "parse-and-check.mjs"), rsi]],
    ]);
    console.log(`| ${size} | ${rsiSize} (rsi) | validate | ${s(validate!.wall)} | ${s(validate!.cpu)} | ${mib(validate!.rssMiB)} | parse and check | ${s(check!.wall)} | ${s(check!.cpu)} | ${mib(check!.rssMiB)} | ${ratio(validate!.wall, check!.wall)} | ${ratio(validate!.cpu, check!.cpu)} |`);
  }

  console.log(`\nStart-up, load average before: ${load()}\n`);
  console.log("| command | wall | CPU | against `node -e 0` (wall, CPU) |");
  console.log("| --- | --: | --: | --: |");
  const subcommands = [[], ["fetch"], ["compute-rsi"], ["validate"], ["persist"], ["run"], ["history"]];
  const measured = alternate([[node, ["-e", "0"]], ...subcommands.map((sub) => [node, [BIN, ...sub, "--help"]] as const)]);
  const bare = measured[0]!;
  console.log(`| \`node -e 0\` | ${s(bare.wall)} | ${s(bare.cpu)} | |`);
  subcommands.forEach((sub, i) => {
    const m = measured[i + 1]!;
    console.log(`| \`stock-rsi ${[...sub, "--help"].join(" ")}\` | ${s(m.wall)} | ${s(m.cpu)} | ${ratio(m.wall, bare.wall)}, ${ratio(m.cpu, bare.cpu)} |`);
  });

  console.log(`\nThe steps of \`run --source sample\` (--lookback-days 91, --no-store), each its own process; load average before: ${load()}\n`);
  console.log("| symbols | fetch | compute-rsi | validate | persist | all four | `run` in one process |");
  console.log("| --: | --: | --: | --: | --: | --: | --: |");
  for (const size of [180, 5000]) {
    const symbols = size === 180 ? join(REPO_ROOT, "symbols") : join(dir, `symbols-${size}.txt`);
    if (size !== 180) writeFileSync(symbols, syntheticSymbols(size).join("\n") + "\n");
    const a = (f: string) => join(dir, `run-${size}-${f}`);
    const steps = alternate([
      [node, [BIN, "fetch", "--symbols", symbols, "--source", "sample", "--as-of", AS_OF, "--out", a("prices.json")]],
      [node, [BIN, "compute-rsi", "--in", a("prices.json"), "--out", a("rsi.json")]],
      [node, [BIN, "validate", "--in", a("rsi.json"), "--out", a("validated.json")]],
      [node, [BIN, "persist", "--in", a("validated.json"), "--no-store"]],
      [node, [BIN, "run", symbols, "--source", "sample", "--as-of", AS_OF, "--no-store"]],
    ]);
    const cell = (m: Measure) => `${s(m.wall)} (${s(m.cpu)} CPU, ${mib(m.rssMiB)})`;
    const total = steps.slice(0, 4).reduce((sum, m) => sum + m.wall, 0);
    console.log(`| ${size} | ${steps.slice(0, 4).map(cell).join(" | ")} | ${s(total)} | ${cell(steps[4]!)} |`);
  }
  console.log(`\nload average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

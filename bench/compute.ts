/**
 * `npm run bench:compute`: how long and how much memory each step takes as a whole process, the
 * way Argo runs it, against short scripts doing the same job the usual way and against the floor
 * under them; and how long the command line takes to start.
 *
 * - compute-rsi (wilder) against `reference/rsi-technicalindicators.mjs`, and validate against
 *   `reference/parse-and-check.mjs`, on the same files: prices artifacts of N symbols × 252 bars
 *   from the sample source, for N = 5,000 and 20,000; beside both, `reference/read-and-parse.mjs`,
 *   which reads the same file and `JSON.parse`s it and does nothing else (the floor);
 * - compute-rsi on two shapes of bar: `date` and `close`, what fetch writes; and Yahoo's full bars
 *   (`open`, `high`, `low`, `close`, `adjclose`, `volume` as float32 doubles, the way Yahoo's chart
 *   answer carries them), once in the order of Yahoo's CSV download and once with `close` second;
 * - `stock-rsi <subcommand> --help` through the package's bin, against `node -e 0`;
 * - the four steps of `stock-rsi run --source sample`, each as its own process, for 180 and 5,000
 *   symbols.
 *
 * Each group is run alternately, `--runs` times, and printed as Markdown tables: medians of wall
 * time, CPU (user + system) and peak RSS, from GNU time (`/usr/bin/time`, Debian's `time`
 * package), with the fastest and slowest wall time, and each ratio as the ratio of the medians with
 * the range of the ratios within one round. Figures depend on the machine and its load, which is
 * printed with them; nothing is asserted.
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

/**
 * Runs a command under GNU time; throws when it fails. CPU and peak RSS are GNU time's (CPU to
 * 10 ms); the wall time is taken here, to the microsecond, since a step that is mostly start-up
 * takes a few tens of milliseconds.
 */
function measure(command: string, args: readonly string[]): Measure {
  const start = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", command, ...args], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  const [, user, system, rssKiB] = last.split(" ").map(Number) as [number, number, number, number];
  return { wall, cpu: user + system, rssMiB: rssKiB / 1024 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One command's medians, and every round's measure (round r of each command ran together). */
interface Measured extends Measure {
  readonly rounds: readonly Measure[];
}

const medians = (ms: readonly Measure[]): Measured => ({
  wall: median(ms.map((m) => m.wall)),
  cpu: median(ms.map((m) => m.cpu)),
  rssMiB: median(ms.map((m) => m.rssMiB)),
  rounds: ms,
});

/** Runs the commands in turn, `runs` times round, and returns each one's medians. */
function alternate(commands: ReadonlyArray<readonly [string, readonly string[]]>): Measured[] {
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

/**
 * Yahoo's full bars from a prices artifact of closes: each bar also holds the day's open, high, low,
 * adjusted close and volume, and every price is a float32 widened to a double, as Yahoo's chart
 * answer carries them (`281.6600036621094`). The other prices are made from the close; the RSI
 * reads only the close, so what matters is the bytes and fields there are to read.
 */
function fullBars(input: string, out: string, closeSecond: boolean): void {
  const writer = new ArtifactWriter(outputFile(out));
  let n = 0;
  const artifact = readArtifactStream(input, PRICES, "the bench", {
    head: (head) => {
      for (const [key, value] of Object.entries(head)) writer.member(key, value);
      writer.beginArray(PRICES.streamed);
    },
    element: ({ symbol, bars }) => {
      const full = bars.map(({ date, close }) => {
        const price = (factor: number) => (close === null ? null : Math.fround(close * factor));
        const [open, high, low, adjclose, volume] = [price(0.997), price(1.012), price(0.988), price(0.981), close === null ? null : 1_000_000 + ((++n * 7919) % 9_000_000)];
        return closeSecond ? { date, close: price(1), open, high, low, adjclose, volume } : { date, open, high, low, close: price(1), adjclose, volume };
      });
      writer.element({ symbol, bars: full });
    },
  });
  writer.endArray();
  const head = new Set([...PRICES.before, PRICES.streamed]);
  for (const [key, value] of Object.entries(artifact)) if (!head.has(key)) writer.member(key, value);
  writer.close();
}

/**
 * A file above this size cannot be read the usual way: `readFileSync(..., "utf8")` would make a
 * string longer than V8 allows (about 512 MiB). Yahoo's full bars for 20,000 symbols are 1.3 GB.
 */
const STRING_LIMIT_BYTES = 500 * 2 ** 20;

const s = (x: number) => `${x.toFixed(2)} s`;
const ms = (x: number) => `${(x * 1000).toFixed(0)} ms`;
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
/** Median wall with the fastest and slowest, median CPU, median peak RSS. */
const cell = (m: Measured) => {
  const walls = m.rounds.map((r) => r.wall);
  return `${ms(m.wall)} (${ms(Math.min(...walls))}-${ms(Math.max(...walls))}), ${s(m.cpu)}, ${mib(m.rssMiB)}`;
};
/** The ratio of the medians, with the range of the ratios within one round; wall, then CPU. */
const against = (a: Measured, b: Measured) =>
  (["wall", "cpu"] as const)
    .map((k) => {
      const rounds = a.rounds.map((r, i) => r[k] / b.rounds[i]![k]);
      return `${ratio(a[k], b[k])} (${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)})`;
    })
    .join(", ");
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");

const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-"));
try {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  console.log(`Node ${version}, ${runs} alternated runs each, medians; load average before: ${load()}\n`);

  const floor = join(REFERENCE, "read-and-parse.mjs");
  const compute: string[] = [];
  const validate: string[] = [];
  for (const size of values.sizes.split(",").map(Number)) {
    const prices = join(dir, `prices-${size}.json`);
    samplePrices(syntheticSymbols(size), prices);
    const shapes: Array<readonly [string, string]> = [["`date`, `close` (what fetch writes)", prices]];
    if (size <= 5000) {
      for (const [name, closeSecond] of [["Yahoo's full bars", false], ["Yahoo's full bars, `close` second", true]] as const) {
        const file = join(dir, `prices-${size}-${closeSecond ? "close-second" : "full"}.json`);
        fullBars(prices, file, closeSecond);
        shapes.push([name, file]);
      }
    }
    for (const [shape, file] of shapes) {
      const bytes = statSync(file).size;
      const size_ = `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      const step: readonly [string, readonly string[]] = [node, [BIN, "compute-rsi", "--in", file, "--out", join(dir, `rsi-${size}.json`), "--method", "wilder"]];
      if (bytes > STRING_LIMIT_BYTES) {
        const [alone] = alternate([step]);
        compute.push(`| ${size} | ${shape} | ${size_} | ${cell(alone!)} | cannot: over V8's string limit | cannot | | |`);
        continue;
      }
      const [rsi, reference, parsed] = alternate([
        step,
        [node, [join(REFERENCE, "rsi-technicalindicators.mjs"), file, join(dir, "reference-rsi.json")]],
        [node, [floor, file]],
      ]);
      compute.push(`| ${size} | ${shape} | ${size_} | ${cell(rsi!)} | ${cell(reference!)} | ${cell(parsed!)} | ${against(rsi!, reference!)} | ${against(rsi!, parsed!)} |`);
    }
    // The rsi artifact of the last shape: the same symbols, dates and values whichever shape it came from.
    const rsi = join(dir, `rsi-${size}.json`);
    const rsiSize = `${(statSync(rsi).size / 2 ** 20).toFixed(1)} MiB`;
    const [validated, check, parsed] = alternate([
      [node, [BIN, "validate", "--in", rsi, "--out", join(dir, "validated.json"), "--max-stale-days", "3"]],
      [node, [join(REFERENCE, "parse-and-check.mjs"), rsi]],
      [node, [floor, rsi]],
    ]);
    validate.push(`| ${size} | ${rsiSize} | ${cell(validated!)} | ${cell(check!)} | ${cell(parsed!)} | ${against(validated!, check!)} | ${against(validated!, parsed!)} |`);
  }
  console.log("Each cell: median wall (fastest-slowest), median CPU (to 10 ms), median peak RSS; each ratio: of the medians (range within one round), wall then CPU.\n");
  console.log("| symbols | bars | prices file | compute-rsi --method wilder | technicalindicators | read and JSON.parse | against technicalindicators | against read and JSON.parse |");
  console.log("| --: | --- | --: | --: | --: | --: | --: | --: |");
  for (const row of compute) console.log(row);
  console.log("\n| symbols | rsi file | validate | parse and check | read and JSON.parse | against parse and check | against read and JSON.parse |");
  console.log("| --: | --: | --: | --: | --: | --: | --: |");
  for (const row of validate) console.log(row);
  console.log(`\nload average after: ${load()}`);

  console.log(`\nStart-up, load average before: ${load()} (the ratios: of the medians, and their range within one round)\n`);
  console.log("| command | wall | CPU | against `node -e 0` (wall, CPU) |");
  console.log("| --- | --: | --: | --: |");
  const subcommands = [[], ["fetch"], ["compute-rsi"], ["validate"], ["persist"], ["run"], ["history"]];
  const measured = alternate([[node, ["-e", "0"]], ...subcommands.map((sub) => [node, [BIN, ...sub, "--help"]] as const)]);
  const bare = measured[0]!;
  console.log(`| \`node -e 0\` | ${ms(bare.wall)} | ${s(bare.cpu)} | |`);
  subcommands.forEach((sub, i) => {
    const m = measured[i + 1]!;
    console.log(`| \`stock-rsi ${[...sub, "--help"].join(" ")}\` | ${ms(m.wall)} | ${s(m.cpu)} | ${against(m, bare)} |`);
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
    const stepCell = (m: Measure) => `${s(m.wall)} (${s(m.cpu)} CPU, ${mib(m.rssMiB)})`;
    const total = steps.slice(0, 4).reduce((sum, m) => sum + m.wall, 0);
    console.log(`| ${size} | ${steps.slice(0, 4).map(stepCell).join(" | ")} | ${s(total)} | ${stepCell(steps[4]!)} |`);
  }
  console.log(`\nload average after: ${load()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

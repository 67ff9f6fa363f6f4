/**
 * The steps' outputs stay byte for byte what they were: the artifacts, the ranking, `--json`, the
 * summaries on stderr and the one-line refusals, for fixed inputs (the sample source on the user's
 * 180 symbols, and a hand-made prices file with the odd cases the contract allows).
 *
 * The expected files in test/fixtures/golden/ were recorded by this test, in record mode, from the
 * code as it was before the artifacts were streamed (see the README there). A change that is meant
 * to change an output re-records them (`STOCK_RSI_RECORD_GOLDEN=1 npx vitest run
 * test/steps/golden-outputs.test.ts`) and says why in its commit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { captureIo, REPO_ROOT, tempDir, USER_SYMBOLS } from "../support/cli.ts";

const GOLDEN = join(REPO_ROOT, "test/fixtures/golden");
const INPUTS = join(GOLDEN, "inputs");
const RECORD = process.env.STOCK_RSI_RECORD_GOLDEN === "1";
const AS_OF = "2021-05-17";

const work = tempDir("stock-rsi-golden-");
afterAll(() => work.cleanup());

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command line in-process; the work and inputs directories are written `$DIR`, `$INPUTS`. */
async function run(argv: readonly string[]): Promise<Outcome> {
  const io = captureIo();
  const code = await runCli(argv, io);
  const scrub = (text: string) => text.replaceAll(work.path, "$DIR").replaceAll(INPUTS, "$INPUTS");
  return { code, stdout: scrub(io.stdout()), stderr: scrub(io.stderr()) };
}

/** Compares (or, in record mode, records) one output; a `.gz` golden holds a large file compressed. */
function matchesGolden(name: string, actual: Buffer | string): void {
  const file = join(GOLDEN, name);
  const bytes = typeof actual === "string" ? Buffer.from(actual) : actual;
  if (RECORD) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, name.endsWith(".gz") ? gzipSync(bytes, { level: 9 }) : bytes);
    return;
  }
  expect(existsSync(file), `${name} is recorded`).toBe(true);
  const expected = name.endsWith(".gz") ? gunzipSync(readFileSync(file)) : readFileSync(file);
  // As text first, for a readable diff; then as bytes.
  expect(bytes.toString("utf8"), name).toBe(expected.toString("utf8"));
  expect(bytes.equals(expected), name).toBe(true);
}

const transcript = (r: Outcome) => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
const fileIn = (dir: string, file: string) => readFileSync(join(dir, file));

describe("outputs for the sample source on the user's 180 symbols", () => {
  it("run with the default method: every artifact, the ranking and the summaries", async () => {
    const dir = join(work.path, "sample-seed");
    const result = await run(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--no-store", "--artifacts-dir", dir]);
    expect(result.code).toBe(0);
    matchesGolden("sample/prices.json.gz", fileIn(dir, "prices.json"));
    for (const file of ["rsi.json", "validated.json", "ranking.txt", "failed-symbols.txt"]) matchesGolden(`sample/seed-${file}`, fileIn(dir, file));
    matchesGolden("sample/seed-run.txt", transcript(result));
  });

  it("run --method wilder --json, and cutler's ranking", async () => {
    const dir = join(work.path, "sample-wilder");
    const wilder = await run(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--no-store", "--method", "wilder", "--json", "--artifacts-dir", dir]);
    expect(wilder.code).toBe(0);
    matchesGolden("sample/wilder-rsi.json", fileIn(dir, "rsi.json"));
    matchesGolden("sample/wilder-validated.json", fileIn(dir, "validated.json"));
    matchesGolden("sample/wilder-run.txt", transcript(wilder));
    const cutler = await run(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--no-store", "--method", "cutler", "--period", "10", "--artifacts-dir", join(work.path, "sample-cutler")]);
    matchesGolden("sample/cutler-10-run.txt", transcript(cutler));
  });
});

describe("outputs for a hand-made prices file with the odd cases the contract allows", () => {
  const odd = join(INPUTS, "odd-prices.json");

  it("compute-rsi with each method", async () => {
    for (const method of ["seed", "wilder", "cutler"]) {
      const out = join(work.path, `odd-${method}-rsi.json`);
      const result = await run(["compute-rsi", "--in", odd, "--out", out, "--method", method]);
      matchesGolden(`odd/${method}-compute.txt`, transcript(result));
      matchesGolden(`odd/${method}-rsi.json`, readFileSync(out));
    }
  });

  it("validate, passing and failing, then persist's ranking and --json", async () => {
    const rsi = join(work.path, "odd-rsi.json");
    expect((await run(["compute-rsi", "--in", odd, "--out", rsi])).code).toBe(0);
    const validated = join(work.path, "odd-validated.json");
    const failed = join(work.path, "odd-failed.txt");
    const passing = await run(["validate", "--in", rsi, "--out", validated, "--failures-out", failed, "--max-failed-share", "0.9"]);
    expect(passing.code).toBe(0);
    matchesGolden("odd/validate-passing.txt", transcript(passing));
    matchesGolden("odd/validated-passing.json", readFileSync(validated));
    matchesGolden("odd/failed-symbols.txt", readFileSync(failed));

    const ranking = join(work.path, "odd-ranking.txt");
    const persist = await run(["persist", "--in", validated, "--no-store", "--ranking-out", ranking]);
    matchesGolden("odd/persist.txt", transcript(persist));
    matchesGolden("odd/ranking.txt", readFileSync(ranking));
    matchesGolden("odd/persist-json.txt", transcript(await run(["persist", "--in", validated, "--no-store", "--json"])));

    const strict = join(work.path, "odd-validated-strict.json");
    const failing = await run(["validate", "--in", rsi, "--out", strict]);
    expect(failing.code).toBe(1);
    matchesGolden("odd/validate-failing.txt", transcript(failing));
    matchesGolden("odd/validated-failing.json", readFileSync(strict));
  });

  it("fetch replaying it through the file: source", async () => {
    const out = join(work.path, "odd-replayed.json");
    const symbols = join(INPUTS, "odd-symbols.txt");
    // Relative, as the path is written into the artifact: the same in every checkout.
    const result = await run(["fetch", "--symbols", symbols, "--source", `file:${relative(process.cwd(), odd)}`, "--as-of", AS_OF, "--lookback-days", "60", "--out", out]);
    matchesGolden("odd/fetch-replay.txt", transcript(result));
    matchesGolden("odd/fetch-replay-prices.json", readFileSync(out));
  });
});

interface Refusal {
  readonly name: string;
  readonly step: "compute-rsi" | "validate" | "persist";
  /** The file the bad one is made from, by one edit. */
  readonly from: "prices" | "rsi" | "validated";
  readonly edit: (text: string) => string;
}

/** Artifacts with one thing wrong each; each is refused with exit 2 and one line. */
const REFUSALS: readonly Refusal[] = [
  { name: "bar-date-not-a-day", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"2021-03-02"', '"2021-02-30"') },
  { name: "bar-date-not-iso", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"2021-03-02"', '"2021-3-2"') },
  { name: "bar-date-number", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"2021-03-02"', "20210302") },
  { name: "bar-close-string", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"close":53.34', '"close":"53.34"') },
  { name: "bar-close-infinite", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"close":53.34', '"close":1e400') },
  { name: "bar-close-missing", step: "compute-rsi", from: "prices", edit: (t) => t.replace(',"close":53.34', "") },
  { name: "bar-not-object", step: "compute-rsi", from: "prices", edit: (t) => t.replace('{"date":"2021-03-02","close":53.34}', "[1,2]") },
  { name: "bars-descending", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"2021-03-02"', '"2021-02-26"') },
  { name: "bars-repeated-day", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"2021-03-02"', '"2021-03-01"') },
  { name: "bars-not-array", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"symbol":"EMPTY","bars":[]', '"symbol":"EMPTY","bars":{}') },
  { name: "series-symbol-empty", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"symbol":"GAPS"', '"symbol":""') },
  { name: "series-symbol-missing", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"symbol":"GAPS",', "") },
  { name: "series-null", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"series":[', '"series":[null,') },
  { name: "series-not-array", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"series":[', '"series":{"x":[').replace(',"source":"hand-made"', '},"source":"hand-made"') },
  { name: "prices-wrong-kind", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"kind":"prices"', '"kind":"rsi"') },
  { name: "prices-version-2", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"schemaVersion":1', '"schemaVersion":2') },
  { name: "prices-no-as-of", step: "compute-rsi", from: "prices", edit: (t) => t.replace(',"asOf":"2021-05-17"', "") },
  { name: "prices-failure-reason", step: "compute-rsi", from: "prices", edit: (t) => t.replace('"reason":"deadline"', '"reason":"late"') },
  { name: "prices-top-level-array", step: "compute-rsi", from: "prices", edit: () => "[]\n" },
  { name: "prices-empty-file", step: "compute-rsi", from: "prices", edit: () => "" },
  { name: "prices-truncated", step: "compute-rsi", from: "prices", edit: (t) => t.slice(0, 5000) },
  { name: "rsi-value-string", step: "validate", from: "rsi", edit: (t) => t.replace(/"rsi": ([\d.]+)/, '"rsi": "$1"') },
  { name: "rsi-date-bad", step: "validate", from: "rsi", edit: (t) => t.replace('"date": "2021-05-17"', '"date": "2021-05-17T00:00"') },
  { name: "rsi-method-unknown", step: "validate", from: "rsi", edit: (t) => t.replace('"method": "seed"', '"method": "ema"') },
  { name: "rsi-period-zero", step: "validate", from: "rsi", edit: (t) => t.replace('"period": 14', '"period": 0') },
  { name: "rsi-close-null", step: "validate", from: "rsi", edit: (t) => t.replace(/"close": [\d.]+/, '"close": null') },
  { name: "rsi-result-symbol-number", step: "validate", from: "rsi", edit: (t) => t.replace(/"symbol": "[A-Z]+"/, '"symbol": 7') },
  { name: "rsi-results-missing", step: "validate", from: "rsi", edit: (t) => t.replace('"results": [', '"others": [') },
  { name: "validated-passed-missing", step: "persist", from: "validated", edit: (t) => t.replace('"passed": true,', "") },
  { name: "validated-check-outcome", step: "persist", from: "validated", edit: (t) => t.replace('"outcome": "pass"', '"outcome": "ok"') },
  { name: "validated-trade-date", step: "persist", from: "validated", edit: (t) => t.replace('"tradeDate": "2021-05-17"', '"tradeDate": "yesterday"') },
];

function jsonParseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe("bad artifacts are refused with the same one line", () => {
  const originals = {
    prices: () => readFileSync(join(INPUTS, "odd-prices.json"), "utf8"),
    rsi: () => readFileSync(join(GOLDEN, "sample/seed-rsi.json"), "utf8"),
    validated: () => readFileSync(join(GOLDEN, "sample/seed-validated.json"), "utf8"),
  };
  it.each(REFUSALS)("$name", async ({ name, step, from, edit }) => {
    const original = originals[from]();
    const text = edit(original);
    expect(text, "the edit changed the file").not.toBe(original);
    const input = join(work.path, `${name}.json`);
    writeFileSync(input, text);
    const out = join(work.path, `${name}-out.json`);
    const refused = await run(step === "persist" ? [step, "--in", input, "--no-store"] : [step, "--in", input, "--out", out]);
    // JSON.parse's own words differ between Node versions (24 adds the line and column): the line
    // must quote whatever it says on this Node.
    const parseError = jsonParseError(text);
    const scrub = (s: string) => (parseError ? s.replaceAll(parseError, "$JSON_PARSE_MESSAGE") : s);
    const result = { ...refused, stderr: scrub(refused.stderr) };
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    matchesGolden(`refusals/${name}.txt`, transcript(result));
  });
});

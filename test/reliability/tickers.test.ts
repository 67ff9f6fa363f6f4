/**
 * One ticker rule, whatever path a symbol comes in by (issue 17, items 13 and 14).
 *
 * - `.`, `..`, `-`, `^` and `=` were taken as symbols: nothing to name, and odd Yahoo paths
 *   (`/v8/finance/chart/..` is the endpoint's parent). A ticker now needs a letter or a digit,
 *   in the symbols file, `history`'s arguments, a replayed prices file and the artifacts persist
 *   stores alike.
 * - The `file:` source matched its series with `toUpperCase()`: a series named `ıbm` (dotless ı)
 *   answered for IBM, and of `IBM` and `ibm` the later one silently won. It now reads a file's
 *   symbols by the symbols file's rule (characters checked before upper-casing) and refuses a
 *   symbol it holds twice.
 * - The artifacts between the steps were held to the rule by persist alone: a prices artifact
 *   naming `..`, `ibm`, an escape sequence or IBM twice went through compute-rsi and validate
 *   with exit 0 ("passed"), validate's `--failures-out` got the raw escape bytes and notify read
 *   them with exit 0. The artifact contract now takes only a stored ticker, each named once, and
 *   every step's reader refuses the rest with the field (both places of a repeat), exit 2,
 *   nothing written; notify refuses such a result file and sends the message without it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PricesArtifact, RsiArtifact, ValidatedArtifact } from "../../steps/domain/artifacts.ts";
import { startWebhookServer, type WebhookServer } from "../support/channel-doubles.ts";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectPrintable, expectRefusal } from "./support.ts";

const AS_OF = "2021-05-17";
const dir = tempDir("stock-rsi-tickers-");
afterAll(() => dir.cleanup());
const write = (name: string, content: string) => {
  const path = join(dir.path, name);
  writeFileSync(path, content);
  return path;
};
const NO_LETTER_OR_DIGIT = [".", "..", "-", "^", "=", "..^", "-=."];

/** The prices, rsi and validated artifacts for AAPL, IBM and MSFT, as the steps write them. */
let prices: PricesArtifact;
let rsi: RsiArtifact;
let validated: ValidatedArtifact;
beforeAll(async () => {
  const artifacts = join(dir.path, "artifacts");
  const result = await stockRsi(["run", write("real", "AAPL\nIBM\nMSFT\n"), "--source", "sample", "--as-of", AS_OF, "--no-store", "--artifacts-dir", artifacts]);
  expect(result.code, result.stderr).toBe(0);
  prices = JSON.parse(readFileSync(join(artifacts, "prices.json"), "utf8")) as PricesArtifact;
  rsi = JSON.parse(readFileSync(join(artifacts, "rsi.json"), "utf8")) as RsiArtifact;
  validated = JSON.parse(readFileSync(join(artifacts, "validated.json"), "utf8")) as ValidatedArtifact;
});

/** The prices artifact with its series renamed, in order; `undefined` drops a series. */
function pricesFile(name: string, symbols: readonly (string | undefined)[]): string {
  const series = prices.series.flatMap((s, i) => (symbols[i] === undefined ? [] : [{ ...s, symbol: symbols[i] }]));
  return write(name, JSON.stringify({ ...prices, series }));
}

const rankingOf = (stdout: string) => stdout.trim().split("\n");

describe("a ticker has a letter or a digit, on every path", () => {
  it.each(NO_LETTER_OR_DIGIT)("the symbols file: %j is refused with its line, before anything is fetched", async (symbol) => {
    const file = write("list", `AAPL\n${symbol}\n`);
    const result = await stockRsi(["run", file, "--source", "sample", "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}:2: "${symbol}" has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)` });
  });

  it("history's arguments: `..` is no symbol to look up", async () => {
    const result = await stockRsi(["history", "..", "--db", `sqlite:${join(dir.path, "none.db")}`]);
    expectRefusal(result, { code: 2, line: 'history: ".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)' });
  });

  it("a replayed prices file: a series named `.` is refused, naming it", async () => {
    const file = pricesFile("dot-prices.json", ["AAPL", ".", "MSFT"]);
    const result = await stockRsi(["run", write("two", "AAPL\nMSFT\n"), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[1].symbol: "." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)` });
  });

  it("an artifact persist would store: a result for `^` is refused and nothing is stored", async () => {
    const edited = { ...validated, results: validated.results.map((r, i) => (i === 0 ? { ...r, symbol: "^" } : r)) };
    const file = write("caret-validated.json", JSON.stringify(edited));
    const db = join(dir.path, "caret.db");
    const result = await stockRsi(["persist", "--in", file, "--db", `sqlite:${db}`]);
    expectRefusal(result, { code: 2, line: `${file}: results[0].symbol: "^" has no letter or digit; a ticker has at least one (BRK-B, ^GSPC); regenerate it with stock-rsi validate` });
    expect(existsSync(db)).toBe(false);
  });

  it("what holds: Yahoo's real shapes (^GSPC, EURUSD=X, BRK-B, WSU.DE, 1AB) pass the symbols file", async () => {
    const result = await stockRsi(["run", write("shapes", "^gspc\nEURUSD=X\nBRK-B\nWSU.DE\n1ab\n"), "--source", "sample", "--as-of", AS_OF, "--no-store"]);
    expect(result.code, result.stderr).toBe(0);
    expect(rankingOf(result.stdout).map((l) => l.split(" ")[0]).sort()).toEqual(["1AB", "BRK-B", "EURUSD=X", "WSU.DE", "^GSPC"]);
  });
});

describe("the file: source reads symbols by the symbols file's exact rule", () => {
  const symbols = () => write("aapl-ibm-msft", "AAPL\nIBM\nMSFT\n");

  it("a series named ıbm (dotless ı) does not answer for IBM: the file is refused, naming the series", async () => {
    const file = pricesFile("dotless.json", ["AAPL", "ıbm", "MSFT"]);
    const result = await stockRsi(["run", symbols(), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[1].symbol: "ıbm" has characters a ticker cannot have; use only letters, digits and . - ^ =` });
  });

  it("two series for one symbol (IBM, then ibm) are refused, naming both: neither shadows the other", async () => {
    const withTwin = { ...prices, series: [...prices.series, { ...prices.series[0]!, symbol: "ibm" }] };
    const file = write("twins.json", JSON.stringify(withTwin));
    const result = await stockRsi(["run", symbols(), "--source", `file:${file}`, "--as-of", AS_OF, "--no-store"]);
    expectRefusal(result, { code: 2, line: `${file}: series[3].symbol: "ibm" is IBM again, already at series[1].symbol; a prices file holds each symbol once` });
  });

  it("backfill --prices lists the file's symbols by the same rule, and refuses the same file", async () => {
    const withTwin = { ...prices, series: [...prices.series, { ...prices.series[0]!, symbol: "Ibm" }] };
    const file = write("twins-backfill.json", JSON.stringify(withTwin));
    const result = await stockRsi(["backfill", "--prices", file, "--from", AS_OF, "--to", AS_OF, "--lookback-days", "30", "--db", `sqlite:${join(dir.path, "bf.db")}`]);
    expectRefusal(result, { code: 2, line: `${file}: series[3].symbol: "Ibm" is IBM again, already at series[1].symbol; a prices file holds each symbol once` });
  });

  it("what holds: lower case answers for its ticker, as in a symbols file, with the same ranking", async () => {
    const upper = pricesFile("upper.json", ["AAPL", "IBM", "MSFT"]);
    const lower = pricesFile("lower.json", ["aapl", "Ibm", "msft"]);
    const fromUpper = await stockRsi(["run", symbols(), "--source", `file:${upper}`, "--as-of", AS_OF, "--no-store"]);
    const fromLower = await stockRsi(["run", symbols(), "--source", `file:${lower}`, "--as-of", AS_OF, "--no-store"]);
    expect(fromUpper.code, fromUpper.stderr).toBe(0);
    expect(fromLower.code, fromLower.stderr).toBe(0);
    expect(rankingOf(fromUpper.stdout)).toHaveLength(3);
    expect(fromLower.stdout).toBe(fromUpper.stdout);
  });
});

/** What a hostile file names instead of a stored ticker, and the rule's words for it, as everywhere. */
const NOT_STORED = [
  ["`..`", "..", '".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)'],
  ["an escape sequence", "X\u001b]0;pwned\u0007", '"X\\u001b]0;pwned\\u0007" has characters a ticker cannot have; use only letters, digits and . - ^ ='],
  ["`ibm`", "ibm", '"ibm" has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)'],
] as const;

type Artifact = Record<string, unknown> & { failures: { symbol: string; reason: string; message: string }[] };
type Edit = (artifact: Artifact, bulk: { symbol: string }[]) => void;

/**
 * Each step that reads an artifact: the artifact it reads (the real one, AAPL, IBM and MSFT in
 * that order), its bulk, who writes it, and every file the step would write.
 */
const STEPS = [
  {
    step: "compute-rsi",
    artifact: () => prices,
    bulk: "series",
    kind: "a prices artifact",
    producer: "stock-rsi fetch",
    args: (input: string, out: (name: string) => string) => ["compute-rsi", "--in", input, "--out", out("rsi.json")],
  },
  {
    step: "validate",
    artifact: () => rsi,
    bulk: "results",
    kind: "an rsi artifact",
    producer: "stock-rsi compute-rsi",
    args: (input: string, out: (name: string) => string) => [
      "validate", "--in", input, "--out", out("validated.json"), "--failures-out", out("failed-symbols.txt"), "--trade-date-out", out("trade-date.txt"),
      "--ranked-count-out", out("ranked-count.txt"), "--failed-count-out", out("failed-count.txt"),
    ],
  },
  {
    step: "persist",
    artifact: () => validated,
    bulk: "results",
    kind: "a validated artifact",
    producer: "stock-rsi validate",
    args: (input: string, out: (name: string) => string) => [
      "persist", "--in", input, "--db", `sqlite:${out("store.db")}`, "--ranking-out", out("ranking.txt"), "--report-out", out("report.html"), "--signals-out", out("signals.txt"),
    ],
  },
] as const;

let cases = 0;
/** Runs `step` on its artifact as `edit` leaves it; asserts the one-line refusal and that nothing was written. */
async function refusedByStep(s: (typeof STEPS)[number], edit: Edit, line: (file: string) => string) {
  const artifact = structuredClone(s.artifact()) as unknown as Artifact;
  edit(artifact, artifact[s.bulk] as { symbol: string }[]);
  const input = write(`${s.step}-${++cases}.json`, JSON.stringify(artifact, null, 2));
  const outDir = join(dir.path, `out-${cases}`);
  const result = await stockRsi([...s.args(input, (name) => join(outDir, name))]);
  expectRefusal(result, { code: 2, line: line(input) });
  expect(existsSync(outDir) ? readdirSync(outDir) : [], "files the refused step wrote").toEqual([]);
}

describe.each(STEPS)("$step reads only stored tickers, each named once, from the artifact it is handed", (s) => {
  it.each(NOT_STORED)(`%s as ${s.bulk}[0]'s symbol: refused naming the field, exit 2, nothing written`, async (_name, symbol, problem) => {
    await refusedByStep(s, (_a, bulk) => (bulk[0]!.symbol = symbol), (file) => `${file}: ${s.bulk}[0].symbol: ${problem}; regenerate it with ${s.producer}`);
  });

  it(`IBM twice in ${s.bulk}: refused naming both places`, async () => {
    await refusedByStep(s, (_a, bulk) => (bulk[2]!.symbol = "IBM"), (file) => `${file}: ${s.bulk}[2].symbol: "IBM" is already at ${s.bulk}[1].symbol; ${s.kind} names each symbol once; regenerate it with ${s.producer}`);
  });

  it(`IBM in ${s.bulk} and in failures: refused naming both places`, async () => {
    await refusedByStep(
      s,
      (a) => a.failures.push({ symbol: "IBM", reason: "not-found", message: "gone" }),
      (file) => `${file}: failures[${(s.artifact() as unknown as Artifact).failures.length}].symbol: "IBM" is already at ${s.bulk}[1].symbol; ${s.kind} names each symbol once; regenerate it with ${s.producer}`,
    );
  });

  it("an escape sequence as a failure's symbol: refused naming the field", async () => {
    const at = (s.artifact() as unknown as Artifact).failures.length;
    await refusedByStep(s, (a) => a.failures.push({ symbol: NOT_STORED[1][1], reason: "not-found", message: "gone" }), (file) => `${file}: failures[${at}].symbol: ${NOT_STORED[1][2]}; regenerate it with ${s.producer}`);
  });
});

describe("the pipeline as a user runs it: fetch, then an edited prices artifact", () => {
  it("compute-rsi refuses `..` in place of a fetched symbol, so validate never sees it", async () => {
    const fetched = join(dir.path, "fetched.json");
    const fetch = await stockRsi(["fetch", "--symbols", write("fetch-list", "AAPL\nIBM\nMSFT\n"), "--source", "sample", "--as-of", AS_OF, "--out", fetched]);
    expect(fetch.code, fetch.stderr).toBe(0);
    const edited = JSON.parse(readFileSync(fetched, "utf8")) as PricesArtifact;
    edited.series[0]!.symbol = "..";
    const p2 = write("fetched-edited.json", JSON.stringify(edited, null, 2));
    const out = join(dir.path, "fetched-rsi.json");
    const result = await stockRsi(["compute-rsi", "--in", p2, "--out", out]);
    expectRefusal(result, { code: 2, line: `${p2}: series[0].symbol: ".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC); regenerate it with stock-rsi fetch` });
    expect(existsSync(out)).toBe(false);
  });

  it("validate's --failures-out shows a failure message's escape sequence and line break, so each failure stays one line", async () => {
    const withFailure = { ...rsi, failures: [{ symbol: "ZZZ", reason: "not-found", message: "gone\u001b[2J\nIBM not-found: forged" }] };
    const input = write("rsi-with-failure.json", JSON.stringify(withFailure, null, 2));
    const failed = join(dir.path, "failed-with-escape.txt");
    const result = await stockRsi(["validate", "--in", input, "--out", join(dir.path, "validated-with-failure.json"), "--failures-out", failed, "--max-failed-share", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expectPrintable(result.stderr);
    expect(readFileSync(failed, "utf8")).toBe("ZZZ not-found: gone\\x1b[2J\\nIBM not-found: forged\n");
  });
});

describe("notify refuses a result file naming a symbol no step writes, and sends the message without it", () => {
  let web: WebhookServer;
  beforeAll(async () => {
    web = await startWebhookServer();
  });
  afterAll(() => web.close());

  const GOOD = { "--failed-symbols": "XYZ not-found: no such symbol\n", "--ranking": "MSFT 65.37\nAAPL 53.52\nIBM 39.51\n", "--signals": "AAPL entered-overbought 68.40 -> 71.25\n" };
  /** The payload field each file fills; null when the file was left out. */
  const FIELD = { "--failed-symbols": "withoutValue", "--ranking": "strongest", "--signals": "crossings" } as const;
  type Flag = keyof typeof GOOD;

  async function notifyWith(flag: Flag, text: string) {
    const files = Object.fromEntries(Object.entries({ ...GOOD, [flag]: text }).map(([f, t]) => [f, write(`notify-${++cases}${f}.txt`, t)])) as Record<Flag, string>;
    const undelivered = join(dir.path, `undelivered-${cases}.txt`);
    const hook = `/hook-${cases}`;
    const result = await stockRsi(
      ["notify", "--status", "Succeeded", "--as-of", AS_OF, ...Object.entries(files).flat(), "--undelivered-out", undelivered, "--notify", `${web.url}${hook}`],
      { env: { STOCK_RSI_NOTIFY: undefined, STOCK_RSI_NOTIFY_FILE: undefined, SMTP_PASSWORD: undefined, SMTP_PASSWORD_FILE: undefined } },
    );
    const sent = web.requests.filter((r) => r.path === hook).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    return { result, file: files[flag], sent, undelivered };
  }

  it.each([
    ...NOT_STORED.map(([name, symbol, problem]) => [`${name} in --failed-symbols`, "--failed-symbols", `XYZ not-found: no such symbol\n${symbol} stale: last close 2021-05-10\n`, `2: ${problem}`] as const),
    ["IBM twice in --failed-symbols", "--failed-symbols", "IBM not-found: gone\nIBM stale: old\n", '2: "IBM" is already on line 1; validate names each symbol without a value once'],
    ["IBM twice in --ranking", "--ranking", "IBM 50.00\nAAPL 45.00\nIBM 40.00\n", '3: "IBM" is already on line 1; the ranking names each symbol once'],
    ["an escape sequence in --signals", "--signals", `${NOT_STORED[1][1]} entered-overbought 68.40 -> 71.25\n`, `1: ${NOT_STORED[1][2]}`],
    ["`ibm` in --ranking", "--ranking", "ibm 50.00\n", `1: ${NOT_STORED[2][2]}`],
  ] as const)("%s: one line naming the file and line, the message sent without it, exit 2", async (_name, flag, text, problem) => {
    const { result, file, sent, undelivered } = await notifyWith(flag, text);
    expect(result.code, result.stderr).toBe(2);
    expectPrintable(result.stderr);
    expect(result.stderr).not.toMatch(/^stock-rsi: /m);
    expect(result.stderr.split("\n").filter((l) => l.includes(file))).toEqual([`notify: ${flag} ${file}:${problem}; the message goes without this file`]);
    expect(sent).toHaveLength(1);
    expect(sent[0]![FIELD[flag]]).toBeNull();
    expect(JSON.stringify(sent[0])).not.toContain("pwned");
    expect(readFileSync(undelivered, "utf8")).toBe("0\n");
  });

  it("what holds: the files as the steps write them are read and sent, exit 0", async () => {
    const { result, sent } = await notifyWith("--ranking", GOOD["--ranking"]);
    expect(result.code, result.stderr).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.withoutValue).toEqual({ total: 1, byReason: { "not-found": 1 } });
    expect(sent[0]!.crossings).toHaveLength(1);
    expect(sent[0]!.strongest).not.toBeNull();
  });
});

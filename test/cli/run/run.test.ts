import { existsSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, dateIn, MARKET_TIME_ZONE } from "../../../steps/domain/dates.ts";
import { isTradingDay } from "../../../steps/domain/market-calendar.ts";
import { formatRanking, rank } from "../../../steps/domain/ranking.ts";
import { seedRsi } from "../../../steps/domain/rsi.ts";
import { readSymbolsFile } from "../../../steps/files/symbols-file.ts";
import { sampleClose } from "../../../steps/fetch/sources/sample.ts";
import { stockRsi, tempDir, USER_SYMBOLS } from "../../support/cli.ts";
import { querySqlite } from "../../support/sqlite.ts";

const AS_OF = "2021-05-17";

/** The ranking computed independently of the pipeline: sample closes on NYSE trading days → seed RSI → sort. */
function expectedSampleRanking(symbols: readonly string[], asOf: string, lookbackDays = 91): string[] {
  const results = symbols.map((symbol) => {
    const closes: number[] = [];
    for (let d = addDays(asOf, -lookbackDays); d <= asOf; d = addDays(d, 1)) if (isTradingDay(d)) closes.push(sampleClose(symbol, d));
    const outcome = seedRsi(closes);
    if (!outcome.ok) throw new Error(`sample ${symbol} has no RSI`);
    return { symbol, rsi: outcome.rsi, date: asOf, close: closes.at(-1)! };
  });
  return formatRanking(rank(results));
}

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe("stock-rsi run on the embedded store", () => {
  it("ranks the user's 180 symbols from sample into SQLite, and a second run the same day updates, not duplicates", async () => {
    const db = join(dir.path, "rsi.db");
    const first = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--db", `sqlite:${db}`]);
    expect(first.stderr).toContain("persist: stored 180 values for 2021-05-17");
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split("\n");
    expect(lines).toEqual(expectedSampleRanking(readSymbolsFile(USER_SYMBOLS).symbols, AS_OF));
    expect(lines).toHaveLength(180);

    const second = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--db", `sqlite:${db}`]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain("(0 new, 180 updated)");

    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_values")).toEqual([{ n: 180 }]);
    expect(querySqlite(db, "SELECT COUNT(*) AS n FROM rsi_runs")).toEqual([{ n: 2 }]);
    const aapl = querySqlite(db, "SELECT trade_date, method, period, close_date FROM rsi_values WHERE symbol = 'AAPL'");
    expect(aapl).toEqual([{ trade_date: AS_OF, method: "seed", period: 14, close_date: AS_OF }]);
  });

  it("stores into stock-rsi.db in the working directory by default", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "AAPL\nMSFT\n");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", AS_OF], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir.path, "stock-rsi.db"))).toBe(true);
  });

  it("ranks as of today in New York when no as-of date is given, as Argo's empty parameter does", async () => {
    const today = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--no-store", "--json"]);
    expect(today.code).toBe(0);
    const { asOf } = JSON.parse(today.stdout) as { asOf: string };
    expect(asOf).toBe(dateIn(MARKET_TIME_ZONE, new Date()));
    const empty = await stockRsi(["fetch", "--symbols", USER_SYMBOLS, "--out", join(dir.path, "p.json"), "--source", "sample", "--as-of", ""]);
    expect(empty.code).toBe(0);
    expect((JSON.parse(readFileSync(join(dir.path, "p.json"), "utf8")) as { asOf: string }).asOf).toBe(asOf);
  });

  it("--no-store ranks without creating a database", async () => {
    const result = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--no-store"], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(180);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it("--json prints the machine-readable result and --artifacts-dir keeps every artifact and output file", async () => {
    const artifacts = join(dir.path, "artifacts");
    const result = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", AS_OF, "--no-store", "--json", "--method", "wilder", "--artifacts-dir", artifacts]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { method: string; tradeDate: string; ranking: { symbol: string; rsi: number; rounded: number }[]; failures: unknown[] };
    expect(json).toMatchObject({ method: "wilder", tradeDate: AS_OF, failures: [] });
    expect(json.ranking).toHaveLength(180);
    expect(json.ranking[0]!.rsi).toBeGreaterThanOrEqual(json.ranking[1]!.rsi);
    expect(readdirSync(artifacts).sort()).toEqual([
      "failed-count.txt", "failed-symbols.txt", "prices.json", "ranked-count.txt", "ranking.txt", "report.html", "rsi.json", "signals.txt", "trade-date.txt", "validated.json",
    ]);
    expect(readFileSync(join(artifacts, "ranked-count.txt"), "utf8")).toBe("180\n");
    expect(readFileSync(join(artifacts, "trade-date.txt"), "utf8")).toBe(`${AS_OF}\n`);
    expect(readFileSync(join(artifacts, "failed-count.txt"), "utf8")).toBe("0\n");
    const ranking = readFileSync(join(artifacts, "ranking.txt"), "utf8").trimEnd().split("\n");
    expect(ranking[0]).toBe(`${json.ranking[0]!.symbol} ${json.ranking[0]!.rounded.toFixed(2)}`);
  });
});

describe("bad input is refused with one line, a non-zero exit and nothing written", () => {
  it("a symbols file with a bad line: exit 2, the file and line named, nothing fetched or stored", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "AAPL\nMSFT; DROP TABLE stocks\n");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--artifacts-dir", join(dir.path, "a")], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`stock-rsi: ${symbols}:2: "MSFT; DROP TABLE stocks" has 4 symbols on one line; put one symbol per line\n`);
    expect(readdirSync(dir.path).sort()).toEqual(["a", "symbols"]);
    expect(readdirSync(join(dir.path, "a"))).toEqual([]);
  });

  it("an empty symbols file: exit 2", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "# none yet\n");
    const result = await stockRsi(["fetch", "--symbols", symbols, "--out", join(dir.path, "p.json"), "--source", "sample"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`stock-rsi: ${symbols}: lists no symbols; put one ticker per line (e.g. AAPL)`);
    expect(existsSync(join(dir.path, "p.json"))).toBe(false);
  });

  it("an artifact with a wrong field: exit 2, the file and field named, no output", async () => {
    const input = join(dir.path, "prices.json");
    writeFileSync(input, JSON.stringify({ schemaVersion: 1, kind: "prices", asOf: "2021-05-17", source: "x", series: [{ symbol: "A", bars: [{ date: "2021-05-32", close: 1 }] }], failures: [] }));
    const result = await stockRsi(["compute", "--in", input, "--out", join(dir.path, "rsi.json")]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`stock-rsi: ${input}: series[0].bars[0].date: expected a date written YYYY-MM-DD between 1970-01-01 and 9999-12-31; regenerate it with stock-rsi fetch`);
    expect(existsSync(join(dir.path, "rsi.json"))).toBe(false);
  });

  it("an artifact of the wrong kind or not JSON at all: exit 2", async () => {
    const input = join(dir.path, "x.json");
    writeFileSync(input, JSON.stringify({ schemaVersion: 1, kind: "prices", asOf: "2021-05-17", series: [], failures: [] }));
    const wrongKind = await stockRsi(["validate", "--in", input, "--out", join(dir.path, "v.json")]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/^stock-rsi: .*x\.json: kind: .*; regenerate it with stock-rsi compute-rsi\n$/);
    writeFileSync(input, "{ truncated");
    const notJson = await stockRsi(["validate", "--in", input, "--out", join(dir.path, "v.json")]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^stock-rsi: .*x\.json: not valid JSON \(.*\); regenerate it with stock-rsi compute-rsi\n$/);
  });

  it("an output path that cannot be written: exit 2 naming it, no stack trace", async () => {
    const blocker = join(dir.path, "a-file");
    writeFileSync(blocker, "");
    const out = join(blocker, "prices.json");
    const result = await stockRsi(["fetch", "--symbols", USER_SYMBOLS, "--out", out, "--source", "sample", "--as-of", AS_OF]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stock-rsi: --out ${out}: cannot write the file (a parent is not a directory); choose a writable path`);
    expect(result.stderr).not.toContain("    at ");
  });

  it("a bad flag value: exit 2 naming the flag", async () => {
    const result = await stockRsi(["compute", "--in", "x", "--out", "y", "--method", "ema"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: option '--method <method>' argument 'ema' is invalid. expected one of seed, wilder, cutler");
    const early = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--no-store", "--period", "0"]);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain("error: option '--period <n>' argument '0' is invalid. expected 1 to 2614 trading days");
    expect(early.stderr).not.toContain("fetch:");
    const date = await stockRsi(["fetch", "--symbols", USER_SYMBOLS, "--out", "y", "--as-of", "17/05/2021"]);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain("expected a date written YYYY-MM-DD");
  });
});

describe("the validation gate", () => {
  it("a run with too many failed symbols exits 1 and stores nothing", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "AAPL\nMSFT\nGONE\nLOST\n");
    const prices = join(dir.path, "recorded.json");
    const fetched = await stockRsi(["fetch", "--symbols", symbols, "--out", prices, "--source", "sample", "--as-of", AS_OF]);
    expect(fetched.code).toBe(0);
    const recorded = JSON.parse(readFileSync(prices, "utf8")) as { series: { symbol: string }[] };
    recorded.series = recorded.series.filter((s) => s.symbol === "AAPL" || s.symbol === "MSFT");
    writeFileSync(prices, JSON.stringify(recorded));

    const db = join(dir.path, "rsi.db");
    const run = await stockRsi(["run", symbols, "--source", `file:${prices}`, "--as-of", AS_OF, "--db", `sqlite:${db}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("validate: no value for GONE (not-found)");
    expect(run.stderr).toContain("stock-rsi: validate: FAILED, nothing will be stored: failed-share: 2 of 4 symbols failed (50.0%, limit 25.0%)");
    expect(existsSync(db)).toBe(false);

    const relaxed = await stockRsi(["run", symbols, "--source", `file:${prices}`, "--as-of", AS_OF, "--db", `sqlite:${db}`, "--max-failed-share", "0.5"]);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout.trimEnd().split("\n")).toHaveLength(2);
  });

  it("persist refuses a validated artifact whose validation failed", async () => {
    const validated = join(dir.path, "validated.json");
    writeFileSync(validated, JSON.stringify({ schemaVersion: 1, kind: "validated", asOf: AS_OF, method: "seed", period: 14, results: [], failures: [], tradeDate: null, passed: false, checks: [] }));
    const result = await stockRsi(["persist", "--in", validated, "--db", `sqlite:${join(dir.path, "rsi.db")}`]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`stock-rsi: ${validated}: validation failed for this run; refusing to store it (see its checks)`);
    expect(existsSync(join(dir.path, "rsi.db"))).toBe(false);
  });
});

describe("the command line", () => {
  it("--help lists the steps and documents the exit statuses", async () => {
    const result = await stockRsi(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["fetch", "compute-rsi", "validate", "persist", "run"]) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    expect(result.stdout).toContain("1   the validation policy failed: nothing was stored");
    const step = await stockRsi(["validate", "--help"]);
    expect(step.stdout).toContain("--max-failed-share <share>");
    expect(step.stdout).toContain("Exit status:");
  });

  it("each subcommand's --help lists only the exit statuses it can end with", async () => {
    const statuses = async (command: string) => {
      const help = (await stockRsi([command, "--help"])).stdout;
      return [...help.slice(help.indexOf("Exit status:")).matchAll(/^ {2}(\d+) /gm)].map((m) => Number(m[1]));
    };
    expect(await statuses("compute-rsi")).toEqual([0, 2, 70]);
    expect(await statuses("validate")).toEqual([0, 1, 2, 70]);
    // history reads; it validates nothing, so it never ends with 1.
    expect(await statuses("history")).toEqual([0, 2, 3, 4, 70]);
    expect(await statuses("persist")).toEqual([0, 1, 2, 3, 4, 70]);
    // fetch's service, Yahoo, never refuses a whole run: a symbol it will not serve is a failure in the artifact.
    expect(await statuses("fetch")).toEqual([0, 2, 3, 70]);
    expect(await statuses("run")).toEqual([0, 1, 2, 3, 4, 70]);
  });
});

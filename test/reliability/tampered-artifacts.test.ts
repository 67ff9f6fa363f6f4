/**
 * Artifacts edited after the step that wrote them. persist is the last line of defence before the
 * database: it re-checks what it is about to store with validate's own rules (values in range,
 * no close after the as-of date, a trading day that is the latest close and not in the future,
 * checks that agree with `passed`), and refuses a file that no longer says what validate checked,
 * with the field named, before it opens the database. A symbol that is no ticker, or one named
 * twice, is refused as the artifact is read, naming both places, as every step's reader does.
 *
 * Each case starts from a store holding a good day and asserts it is unchanged afterwards.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidatedArtifact } from "../../steps/domain/artifacts.ts";
import { stockRsi, tempDir } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";
import { validatedArtifact } from "../steps/persist/validated-artifact.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-tampered-");
const good = join(dir.path, "good.db");
const goodDay = () => validatedArtifact({ tradeDate: "2021-05-17", values: { AAPL: 46.89, MSFT: 65.05, IBM: 50 }, failed: ["ATVI"] });

beforeAll(async () => {
  const artifact = join(dir.path, "good.json");
  writeFileSync(artifact, JSON.stringify(goodDay()));
  const stored = await stockRsi(["persist", "--in", artifact, "--db", `sqlite:${good}`]);
  expect(stored.code).toBe(0);
});
afterAll(() => dir.cleanup());

const rowsOf = (db: string) => querySqlite(db, "SELECT trade_date, symbol, rsi, close, run_id FROM rsi_values ORDER BY trade_date, symbol");
const runsOf = (db: string) => querySqlite(db, "SELECT run_id FROM rsi_runs");

/** persist on a copy of the good store; returns the result and whether the store is unchanged. */
async function persistTampered(name: string, edit: (v: ValidatedArtifact & Record<string, unknown>) => void, raw?: (json: string) => string) {
  const artifact = goodDay() as ValidatedArtifact & Record<string, unknown>;
  edit(artifact);
  const path = join(dir.path, `${name}.json`);
  const json = JSON.stringify(artifact, null, 2);
  writeFileSync(path, raw ? raw(json) : json);
  const db = join(dir.path, `${name}.db`);
  copyFileSync(good, db);
  const result = await stockRsi(["persist", "--in", path, "--db", `sqlite:${db}`]);
  expect(rowsOf(db)).toEqual(rowsOf(good));
  expect(runsOf(db)).toEqual(runsOf(good));
  return { result, path };
}

const NOTHING = "; it no longer says what validate checked: regenerate it with stock-rsi validate; nothing was stored";

describe("persist re-checks the validated artifact before it stores anything", () => {
  it.each([
    ["an RSI of 500", 500, "results[0].rsi: RSI 500 is outside 0-100"],
    ["an RSI of -42", -42, "results[0].rsi: RSI -42 is outside 0-100"],
  ])("%s: exit 2, the field named, the store unchanged", async (_name, rsi, problem) => {
    const { result, path } = await persistTampered(`rsi-${rsi}`, (v) => (v.results[0] = { ...v.results[0]!, rsi }));
    expectRefusal(result, { code: 2, line: `${path}: ${problem}${NOTHING}` });
  });

  it("a trading day in 2099 (results, as-of and trading day all moved): exit 2, it is after today", async () => {
    const { result, path } = await persistTampered("year-2099", (v) => {
      v.asOf = v.tradeDate = "2099-01-02";
      for (const r of v.results) r.date = "2099-01-02";
    });
    expectRefusal(result, { code: 2, line: new RegExp(`^${path}: tradeDate: 2099-01-02 is after today in New York \\(\\d{4}-\\d{2}-\\d{2}\\); a day that has not happened has no closes; nothing was stored$`) });
  });

  it("a trading day after the as-of date: exit 2", async () => {
    const { result, path } = await persistTampered("after-as-of", (v) => {
      v.tradeDate = "2021-05-18";
      for (const r of v.results) r.date = "2021-05-18";
    });
    expectRefusal(result, { code: 2, line: `${path}: results[0].date: 2021-05-18 is after the as-of date 2021-05-17${NOTHING}` });
  });

  it("a trading day that is not the latest close among the results: exit 2", async () => {
    const { result, path } = await persistTampered("moved-day", (v) => (v.tradeDate = "2021-05-10"));
    expectRefusal(result, { code: 2, line: `${path}: tradeDate: 2021-05-10 is not the latest close among the results (2021-05-17)${NOTHING}` });
  });

  it("a check that failed while passed says true: exit 2", async () => {
    const { result, path } = await persistTampered("lying-checks", (v) => {
      v.checks = [
        { rule: "unique-symbols", outcome: "pass", message: "4 distinct symbols" },
        { rule: "failed-share", outcome: "fail", message: "3 of 4 symbols failed (75.0%, limit 25.0%)" },
      ];
    });
    expectRefusal(result, { code: 2, line: `${path}: checks[1].outcome: the rule failed-share failed, yet passed is true${NOTHING}` });
  });

  it("a symbol listed twice in the results: exit 2 naming both, not 4 values stored for 3 rows", async () => {
    const { result, path } = await persistTampered("twice", (v) => v.results.push({ ...v.results[0]!, rsi: 12 }));
    expectRefusal(result, { code: 2, line: `${path}: results[3].symbol: "AAPL" is already at results[0].symbol; a validated artifact names each symbol once; regenerate it with stock-rsi validate` });
  });

  it("a symbol both ranked and failed: exit 2 naming both", async () => {
    const { result, path } = await persistTampered("ranked-and-failed", (v) => v.failures.push({ symbol: "MSFT", reason: "not-found", message: "gone" }));
    expectRefusal(result, { code: 2, line: `${path}: failures[1].symbol: "MSFT" is already at results[1].symbol; a validated artifact names each symbol once; regenerate it with stock-rsi validate` });
  });

  it("a source longer than the store keeps: exit 2", async () => {
    const { result, path } = await persistTampered("long-source", (v) => (v.source = `file:/${"x".repeat(300)}`));
    expectRefusal(result, { code: 2, line: `${path}: source: 306 characters; the store keeps at most 255${NOTHING}` });
  });

  it.each([
    ["a close of 0", (v: ValidatedArtifact) => (v.results[0] = { ...v.results[0]!, close: 0 }), "results[0].close: Too small: expected number to be >0"],
    ["a negative close", (v: ValidatedArtifact) => (v.results[0] = { ...v.results[0]!, close: -3 }), "results[0].close: Too small: expected number to be >0"],
  ])("%s: exit 2, it is no price", async (_name, edit, problem) => {
    const { result, path } = await persistTampered(`close-${_name.length}`, edit);
    expectRefusal(result, { code: 2, line: `${path}: ${problem}; regenerate it with stock-rsi validate` });
  });

  it("an RSI that is not a finite number (1e999 reads as Infinity): exit 2", async () => {
    const { result, path } = await persistTampered("infinite", () => {}, (json) => json.replace('"rsi": 46.89', '"rsi": 1e999'));
    expectRefusal(result, { code: 2, line: `${path}: results[0].rsi: Invalid input: expected number, received Infinity; regenerate it with stock-rsi validate` });
  });

  it("a failed validation (passed: false): exit 1", async () => {
    const { result, path } = await persistTampered("failed", (v) => (v.passed = false));
    expectRefusal(result, { code: 1, line: `${path}: validation failed for this run; refusing to store it (see its checks)` });
  });

  it("a symbol that is SQL, not a ticker: exit 2", async () => {
    const { result, path } = await persistTampered("sql", (v) => (v.results[0] = { ...v.results[0]!, symbol: "X` FLOAT); DROP TABLE stocks; --" }));
    expectRefusal(result, { code: 2, line: `${path}: results[0].symbol: "X\` FLOAT); DROP TABLE stocks; --" has characters a ticker cannot have; use only letters, digits and . - ^ =; regenerate it with stock-rsi validate` });
  });

  it("the same artifact untouched is stored: the refusals above come from the edits", async () => {
    const path = join(dir.path, "untouched.json");
    writeFileSync(path, JSON.stringify(goodDay()));
    const db = join(dir.path, "untouched.db");
    copyFileSync(good, db);
    const result = await stockRsi(["persist", "--in", path, "--db", `sqlite:${db}`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("persist: stored 3 values for 2021-05-17");
    expect(rowsOf(db).map((r) => (r as { rsi: number }).rsi)).toEqual(rowsOf(good).map((r) => (r as { rsi: number }).rsi));
  });
});

describe("a price that is not a price is a failure for that symbol, never an RSI", () => {
  it.each([
    ["zero", 0],
    ["negative", -12.5],
  ])("a %s close: that symbol fails with bad-price, the others are ranked", async (_name, close) => {
    const bars = (symbol: string, bad: boolean) =>
      Array.from({ length: 30 }, (_, i) => ({ date: `2021-04-${String(i + 1).padStart(2, "0")}`, close: bad && i === 20 ? close : 100 + ((i * 7) % 11) + symbol.length }));
    const prices = join(dir.path, `prices-${_name}.json`);
    writeFileSync(
      prices,
      JSON.stringify({ schemaVersion: 1, kind: "prices", asOf: "2021-04-30", source: "sample", series: [{ symbol: "AAPL", bars: bars("AAPL", true) }, { symbol: "MSFT", bars: bars("MSFT", false) }], failures: [] }),
    );
    const out = join(dir.path, `rsi-${_name}.json`);
    const result = await stockRsi(["compute-rsi", "--in", prices, "--out", out]);
    expect(result.code).toBe(0);
    const rsi = JSON.parse(readFileSync(out, "utf8")) as { results: { symbol: string }[]; failures: { symbol: string; reason: string; message: string }[] };
    expect(rsi.results.map((r) => r.symbol)).toEqual(["MSFT"]);
    expect(rsi.failures).toEqual([{ symbol: "AAPL", reason: "bad-price", message: `close ${close} on 2021-04-21 is not a price (zero or negative)` }]);
  });
});

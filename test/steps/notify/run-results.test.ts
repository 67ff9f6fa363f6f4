/**
 * What notify reads of a finished run: Argo's failures list (Go-quoted, as the controller stores
 * it), the outcome in the user's words, and the steps' result files in the formats they write.
 */
import { describe, expect, it } from "vitest";
import {
  isUnresolvedReference,
  parseBackfillDays,
  parseCrossings,
  parseFailedSymbols,
  parseFailures,
  parseRanking,
  ResultLineRefused,
  parseTradeDate,
  runOutcome,
  unquoteGo,
} from "../../../steps/notify/run-results.ts";
import { goQuote } from "../../support/argo-dag-runner.ts";

const STEPS = ["fetch", "compute-rsi", "validate", "persist"];

describe("Argo's failures list", () => {
  it("is read from the Go-quoted form the controller substitutes, and from plain JSON", () => {
    const nodes = [{ displayName: "fetch(0)", message: 'main: Error (exit code 2): stock-rsi: --lookback-days: expected "1" to 3660\ttab', templateName: "fetch", phase: "Failed" }];
    const json = JSON.stringify(nodes);
    expect(parseFailures(goQuote(json))).toEqual(nodes);
    expect(parseFailures(json)).toEqual(nodes);
    expect(parseFailures("")).toEqual([]);
    expect(parseFailures(goQuote("null"))).toEqual([]);
    expect(parseFailures("{{workflow.failures}}")).toBeUndefined();
    expect(parseFailures('"not json"')).toBeUndefined();
  });

  it("undoes every escape strconv.Quote writes, UTF-8 bytes included", () => {
    for (const text of ['plain', 'a "quoted" \\ backslash', "bell\x07 tab\t nl\n cr\r vt\v ff\f bs\b", "ctl \x01\x1f del \x7f", "café €5 😀", "\u2028sep\u00a0nbsp"]) {
      expect(unquoteGo(goQuote(text)), JSON.stringify(text)).toBe(text);
    }
    expect(unquoteGo('"\\xc3\\xa9"')).toBe("é");
    expect(unquoteGo('"\\101"')).toBe("A");
    expect(unquoteGo('"unterminated')).toBeUndefined();
    expect(unquoteGo('"bad \\q escape"')).toBeUndefined();
  });
});

describe("how the run ended", () => {
  const attempt = (step: string, n: number, code: number, log: string, finishedAt: string) => ({
    displayName: `${step}(${n})`,
    templateName: step,
    phase: "Failed",
    message: `main: Error (exit code ${code}): ${log}`,
    finishedAt,
  });

  it("passed when Argo says Succeeded", () => {
    expect(runOutcome("Succeeded", [], STEPS)).toEqual({ kind: "passed" });
  });

  it("names the failed step, its exit status and its one line, from the attempt that carries them, whatever the list's order", () => {
    const failures = [
      { displayName: "stock-rsi-x", templateName: "stock-rsi", phase: "Failed", message: "child 'stock-rsi-x-1' failed" },
      attempt("persist", 1, 3, "persist: retrying\nstock-rsi: cannot reach mysql:3306 (connection refused)", "2021-05-17T22:10:00Z"),
      { displayName: "persist", templateName: "persist", phase: "Failed", message: "No more retries left", finishedAt: "2021-05-17T22:11:00Z" },
      attempt("persist", 0, 3, "stock-rsi: an earlier attempt", "2021-05-17T22:05:00Z"),
    ];
    expect(runOutcome("Failed", failures, STEPS)).toEqual({ kind: "step-failed", step: "persist", exitCode: 3, message: "cannot reach mysql:3306 (connection refused)" });
  });

  it("calls a step's exit 1 a failed validation, and takes the step's own exit status from the local run", () => {
    expect(runOutcome("Failed", [attempt("validate", 0, 1, "stock-rsi: validate: FAILED, nothing will be stored: failed-share: 90 of 180", "t")], STEPS)).toEqual({
      kind: "validation-failed",
      step: "validate",
      message: "validate: FAILED, nothing will be stored: failed-share: 90 of 180",
    });
    expect(runOutcome("Failed", [{ templateName: "fetch", exitCode: 3, message: "fetch: Yahoo answered 503" }], STEPS)).toEqual({
      kind: "step-failed",
      step: "fetch",
      exitCode: 3,
      message: "fetch: Yahoo answered 503",
    });
  });

  it("says the run failed when no node names a step (stopped, past its deadline, or an unreadable list)", () => {
    expect(runOutcome("Error", [{ templateName: "stock-rsi", message: "Step exceeded its deadline" }], STEPS)).toEqual({ kind: "step-failed", message: "Step exceeded its deadline" });
    expect(runOutcome("Failed", undefined, STEPS).kind).toBe("step-failed");
  });
});

describe("the steps' result files", () => {
  it("reads the ranking, the crossings, the failed symbols, the trade date and backfill's days as the steps write them", () => {
    expect(parseRanking("NVDA 78.12\nKO 22.40\n\n")).toEqual([{ symbol: "NVDA", rsi: 78.12 }, { symbol: "KO", rsi: 22.4 }]);
    expect(parseCrossings("AAPL entered-overbought 68.40 -> 71.25\nPFE left-oversold 29.99 -> 30.01\nXX sideways 1 -> 2\n")).toEqual([
      { symbol: "AAPL", kind: "entered-overbought", previous: 68.4, today: 71.25 },
      { symbol: "PFE", kind: "left-oversold", previous: 29.99, today: 30.01 },
    ]);
    expect(parseFailedSymbols("XYZ not-found: no such symbol: see https://x\nABC stale: last close 2021-05-10\n")).toEqual([
      { symbol: "XYZ", reason: "not-found" },
      { symbol: "ABC", reason: "stale" },
    ]);
    expect(parseTradeDate("2021-05-14\n")).toBe("2021-05-14");
    expect(parseTradeDate("")).toBeUndefined();
    expect(parseBackfillDays("2021-05-12 stored 180\n2021-05-13 skipped\n2021-05-14 refused: failed-share: 90 of 180\n")).toEqual([
      { date: "2021-05-12", outcome: "stored", values: 180 },
      { date: "2021-05-13", outcome: "skipped" },
      { date: "2021-05-14", outcome: "refused", reason: "failed-share: 90 of 180" },
    ]);
  });

  it("refuses a line whose symbol no step writes: no stored ticker, or one already named (a crossing: once per kind)", () => {
    const refusal = (parse: () => unknown) => {
      try {
        parse();
      } catch (err) {
        return err instanceof ResultLineRefused ? err.message : `not a refusal: ${String(err)}`;
      }
      return "read";
    };
    expect(refusal(() => parseFailedSymbols("XYZ not-found: gone\n.. stale: last close\n"))).toBe('line 2: ".." has no letter or digit; a ticker has at least one (BRK-B, ^GSPC)');
    expect(refusal(() => parseFailedSymbols("ibm not-found: gone\n"))).toBe('line 1: "ibm" has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)');
    expect(refusal(() => parseFailedSymbols("X\u001b]0;pwned\u0007 not-found: gone\n"))).toBe('line 1: "X\\u001b]0;pwned\\u0007" has characters a ticker cannot have; use only letters, digits and . - ^ =');
    expect(refusal(() => parseFailedSymbols("IBM not-found: gone\n\nIBM stale: old\n"))).toBe('line 3: "IBM" is already on line 1; validate names each symbol without a value once');
    expect(refusal(() => parseRanking("IBM 50.00\nIBM 40.00\n"))).toBe('line 2: "IBM" is already on line 1; the ranking names each symbol once');
    expect(refusal(() => parseCrossings("ibm entered-overbought 68.40 -> 71.25\n"))).toBe('line 1: "ibm" has lower-case letters; a stored ticker is upper case (BRK-B, not brk-b)');
    expect(refusal(() => parseCrossings("T entered-overbought 68.40 -> 71.25\nT entered-overbought 68.40 -> 71.25\n"))).toBe('line 2: "T" is already on line 1; the crossings name each symbol once per kind');
    // What persist writes for a jump across the neutral band: one symbol, two kinds.
    expect(parseCrossings("T left-oversold 29.00 -> 71.00\nT entered-overbought 29.00 -> 71.00\n")).toHaveLength(2);
  });

  it("knows a reference Argo left unresolved (a global output no step set) from a value", () => {
    expect(isUnresolvedReference("{{workflow.outputs.parameters.signals}}")).toBe(true);
    expect(isUnresolvedReference("{{workflow.outputs.parameters.signals}}\n")).toBe(true);
    expect(isUnresolvedReference("")).toBe(false);
    expect(isUnresolvedReference("AAPL entered-overbought 68.40 -> 71.25")).toBe(false);
  });
});

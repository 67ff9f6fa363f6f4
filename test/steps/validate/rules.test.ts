import { describe, expect, it } from "vitest";
import type { RsiArtifact, RsiResult } from "../../../steps/domain/artifacts.ts";
import { validateRsi } from "../../../steps/validate/rules.ts";

const policy = { maxFailedShare: 0.25, maxStaleDays: 3 };

function artifact(results: RsiResult[], failures: RsiArtifact["failures"] = [], asOf = "2021-05-17"): RsiArtifact {
  return { schemaVersion: 1, kind: "rsi", asOf, source: "test", method: "seed", period: 14, results, failures };
}
const result = (symbol: string, rsi = 50, date = "2021-05-17"): RsiResult => ({ symbol, rsi, date, close: 10 });
const many = (n: number) => Array.from({ length: n }, (_, i) => result(`S${i}`, 40 + i));
const check = (v: ReturnType<typeof validateRsi>, rule: string) => v.checks.find((c) => c.rule === rule)!;

describe("the validation rules", () => {
  it("passes a clean day and stores it under the latest trading day", () => {
    const v = validateRsi(artifact(many(10)), policy);
    expect(v.passed).toBe(true);
    expect(v.kind).toBe("validated");
    expect(v.tradeDate).toBe("2021-05-17");
    expect(v.checks.map((c) => [c.rule, c.outcome])).toEqual([
      ["unique-symbols", "pass"],
      ["rsi-in-range", "pass"],
      ["trading-day-current", "pass"],
      ["failed-share", "pass"],
    ]);
    expect(v.results).toHaveLength(10);
  });

  it("accepts 0 and 100, rejects anything outside and fails the run", () => {
    const v = validateRsi(artifact([result("A", 0), result("B", 100), result("C", 100.0001), result("D", -1e-9), ...many(20)]), policy);
    expect(v.passed).toBe(false);
    expect(check(v, "rsi-in-range")).toMatchObject({ outcome: "fail", symbols: ["C", "D"] });
    expect(v.results.map((r) => r.symbol)).toEqual(expect.arrayContaining(["A", "B"]));
    expect(v.failures).toEqual([
      { symbol: "C", reason: "out-of-range", message: "RSI 100.0001 is outside 0-100" },
      { symbol: "D", reason: "out-of-range", message: "RSI -1e-9 is outside 0-100" },
    ]);
  });

  it("fails on a symbol listed twice", () => {
    const v = validateRsi(artifact([result("AAPL"), result("AAPL", 60), ...many(5)]), policy);
    expect(v.passed).toBe(false);
    expect(check(v, "unique-symbols")).toMatchObject({ outcome: "fail", symbols: ["AAPL"] });
  });

  it("fails on a symbol that is both a result and a failure", () => {
    const v = validateRsi(artifact([result("AAPL"), ...many(5)], [{ symbol: "AAPL", reason: "network", message: "x" }]), policy);
    expect(check(v, "unique-symbols").outcome).toBe("fail");
  });

  it("rejects a stale series as a warning and counts it as failed", () => {
    // 2021-05-17 is a Monday: Friday the 14th lags by 1 trading day, Tuesday the 11th by 4.
    const v = validateRsi(artifact([result("FRI", 50, "2021-05-14"), result("OLD", 50, "2021-05-11"), ...many(8)]), policy);
    expect(v.passed).toBe(true);
    expect(check(v, "trading-day-current")).toMatchObject({ outcome: "warn", symbols: ["OLD"] });
    expect(v.failures).toEqual([
      { symbol: "OLD", reason: "stale", message: "last close 2021-05-11 is 4 trading days before 2021-05-17 (limit 3)", lastClose: "2021-05-11", tradingDaysBehind: 4 },
    ]);
    expect(v.results.map((r) => r.symbol)).toContain("FRI");
    expect(check(v, "failed-share").message).toBe("1 of 10 symbols failed (10.0%, limit 25.0%)");
  });

  it("does not count a weekend as staleness", () => {
    const v = validateRsi(artifact([result("A", 50, "2021-05-14")], [], "2021-05-16"), { ...policy, maxStaleDays: 0 });
    expect(v.failures).toEqual([]);
    expect(v.tradeDate).toBe("2021-05-14");
  });

  it("counts NYSE sessions, not weekdays: a close before Thanksgiving or Good Friday is no staler for the holiday", () => {
    // Wednesday 2021-11-24 to Monday the 29th: Thursday was Thanksgiving, so 2 sessions (3 weekdays).
    const thanksgiving = validateRsi(artifact([result("WED", 50, "2021-11-24"), result("MON", 50, "2021-11-29")], [], "2021-11-29"), { ...policy, maxStaleDays: 2 });
    expect(thanksgiving.failures).toEqual([]);
    expect(check(thanksgiving, "trading-day-current").outcome).toBe("pass");
    // Thursday 2021-04-01 to Tuesday the 6th: Good Friday closed, so 2 sessions (3 weekdays); one over a limit of 1.
    const goodFriday = validateRsi(artifact([result("THU", 50, "2021-04-01"), result("TUE", 50, "2021-04-06")], [], "2021-04-06"), { ...policy, maxStaleDays: 1 });
    expect(goodFriday.failures).toEqual([
      { symbol: "THU", reason: "stale", message: "last close 2021-04-01 is 2 trading days before 2021-04-06 (limit 1)", lastClose: "2021-04-01", tradingDaysBehind: 2 },
    ]);
    expect(check(goodFriday, "trading-day-current").message).toBe("1 stale series rejected (last close more than 1 trading days before 2021-04-06): THU");
  });

  it("fails a result dated after the as-of date", () => {
    const v = validateRsi(artifact([result("A", 50, "2021-05-18"), ...many(5)]), policy);
    expect(check(v, "trading-day-current")).toMatchObject({ outcome: "fail", symbols: ["A"] });
  });

  it("fails when the failed share is over the limit and passes at the limit", () => {
    const failures = (n: number) => Array.from({ length: n }, (_, i) => ({ symbol: `F${i}`, reason: "not-found" as const, message: "gone" }));
    expect(validateRsi(artifact(many(3), failures(1)), policy).passed).toBe(true); // 25%
    const over = validateRsi(artifact(many(3), failures(2)), policy); // 40%
    expect(over.passed).toBe(false);
    expect(check(over, "failed-share")).toMatchObject({ outcome: "fail", message: "2 of 5 symbols failed (40.0%, limit 25.0%)" });
  });

  it("fails a run with no symbols at all", () => {
    const v = validateRsi(artifact([]), { ...policy, maxFailedShare: 1 });
    expect(v.passed).toBe(false);
    expect(v.tradeDate).toBeNull();
  });
});

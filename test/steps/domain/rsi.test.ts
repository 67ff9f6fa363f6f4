import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cutlerRsi, rsi, seedRsi, wilderRsi, type Close, type RsiMethod } from "../../../steps/domain/rsi.ts";
import { REPO_ROOT } from "../../support/cli.ts";

/** Values computed by pandas 1.5.3 and a transcription of TA-Lib's ta_RSI.c (see generate.py). */
interface ReferenceCase {
  name: string;
  closes: Close[];
  seed: number | null;
  wilder: number | null;
  cutler: number | null;
}
const reference = JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/rsi/reference-values.json"), "utf8")) as {
  cases: ReferenceCase[];
};
const METHODS: RsiMethod[] = ["seed", "wilder", "cutler"];

describe("RSI against the reference values", () => {
  for (const method of METHODS) {
    describe(method, () => {
      for (const c of reference.cases) {
        it(`${c.name}`, () => {
          const outcome = rsi(c.closes, method, 14);
          const expected = c[method];
          if (expected === null) {
            expect(outcome.ok).toBe(false);
            return;
          }
          if (!outcome.ok) throw new Error(`expected ${expected}, got ${outcome.reason}: ${outcome.message}`);
          expect(Math.abs(outcome.rsi - expected)).toBeLessThanOrEqual(1e-12);
        });
      }
    });
  }
});

describe("the seed method (the user's original pandas formula)", () => {
  const find = (name: string) => reference.cases.find((c) => c.name === name)!;

  it("needs 15 closes: 14 give too-few-closes", () => {
    const outcome = seedRsi(find("fourteen closes: too few").closes);
    expect(outcome).toMatchObject({ ok: false, reason: "too-few-closes" });
    expect(seedRsi(find("fifteen closes exactly").closes).ok).toBe(true);
  });

  it("gives 100 when prices only rose and 0 when they only fell", () => {
    expect(seedRsi(find("only rises").closes)).toMatchObject({ ok: true, rsi: 100 });
    expect(seedRsi(find("only falls").closes)).toMatchObject({ ok: true, rsi: 0 });
  });

  it("reports no-movement, not a number, when no close ever changed", () => {
    expect(seedRsi(find("no movement at all").closes)).toMatchObject({ ok: false, reason: "no-movement" });
  });

  it("loses two changes to a missing close, as pandas does", () => {
    expect(seedRsi(find("a missing close leaves too few changes").closes)).toMatchObject({ ok: false, reason: "too-few-closes" });
  });

  it("reports the last observed close's index when the last close is missing", () => {
    const closes = find("a missing last close").closes;
    const outcome = seedRsi(closes);
    expect(outcome.ok && outcome.index).toBe(closes.length - 2);
  });

  it("differs from Wilder's RSI by a visible amount on three months of real prices", () => {
    const nvda = find("NVDA last 63 bars to 2022-01-28").closes;
    const seed = seedRsi(nvda);
    const wilder = wilderRsi(nvda);
    if (!seed.ok || !wilder.ok) throw new Error("both defined");
    const gap = Math.abs(seed.rsi - wilder.rsi);
    expect(gap).toBeGreaterThan(0.1);
    expect(gap).toBeLessThan(1);
  });
});

describe("the wilder method (TA-Lib)", () => {
  it("reproduces the classic 14-period example: first value 70.46, then 66.25", () => {
    const closes = reference.cases.find((c) => c.name === "classic Wilder example, 33 closes")!.closes;
    const first = wilderRsi(closes.slice(0, 15));
    const second = wilderRsi(closes.slice(0, 16));
    expect(first.ok && first.rsi.toFixed(2)).toBe("70.46");
    expect(second.ok && second.rsi.toFixed(2)).toBe("66.25");
  });

  it("reports no-movement where TA-Lib would return 0", () => {
    expect(wilderRsi(Array(20).fill(7))).toMatchObject({ ok: false, reason: "no-movement" });
    expect(cutlerRsi(Array(20).fill(7))).toMatchObject({ ok: false, reason: "no-movement" });
  });
});

describe("cutler", () => {
  it("averages the last period changes plainly: earlier closes do not count", () => {
    const tail = [10, 11, 10.5, 12, 11.8, 12.5, 12.1, 13, 12.7, 13.3, 13.1, 13.9, 13.6, 14.2, 14];
    // The 14 changes of the tail: gains 1 + 1.5 + 0.7 + 0.9 + 0.6 + 0.8 + 0.6 = 6.1,
    // losses 0.5 + 0.2 + 0.4 + 0.3 + 0.2 + 0.3 + 0.2 = 2.1; RSI = 100 * 6.1 / (6.1 + 2.1).
    const expected = (100 * 6.1) / 8.2;
    for (const closes of [tail, [5, ...tail], [99, 1, 50, ...tail]]) {
      const outcome = cutlerRsi(closes);
      if (!outcome.ok) throw new Error(`expected a value for ${closes.length} closes, got ${outcome.reason}`);
      expect(outcome.rsi).toBeCloseTo(expected, 10);
    }
  });
});

it("refuses a period that is not a positive integer (a bug, not user input)", () => {
  expect(() => rsi([1, 2, 3], "seed", 0)).toThrow(RangeError);
});

describe("too few closes", () => {
  const moving = (n: number): Close[] => Array.from({ length: n }, (_, i) => 10 + (i % 3));

  for (const period of [14, 5]) {
    it(`says a ${period}-period RSI needs ${period + 1} closes, and computes one from exactly that many`, () => {
      for (const method of ["wilder", "cutler"] as const) {
        expect(rsi(moving(period), method, period), method).toEqual({
          ok: false,
          reason: "too-few-closes",
          message: `${period} closes (${period} days) give fewer than the ${period + 1} closes a ${period}-period RSI needs`,
        });
        expect(rsi(moving(period + 1), method, period).ok, method).toBe(true);
      }
      expect(rsi(moving(period), "seed", period)).toEqual({
        ok: false,
        reason: "too-few-closes",
        message: `${period} closes (${period} days) give ${period - 1} changes from one close to the next, fewer than the ${period} a ${period}-period RSI needs (${period + 1} closes, one more for each gap)`,
      });
      expect(rsi(moving(period + 1), "seed", period).ok).toBe(true);
    });
  }

  it("seed: a missing close costs the changes on both sides, so the closes alone are not enough", () => {
    const gapped: Close[] = [...moving(7), null, ...moving(8)]; // 15 closes, 13 changes
    expect(seedRsi(gapped, 14)).toMatchObject({
      ok: false,
      message: "15 closes (16 days) give 13 changes from one close to the next, fewer than the 14 a 14-period RSI needs (15 closes, one more for each gap)",
    });
    expect(seedRsi([...gapped, 11], 14).ok).toBe(true);
  });
});

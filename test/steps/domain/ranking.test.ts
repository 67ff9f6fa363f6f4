import { describe, expect, it } from "vitest";
import { formatRanking, rank, roundHalfEven } from "../../../steps/domain/ranking.ts";

describe("the ranking", () => {
  it("lists strongest first as SYMBOL VALUE with two decimals", () => {
    const ranking = rank([
      { symbol: "CVS", date: "2021-05-17", rsi: 79.2891, close: 1 },
      { symbol: "EBKDY", date: "2021-05-17", rsi: 83.9799, close: 1 },
      { symbol: "T", date: "2021-05-17", rsi: 31, close: 1 },
    ]);
    expect(formatRanking(ranking)).toEqual(["EBKDY 83.98", "CVS 79.29", "T 31.00"]);
  });

  it("orders equal values by symbol so the output is stable", () => {
    const ranking = rank([
      { symbol: "NOC", date: "d", rsi: 67.62, close: 1 },
      { symbol: "AKAM", date: "d", rsi: 67.62, close: 1 },
    ]);
    expect(ranking.map((r) => r.symbol)).toEqual(["AKAM", "NOC"]);
  });
});

describe("rounding to two decimals like Python's round()", () => {
  it("rounds exact ties to the even neighbour, where toFixed would round up", () => {
    expect((50.125).toFixed(2)).toBe("50.13");
    expect(roundHalfEven(50.125)).toBe(50.12);
    expect(roundHalfEven(50.375)).toBe(50.38);
    expect(roundHalfEven(62.625)).toBe(62.62);
    expect(roundHalfEven(0.875)).toBe(0.88);
  });

  it("rounds every other value to the nearest, by its exact binary value", () => {
    // 2.675 is stored as 2.67499999…, so Python's round gives 2.67 too.
    expect(roundHalfEven(2.675)).toBe(2.67);
    expect(roundHalfEven(83.97999)).toBe(83.98);
    expect(roundHalfEven(100)).toBe(100);
    expect(roundHalfEven(0)).toBe(0);
  });
});

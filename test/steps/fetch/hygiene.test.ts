import { describe, expect, it } from "vitest";
import { staleSeries, tradingDayBars } from "../../../steps/fetch/hygiene.ts";

const window = { from: "2021-05-03", asOf: "2021-05-07" };

describe("tradingDayBars", () => {
  it("keeps nulls, drops bars outside the window and sorts by date", () => {
    const bars = tradingDayBars(
      [
        { date: "2021-05-04", close: 11 },
        { date: "2021-04-30", close: 9 },
        { date: "2021-05-03", close: 10 },
        { date: "2021-05-05", close: null },
        { date: "2021-05-07", close: 13 },
        { date: "2021-05-10", close: 14 },
      ],
      window,
    );
    expect(bars).toEqual([
      { date: "2021-05-03", close: 10 },
      { date: "2021-05-04", close: 11 },
      { date: "2021-05-05", close: null },
      { date: "2021-05-07", close: 13 },
    ]);
  });

  it("resolves a day listed twice to its last close, never to a later null", () => {
    expect(
      tradingDayBars(
        [
          { date: "2021-05-06", close: 12 },
          { date: "2021-05-06", close: 12.5 },
          { date: "2021-05-07", close: 13 },
          { date: "2021-05-07", close: null },
          { date: "2021-05-05", close: null },
          { date: "2021-05-05", close: null },
        ],
        window,
      ),
    ).toEqual([
      { date: "2021-05-05", close: null },
      { date: "2021-05-06", close: 12.5 },
      { date: "2021-05-07", close: 13 },
    ]);
  });
});

describe("staleSeries", () => {
  it("lists series whose last close lags the as-of date by more than the allowed trading days", () => {
    const series = [
      { symbol: "FRESH", bars: [{ date: "2021-05-17", close: 1 }] },
      { symbol: "FRIDAY", bars: [{ date: "2021-05-14", close: 1 }] }, // one trading day behind a Monday
      { symbol: "EDGE", bars: [{ date: "2021-05-12", close: 1 }] }, // three behind: allowed
      { symbol: "OLD", bars: [{ date: "2021-05-11", close: 1 }, { date: "2021-05-17", close: null }] },
      { symbol: "EMPTY", bars: [] },
    ];
    expect(staleSeries(series, "2021-05-17", 3)).toEqual([{ symbol: "OLD", lastClose: "2021-05-11", tradingDaysBehind: 4 }]);
  });

  it("counts the exchange's sessions, as validate does: Thanksgiving is not one", () => {
    const series = [{ symbol: "WED", bars: [{ date: "2021-11-24", close: 1 }] }];
    expect(staleSeries(series, "2021-11-29", 2)).toEqual([]);
    expect(staleSeries(series, "2021-11-29", 1)).toEqual([{ symbol: "WED", lastClose: "2021-11-24", tradingDaysBehind: 2 }]);
  });
});

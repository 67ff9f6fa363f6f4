import { describe, expect, it } from "vitest";
import { crossings, formatSignals, zoneOf } from "../../../steps/report/signals.ts";

const day = (values: Record<string, number>) => Object.entries(values).map(([symbol, rsi]) => ({ symbol, rsi }));

describe("zones", () => {
  it("counts 70 as overbought and 30 as oversold, the lines belonging to the zones", () => {
    expect(zoneOf(70)).toBe("overbought");
    expect(zoneOf(69.99)).toBe("neutral");
    expect(zoneOf(30)).toBe("oversold");
    expect(zoneOf(30.01)).toBe("neutral");
    expect(zoneOf(100)).toBe("overbought");
    expect(zoneOf(0)).toBe("oversold");
  });

  it("judges the value as shown with two decimals, so the number and its marker agree", () => {
    expect(zoneOf(69.996)).toBe("overbought"); // shown as 70.00
    expect(zoneOf(69.994)).toBe("neutral"); // shown as 69.99
    expect(zoneOf(30.004)).toBe("oversold"); // shown as 30.00
    expect(zoneOf(30.006)).toBe("neutral"); // shown as 30.01
  });
});

describe("crossings since the previous stored trading day", () => {
  it("reports each of the four kinds, with the zones and both values", () => {
    const signals = crossings(day({ UP: 65, DOWN: 75, SINK: 35, RISE: 25, FLAT: 50 }), day({ UP: 72, DOWN: 68, SINK: 28, RISE: 33, FLAT: 51 }));
    expect(signals).toEqual([
      { symbol: "UP", kind: "entered-overbought", from: "neutral", to: "overbought", previous: 65, today: 72 },
      { symbol: "DOWN", kind: "left-overbought", from: "overbought", to: "neutral", previous: 75, today: 68 },
      { symbol: "SINK", kind: "entered-oversold", from: "neutral", to: "oversold", previous: 35, today: 28 },
      { symbol: "RISE", kind: "left-oversold", from: "oversold", to: "neutral", previous: 25, today: 33 },
    ]);
  });

  it("crosses at exactly 70 and exactly 30", () => {
    const signals = crossings(
      day({ A: 69.99, B: 70, C: 30.01, D: 30, E: 70, F: 30 }),
      day({ A: 70, B: 69.99, C: 30, D: 30.01, E: 70, F: 30 }),
    );
    expect(signals.map((s) => `${s.symbol} ${s.kind}`)).toEqual([
      "A entered-overbought",
      "B left-overbought",
      "C entered-oversold",
      "D left-oversold",
    ]);
  });

  it("stays quiet while a symbol stays in its zone", () => {
    expect(crossings(day({ A: 80, B: 20, C: 50 }), day({ A: 71, B: 29.5, C: 69.99 }))).toEqual([]);
  });

  it("gives no signal to a symbol without a value on the previous day, or without one today", () => {
    expect(crossings(day({ OLD: 50 }), day({ NEW: 85 }))).toEqual([]);
    expect(crossings([], day({ NEW: 15 }))).toEqual([]);
  });

  it("reports a jump across the whole band as leaving one zone and entering the other", () => {
    const signals = crossings(day({ JUMP: 29, DROP: 71 }), day({ JUMP: 71, DROP: 29 }));
    expect(signals.map((s) => `${s.symbol} ${s.kind} ${s.from}->${s.to}`)).toEqual([
      "JUMP entered-overbought oversold->overbought",
      "DROP left-overbought overbought->oversold",
      "DROP entered-oversold overbought->oversold",
      "JUMP left-oversold oversold->overbought",
    ]);
  });

  it("lists by kind, then by symbol, whatever the input order", () => {
    const signals = crossings(day({ Z: 60, A: 60, M: 40 }), day({ M: 25, Z: 75, A: 71 }));
    expect(signals.map((s) => s.symbol)).toEqual(["A", "Z", "M"]);
  });

  it("refuses a symbol listed twice in a day", () => {
    expect(() => crossings([{ symbol: "A", rsi: 50 }, { symbol: "A", rsi: 60 }], [])).toThrow(/A appears twice in previous/);
  });
});

describe("the signals as text", () => {
  it("writes one line per signal: symbol, kind, the two values shown with two decimals", () => {
    const text = formatSignals(crossings(day({ NVDA: 68.4, T: 31.125 }), day({ NVDA: 71.254, T: 29.875 })));
    expect(text.split("\n")).toEqual(["NVDA entered-overbought 68.40 -> 71.25", "T entered-oversold 31.12 -> 29.88"]);
  });

  it("is empty when nothing crossed", () => {
    expect(formatSignals([])).toBe("");
  });
});

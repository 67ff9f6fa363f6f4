import { describe, expect, it } from "vitest";
import type { Document, Element } from "@xmldom/xmldom";
import { renderHistoryChart, type HistoryChartInput } from "../../../steps/report/history-chart.ts";
import { chartFixture, storedTradingDays } from "./fixture.ts";
import { elements, parseXml, pathPoints, subpaths, text, withClass } from "./xml.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

function chart(input: HistoryChartInput): Document {
  return parseXml(renderHistoryChart(input));
}

function seriesOf(doc: Document, symbol: string): Element {
  const found = withClass(doc, "g", "series").find((g) => g.getAttribute("data-symbol") === symbol);
  if (!found) throw new Error(`no series for ${symbol}`);
  return found;
}

/** The segments of a series' line, each as its points. */
function lineSegments(doc: Document, symbol: string): { x: number; y: number }[][] {
  const path = elements(seriesOf(doc, symbol), "path")[0];
  return path ? subpaths(path.getAttribute("d")!).map(pathPoints) : [];
}

/** A symbol's value every day but the listed ones, rising by one a day. */
function series(symbol: string, days: readonly string[], missing: readonly string[] = []) {
  return { symbol, points: days.flatMap((date, i) => (missing.includes(date) ? [] : [{ date, rsi: 40 + i }])) };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

describe("the history chart", () => {
  it("is a standalone SVG document: XML that parses strictly, in the SVG namespace, with a size", () => {
    const svg = renderHistoryChart(chartFixture(3));
    expect(svg.startsWith(`<?xml version="1.0" encoding="UTF-8"?>`)).toBe(true);
    const root = parseXml(svg).documentElement!;
    expect(root.localName).toBe("svg");
    expect(root.namespaceURI).toBe(SVG_NS);
    expect(Number(root.getAttribute("width"))).toBeGreaterThan(0);
    expect(Number(root.getAttribute("height"))).toBeGreaterThan(0);
  });

  it("splits a line where a trading day has no value, and never draws across that day", () => {
    const days = storedTradingDays(20);
    const gap = days[8]!;
    const doc = chart({ tradingDays: days, series: [series("FULL", days), series("HOLE", days, [gap])] });
    const full = lineSegments(doc, "FULL");
    expect(full).toHaveLength(1);
    const gapX = full[0]![8]!.x; // FULL has a value on every day: its ninth point is on the missing day
    const hole = lineSegments(doc, "HOLE");
    expect(hole.map((s) => s.length)).toEqual([8, 11]);
    expect(hole[0]!.at(-1)!.x).toBeLessThan(gapX);
    expect(hole[1]![0]!.x).toBeGreaterThan(gapX);
    // The same days sit at the same x in both series.
    expect(hole.flat().map((p) => p.x)).toEqual(full[0]!.filter((_, i) => i !== 8).map((p) => p.x));
  });

  it("takes its x axis from the listed trading days: a day no charted symbol has is still a gap in every line", () => {
    const days = storedTradingDays(10);
    const nobody = days[4]!;
    const doc = chart({ tradingDays: days, series: [series("A", days, [nobody]), series("B", days, [nobody])] });
    expect(lineSegments(doc, "A")).toHaveLength(2);
    expect(lineSegments(doc, "B")).toHaveLength(2);
    // Without the listed days the axis is only the days with values, and the lines join up.
    const joined = chart({ tradingDays: [], series: [series("A", days, [nobody])] });
    expect(lineSegments(joined, "A")).toHaveLength(1);
  });

  it("draws a value alone between two gaps as a dot", () => {
    const days = storedTradingDays(7);
    const doc = chart({ tradingDays: days, series: [series("LONE", days, [days[2]!, days[4]!])] });
    expect(lineSegments(doc, "LONE").map((s) => s.length)).toEqual([2, 1, 2]);
    expect(elements(seriesOf(doc, "LONE"), "circle")).toHaveLength(1);
  });

  it("names every symbol in the legend, in order, each with its own colour and dash", () => {
    const input = chartFixture(12);
    const doc = chart(input);
    const items = withClass(doc, "g", "item");
    expect(items.map((g) => text(g))).toEqual(input.series.map((s) => s.symbol));
    const styles = items.map((g) => {
      const line = elements(g, "line")[0]!;
      return `${line.getAttribute("stroke")} ${line.getAttribute("stroke-dasharray") ?? "solid"}`;
    });
    expect(new Set(styles).size).toBe(12);
    // The first eight differ in colour alone; the legend's swatch is the line's own style.
    expect(new Set(styles.slice(0, 8).map((s) => s.split(" ")[0])).size).toBe(8);
    input.series.forEach((s, i) => {
      const path = elements(seriesOf(doc, s.symbol), "path")[0]!;
      expect(`${path.getAttribute("stroke")} ${path.getAttribute("stroke-dasharray") ?? "solid"}`).toBe(styles[i]);
    });
  });

  it("shades the band between 30 and 70 on a 0–100 axis, at the heights of its 30 and 70 labels", () => {
    const doc = chart(chartFixture(3));
    const yTicks = withClass(doc, "text", "tick");
    expect(yTicks.map(text)).toEqual(["0", "30", "50", "70", "100"]);
    const levelY = (rsi: string) => Number(withClass(doc, "line", "level").find((l) => l.getAttribute("data-rsi") === rsi)!.getAttribute("y1"));
    const labelY = (rsi: string) => Number(yTicks.find((t) => text(t) === rsi)!.getAttribute("y"));
    for (const rsi of ["0", "30", "50", "70", "100"]) expect(Math.abs(labelY(rsi) - levelY(rsi))).toBeLessThan(6);
    const band = withClass(doc, "rect", "band")[0]!;
    const top = Number(band.getAttribute("y"));
    expect(top).toBeCloseTo(levelY("70"), 1);
    expect(top + Number(band.getAttribute("height"))).toBeCloseTo(levelY("30"), 1);
    expect(levelY("100")).toBeLessThan(levelY("70"));
    expect(levelY("30")).toBeLessThan(levelY("0"));
  });

  it("labels the x axis with dates, a few of them, on the trading days they name", () => {
    const input = chartFixture(3); // 145 trading days, Oct 2020 to May 2021
    const doc = chart(input);
    const ticks = withClass(doc, "g", "tick");
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(12);
    const xs = ticks.map((g) => Number(elements(g, "text")[0]!.getAttribute("x")));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    for (const g of ticks) {
      const date = g.getAttribute("data-date")!;
      expect(input.tradingDays).toContain(date);
      const label = text(elements(g, "text")[0]!);
      const asMonth = `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
      expect([date, asMonth, date.slice(0, 4)]).toContain(label);
    }
  });

  it("labels a short range by day and a long one by month or year, never one label per day", () => {
    const labelsFor = (days: string[]) => withClass(chart({ tradingDays: days, series: [series("A", days)] }), "g", "tick").map((g) => text(elements(g, "text")[0]!));
    const week = labelsFor(storedTradingDays(5));
    expect(week).toEqual(storedTradingDays(5)); // five days: each one labelled, as a date
    const years = storedTradingDays(1500);
    const long = labelsFor(years);
    expect(long.length).toBeLessThan(15);
    for (const label of long) expect(label).toMatch(/^(\d{4}|[A-Z][a-z]{2} \d{4})$/);
  });

  it("escapes symbols and the title", () => {
    const days = storedTradingDays(3);
    const svg = renderHistoryChart({ title: `RSI <14> & "seed"`, tradingDays: days, series: [series(`A&B<C>'`, days)] });
    const doc = parseXml(svg);
    expect(withClass(doc, "g", "item").map(text)).toEqual([`A&B<C>'`]);
    expect(elements(doc, "text").map(text)).toContain(`RSI <14> & "seed"`);
  });

  it("draws the frame and says so when the range holds no values", () => {
    const doc = chart({ tradingDays: [], series: [{ symbol: "A", points: [] }] });
    expect(elements(doc, "text").map(text)).toContain("No stored values in this range.");
    expect(lineSegments(doc, "A")).toEqual([]);
  });

  it("gives the same bytes for the same input, whatever order the days and points come in", () => {
    const input = chartFixture(3);
    const shuffled = { ...input, tradingDays: [...input.tradingDays].reverse(), series: input.series.map((s) => ({ ...s, points: [...s.points].reverse() })) };
    expect(renderHistoryChart(shuffled)).toBe(renderHistoryChart(input));
  });

  it("refuses what it cannot draw truthfully: a day twice in a series, a date that is not YYYY-MM-DD", () => {
    const days = storedTradingDays(3);
    expect(() => renderHistoryChart({ tradingDays: days, series: [{ symbol: "A", points: [{ date: days[0]!, rsi: 50 }, { date: days[0]!, rsi: 51 }] }] })).toThrow(
      /A: 2021-05-13 appears twice/,
    );
    expect(() => renderHistoryChart({ tradingDays: ["17/05/2021"], series: [] })).toThrow(/YYYY-MM-DD/);
  });
});

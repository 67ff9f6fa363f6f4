import { describe, expect, it } from "vitest";
import type { Element } from "@xmldom/xmldom";
import { roundHalfEven } from "../../../steps/domain/ranking.ts";
import { renderReport, reportSignals, type RankedSymbolHistory, type ReportInput } from "../../../steps/report/report.ts";
import { sparkline } from "../../../steps/report/sparkline.ts";
import { HOSTILE_MESSAGE, reportFixture, storedTradingDays, symbolsOf, TRADE_DATE } from "./fixture.ts";
import { elements, parseXml, pathPoints, reportRows, subpaths, text, withClass } from "./xml.ts";

const DAYS = storedTradingDays(5); // 2021-05-11 … 2021-05-17
const PREVIOUS = DAYS.at(-2)!;

/** A symbol with the same value on every one of the five days, and `today` on the trade day. */
function steady(symbol: string, previous: number, today: number): RankedSymbolHistory {
  return { symbol, rsi: today, history: DAYS.map((date, i) => ({ date, rsi: i === DAYS.length - 1 ? today : previous })) };
}

function input(ranking: RankedSymbolHistory[], more: Partial<ReportInput> = {}): ReportInput {
  return {
    asOf: "2021-05-18",
    tradeDate: TRADE_DATE,
    method: "seed",
    period: 14,
    runId: "run-1",
    steps: [],
    tradingDays: DAYS,
    ranking,
    failures: [],
    stale: [],
    ...more,
  };
}

function linePath(sparkline: Element): string {
  return elements(sparkline, "path").find((p) => !p.getAttribute("class"))?.getAttribute("d") ?? "";
}

describe("the run report", () => {
  it("is one well-formed document holding every ranked symbol once, strongest first", () => {
    const { input: day } = reportFixture(symbolsOf(180));
    const shown = reportRows(renderReport(day));
    const expected = [...day.ranking].sort((a, b) => b.rsi - a.rsi || (a.symbol < b.symbol ? -1 : 1));
    expect(shown.map((r) => r.symbol)).toEqual(expected.map((r) => r.symbol));
    expect(shown.map((r) => r.rank)).toEqual(expected.map((_, i) => String(i + 1)));
    expect(new Set(shown.map((r) => r.symbol)).size).toBe(day.ranking.length);
  });

  it("shows each value with two decimals, ties rounded to even as the stored history was", () => {
    const shown = reportRows(renderReport(input([steady("TIE", 50, 50.125), steady("UP", 50, 62.625), steady("PLAIN", 50, 41.236)])));
    expect(shown.map((r) => [r.symbol, r.value])).toEqual([
      ["UP", "62.62"],
      ["TIE", "50.12"],
      ["PLAIN", "41.24"],
    ]);
  });

  it("marks overbought (70 and above) and oversold (30 and below) with a class for colour and a text marker", () => {
    const shown = reportRows(
      renderReport(
        input([
          steady("HOT", 60, 85),
          steady("EDGEHI", 60, 70),
          steady("ROUNDHI", 60, 69.996),
          steady("BELOW", 60, 69.99),
          steady("MID", 60, 50),
          steady("ABOVE", 40, 30.01),
          steady("EDGELO", 40, 30),
          steady("COLD", 40, 10),
        ]),
      ),
    );
    const marked = (marker: string) => shown.filter((r) => r.marker === marker).map((r) => r.symbol);
    expect(marked("OB")).toEqual(["HOT", "EDGEHI", "ROUNDHI"]);
    expect(marked("OS")).toEqual(["EDGELO", "COLD"]);
    for (const r of shown) {
      expect(r.zoneClass).toBe(r.marker === "OB" ? "ob" : r.marker === "OS" ? "os" : "");
    }
  });

  it("gives each value's change since the previous stored trading day, or says it is new", () => {
    const late = { symbol: "LATE", rsi: 55, history: [{ date: TRADE_DATE, rsi: 55 }] };
    const missedYesterday = { symbol: "MISSED", rsi: 45, history: [{ date: DAYS[0]!, rsi: 44 }, { date: TRADE_DATE, rsi: 45 }] };
    const shown = reportRows(renderReport(input([steady("UP", 60.004, 61.496), steady("DOWN", 40.5, 38.25), steady("SAME", 50, 50.001), late, missedYesterday])));
    const change = Object.fromEntries(shown.map((r) => [r.symbol, r.change]));
    // Shown as 60.00 and 61.50: the change is the difference of what is shown (1.50), so the
    // numbers on the page add up, not the rounded raw difference (1.492 → 1.49).
    expect(change).toEqual({ UP: "+1.50", DOWN: "−2.25", SAME: "0.00", LATE: "new", MISSED: "–" });
  });

  it("colours each change by its direction, keeps its sign as the text cue, and makes a move of 10 points or more bold", () => {
    const shown = reportRows(
      renderReport(input([steady("UP", 50, 52), steady("BIGUP", 50, 60), steady("DOWN", 50, 48.5), steady("BIGDN", 60, 49.99), steady("SAME", 50, 50.001)])),
    );
    const changes = Object.fromEntries(shown.map((r) => [r.symbol, [r.change, r.changeDirection, r.changeIsBig]]));
    expect(changes).toEqual({
      UP: ["+2.00", "up", false],
      BIGUP: ["+10.00", "up", true],
      DOWN: ["−1.50", "dn", false],
      BIGDN: ["−10.01", "dn", true],
      SAME: ["0.00", "", false],
    });
  });

  it("shows today's close and its change since the previous stored trading day's close; nothing, never 0, where that day kept no close", () => {
    const withCloses = (symbol: string, rsi: number, closes: { date: string; close: number }[]) => ({ ...steady(symbol, 50, rsi), closes });
    const shown = reportRows(
      renderReport(
        input([
          withCloses("RISE", 60, [{ date: PREVIOUS, close: 100 }, { date: TRADE_DATE, close: 101.5 }]),
          withCloses("FALL", 55, [{ date: DAYS[0]!, close: 300 }, { date: PREVIOUS, close: 200 }, { date: TRADE_DATE, close: 190 }]),
          withCloses("FLAT", 52, [{ date: PREVIOUS, close: 42.125 }, { date: TRADE_DATE, close: 42.125 }]),
          // The previous day was imported from the original program's table: it kept no close.
          withCloses("IMPORTED", 51, [{ date: TRADE_DATE, close: 12.345 }]),
          steady("NONE", 50, 50),
        ]),
      ),
    );
    const closes = Object.fromEntries(shown.map((r) => [r.symbol, [r.close, r.priceChange, r.priceDirection]]));
    expect(closes).toEqual({
      RISE: ["101.50", "+1.50%", "up"],
      FALL: ["190.00", "−5.00%", "dn"],
      FLAT: ["42.13", "0.00%", ""],
      IMPORTED: ["12.35", "", ""],
      NONE: ["", "", ""],
    });
  });

  it("leaves the close columns out of a page where no value has a close (a day of the imported history)", () => {
    const html = renderReport(input([steady("A", 50, 55), steady("B", 50, 45)]));
    expect(reportRows(html).map((r) => r.close)).toEqual([undefined, undefined]);
    expect(html).not.toContain("<span>close</span>");
  });

  it("with one stored trading day draws no sparkline, and says the lines start on the second", () => {
    const html = renderReport(input([{ symbol: "FIRST", rsi: 75, history: [] }, { symbol: "SECOND", rsi: 45, history: [] }], { tradingDays: [TRADE_DATE] }));
    expect(elements(parseXml(html), "svg")).toHaveLength(0);
    expect(html).toContain("the lines start on the second stored trading day");
  });

  it("names a local run by the time it started and the imported history as imported, the full run id as the tooltip", () => {
    const metaOf = (runId: string) => withClass(parseXml(renderReport(input([steady("A", 50, 50)], { runId }))), "p", "meta")[0]!;
    const runName = (runId: string) => {
      const name = elements(metaOf(runId), "b").at(-1)!;
      return [text(name), name.getAttribute("title")];
    };
    expect(runName("local-2021-05-18T22:05:11.482Z")).toEqual(["local, 2021-05-18 22:05 UTC", "local-2021-05-18T22:05:11.482Z"]);
    expect(runName("import-legacy:2021-06-01T08:00:00.000Z")).toEqual(["imported from the original program's table", "import-legacy:2021-06-01T08:00:00.000Z"]);
    expect(runName("stock-rsi-1621373400")).toEqual(["stock-rsi-1621373400", null]);
    expect(text(metaOf("local-2021-05-18T22:05:11.482Z"))).toContain("run local, 2021-05-18 22:05 UTC");
  });

  it("draws a gap, not a line, where a stored trading day has no value for the symbol", () => {
    const gap = DAYS[2]!;
    const withGap = { symbol: "GAP", rsi: 55, history: DAYS.filter((d) => d !== gap).map((date, i) => ({ date, rsi: 40 + i * 5 })) };
    const shown = reportRows(renderReport(input([withGap, steady("FULL", 50, 50)])));
    const gapLine = subpaths(linePath(shown.find((r) => r.symbol === "GAP")!.sparkline));
    expect(gapLine).toHaveLength(2);
    // One slot per trading day: the missing day is slot 2, and neither segment reaches it.
    expect(gapLine.map((s) => pathPoints(s).map((p) => p.x))).toEqual([[0, 1], [3, 4]]);
    expect(subpaths(linePath(shown.find((r) => r.symbol === "FULL")!.sparkline))).toHaveLength(1);
  });

  it("puts every sparkline on the same 0–100 scale, with the 30–70 band and a dot on today's value", () => {
    const shown = reportRows(renderReport(input([steady("A", 20, 80), steady("B", 90, 10)])));
    for (const { symbol, sparkline } of shown) {
      expect(sparkline.getAttribute("viewBox")).toBe(`0 0 ${DAYS.length - 1} 100`);
      const band = elements(sparkline, "rect")[0]!;
      expect([band.getAttribute("y"), band.getAttribute("height")]).toEqual(["30", "40"]); // RSI 70 down to 30
      const points = pathPoints(linePath(sparkline));
      const [before, today] = symbol === "A" ? [20, 80] : [90, 10];
      expect(points.map((p) => 100 - p.y)).toEqual([before, before, before, before, today]);
      const dot = pathPoints(elements(sparkline, "path").find((p) => p.getAttribute("class") === "e")!.getAttribute("d")!);
      expect(dot[0]).toEqual({ x: DAYS.length - 1, y: 100 - today });
    }
  });

  it("draws a sparkline of one day as its dot at the right edge, where today is on every line, not at the left", () => {
    const one = parseXml(sparkline([42])).documentElement!;
    const two = parseXml(sparkline([undefined, 42])).documentElement!;
    for (const svg of [one, two]) {
      expect(svg.getAttribute("viewBox")).toBe("0 0 1 100");
      const dot = elements(svg, "path").find((p) => p.getAttribute("class") === "e")!;
      expect(pathPoints(dot.getAttribute("d")!)).toEqual([{ x: 1, y: 58 }]);
      expect(pathPoints(linePath(svg))).toEqual([{ x: 1, y: 58 }]);
    }
  });

  it("lists the crossings since the previous stored trading day under their kind", () => {
    const html = renderReport(input([steady("UP", 65, 72), steady("DOWN", 75, 68), steady("SINK", 35, 28), steady("RISE", 25, 33), steady("CALM", 50, 55)]));
    const section = elements(parseXml(html), "section").find((s) => s.getAttribute("id") === "crossings")!;
    expect(text(elements(section, "h2")[0]!)).toBe(`Crossings since ${PREVIOUS}`);
    const listed = elements(section, "li").map((li) => `${li.getAttribute("data-kind")}: ${text(li)}`);
    expect(listed).toEqual([
      "entered-overbought: UP 65.00 → 72.00",
      "left-overbought: DOWN 75.00 → 68.00",
      "entered-oversold: SINK 35.00 → 28.00",
      "left-oversold: RISE 25.00 → 33.00",
    ]);
  });

  it("says so when there is no earlier stored trading day to compare with", () => {
    const html = renderReport(input([{ symbol: "FIRST", rsi: 75, history: [] }], { tradingDays: [TRADE_DATE] }));
    expect(reportSignals(input([{ symbol: "FIRST", rsi: 75, history: [] }], { tradingDays: [TRADE_DATE] }))).toEqual({ previousTradeDate: null, signals: [] });
    expect(html).toContain("No earlier stored trading day to compare with.");
    expect(reportRows(html)[0]!.change).toBe("new");
  });

  it("shows the run: as-of date, trade date, method, period, run id and one line per step", () => {
    const html = renderReport(
      input([steady("A", 50, 50)], {
        method: "wilder",
        period: 9,
        runId: "stock-rsi-abc12",
        steps: [
          { step: "fetch", summary: "fetched 1 of 1 symbols" },
          { step: "persist", summary: "stored 1 values" },
        ],
      }),
    );
    const doc = parseXml(html);
    const meta = text(withClass(doc, "p", "meta")[0]!);
    for (const part of ["as of 2021-05-18", `trade date ${TRADE_DATE}`, "method wilder", "period 9", "run stock-rsi-abc12"]) expect(meta).toContain(part);
    expect(elements(withClass(doc, "ul", "steps")[0]!, "li").map(text)).toEqual(["fetch fetched 1 of 1 symbols", "persist stored 1 values"]);
  });

  it("lists the failures with reason and message, and the stale series", () => {
    const { input: day } = reportFixture(symbolsOf(180));
    const doc = parseXml(renderReport(day));
    const section = (id: string) => elements(doc, "section").find((s) => s.getAttribute("id") === id)!;
    const failureRows = elements(section("failures"), "tr").slice(1).map((tr) => elements(tr, "td").map(text));
    expect(failureRows).toHaveLength(day.failures.length);
    expect(new Set(failureRows.map((r) => r.join("|")))).toEqual(new Set(day.failures.map((f) => `${f.symbol}|${f.reason}|${f.message}`)));
    const staleRows = elements(section("stale"), "tr").slice(1).map((tr) => elements(tr, "td").map(text));
    expect(staleRows).toEqual(day.stale.map((s) => [s.symbol, s.lastClose, String(s.tradingDaysBehind)]));
  });

  it("escapes every piece of text: a message with a script tag is text, not markup", () => {
    const hostile = `<img src=x onerror="alert(1)">&amp;'`;
    const html = renderReport(
      input([steady(hostile, 50, 50)], {
        runId: `run<"&'>`,
        source: "<b>yahoo</b>",
        steps: [{ step: "fetch<", summary: "a & b <c>" }],
        failures: [{ symbol: "X&Y", reason: "server-error", message: HOSTILE_MESSAGE }],
        stale: [{ symbol: "<S>", lastClose: "2021-05-10", tradingDaysBehind: 5 }],
      }),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const doc = parseXml(html); // an unescaped & or < would fail here
    const cells = elements(doc, "td").map(text);
    expect(cells).toContain(HOSTILE_MESSAGE);
    expect(cells).toContain("X&Y");
    expect(cells).toContain("<S>");
    expect(reportRows(html)[0]!.symbol).toBe(hostile);
    expect(text(withClass(doc, "p", "meta")[0]!)).toContain(`run run<"&'>`);
  });

  it("loads nothing: no script, no link, no src or href, no url() in its style", () => {
    const html = renderReport(reportFixture(symbolsOf(180)).input);
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|<img/i);
    expect(html).not.toMatch(/\s(src|href|xlink:href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    // The one remote address in the input is a failure message's text, shown and not loaded.
    expect(html.match(/https?:\/\//g)).toHaveLength(1);
  });

  it("gives the same bytes for the same day, whatever order the ranking comes in", () => {
    const { input: day } = reportFixture(symbolsOf(180));
    const reversed = { ...day, ranking: [...day.ranking].reverse(), failures: [...day.failures].reverse() };
    expect(renderReport(reversed)).toBe(renderReport(day));
  });

  it("stays small: under 700 bytes a ranked symbol with 60-day sparklines, at 180 and at 1,000 symbols", () => {
    for (const n of [180, 1000]) {
      const { input: day } = reportFixture(symbolsOf(n));
      const bytes = Buffer.byteLength(renderReport(day));
      expect(bytes / day.ranking.length).toBeLessThan(700);
    }
  });

  it("counts overbought and oversold symbols in its tiles, matching the markers", () => {
    const { input: day } = reportFixture(symbolsOf(180));
    const html = renderReport(day);
    const tiles = Object.fromEntries(
      withClass(parseXml(html), "div", "tile").map((t) => [text(t).replace(/^\d+/, ""), Number(text(elements(t, "b")[0]!))]),
    );
    expect(tiles.ranked).toBe(day.ranking.length);
    expect(tiles.overbought).toBe(day.ranking.filter((r) => roundHalfEven(r.rsi) >= 70).length);
    expect(tiles.oversold).toBe(day.ranking.filter((r) => roundHalfEven(r.rsi) <= 30).length);
    expect(tiles.failed).toBe(day.failures.length);
    expect(tiles.stale).toBe(day.stale.length);
  });

  it("refuses a symbol ranked twice and a value that is not a number", () => {
    expect(() => renderReport(input([steady("A", 50, 50), steady("A", 50, 60)]))).toThrow(/A is ranked twice/);
    expect(() => renderReport(input([steady("A", 50, Number.NaN)]))).toThrow(/RSI of A is NaN/);
  });
});

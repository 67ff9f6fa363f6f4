/**
 * The report and the chart as a person sees them: opened from a file in headless Chromium with
 * JavaScript off, as the Argo UI's sandboxed frame shows an artifact.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roundHalfEven } from "../../../steps/domain/ranking.ts";
import { renderHistoryChart } from "../../../steps/report/history-chart.ts";
import { renderReport } from "../../../steps/report/report.ts";
import { browserAvailable, launchChromium, pixelCensus, type HeadlessChromium, type OpenedFile } from "../../support/browser.ts";
import { chartFixture, HOSTILE_MESSAGE, reportFixture, symbolsOf } from "./fixture.ts";

const canRun = browserAvailable();

describe.skipIf(!canRun)("in a browser with JavaScript off", () => {
  let browser: HeadlessChromium;
  let dir: string;
  const day = reportFixture(symbolsOf(180));
  const chartInput = chartFixture(3);
  let report: OpenedFile;
  let chart: OpenedFile;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "stock-rsi-report-"));
    browser = await launchChromium();
    const reportFile = join(dir, "report.html");
    writeFileSync(reportFile, renderReport(day.input));
    report = await browser.open(reportFile);
    const chartFile = join(dir, "chart.svg");
    writeFileSync(chartFile, renderHistoryChart(chartInput));
    chart = await browser.open(chartFile);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `[symbol, marker]` of every ranking row, read from the page. */
  const rankingRows = () =>
    report.page.evaluate<[string, string][]>(
      `[...document.querySelectorAll("ol.rank > li")].map((li) => [li.querySelector("b").textContent, li.querySelector(".z").textContent])`,
    );

  it("runs no JavaScript in the pages it opens", async () => {
    const probe = join(dir, "probe.html");
    writeFileSync(probe, `<!DOCTYPE html><p id="p">static</p><script>document.getElementById("p").textContent = "scripted"</script>`);
    const opened = await browser.open(probe);
    expect(opened.text.trim()).toBe("static");
    await opened.close();
  });

  describe("the 180-symbol report", () => {
    it("draws a page, not a blank: a good share of pixels off the background, and many colours", () => {
      const census = pixelCensus(report.screenshot);
      expect(census.width).toBe(1280);
      expect(census.height).toBeGreaterThan(1000); // the whole page, not one screen of it
      expect(census.notBackground).toBeGreaterThan(0.08);
      expect(census.distinctColours).toBeGreaterThan(20);
    });

    it("holds every ranked symbol, in the DOM and in the visible text", async () => {
      const shown = (await rankingRows()).map(([symbol]) => symbol);
      expect(new Set(shown)).toEqual(new Set(day.input.ranking.map((r) => r.symbol)));
      expect(shown).toHaveLength(day.input.ranking.length);
      const visible = new Set(report.text.split(/\s+/));
      for (const { symbol } of day.input.ranking) expect(visible.has(symbol), symbol).toBe(true);
    });

    it("marks exactly the symbols at or above 70 as overbought and at or below 30 as oversold", async () => {
      const rows = await rankingRows();
      const marked = (marker: string) => new Set(rows.filter(([, m]) => m === marker).map(([s]) => s));
      const shownValue = (rsi: number) => roundHalfEven(rsi);
      const overbought = day.input.ranking.filter((r) => shownValue(r.rsi) >= 70).map((r) => r.symbol);
      const oversold = day.input.ranking.filter((r) => shownValue(r.rsi) <= 30).map((r) => r.symbol);
      expect(overbought.length).toBeGreaterThan(2);
      expect(oversold.length).toBeGreaterThan(2);
      expect(marked("OB")).toEqual(new Set(overbought));
      expect(marked("OS")).toEqual(new Set(oversold));
    });

    it("makes marked rows stand out in colour from the others", async () => {
      const backgrounds = await report.page.evaluate<Record<string, string>>(
        `(() => {
          const bg = (selector) => getComputedStyle(document.querySelector(selector)).backgroundColor;
          return { overbought: bg("ol.rank > li.ob"), oversold: bg("ol.rank > li.os"), neutral: bg("ol.rank > li:not(.ob):not(.os)") };
        })()`,
      );
      expect(new Set(Object.values(backgrounds)).size).toBe(3);
    });

    it("draws a sparkline with a missing day as separate segments, and a complete one as one", async () => {
      const segmentsOf = (symbol: string) =>
        report.page.evaluate<number>(
          `[...document.querySelectorAll("ol.rank > li")]
            .find((li) => li.querySelector("b").textContent === ${JSON.stringify(symbol)})
            .querySelector("svg path:not(.e)").getAttribute("d").match(/M/g).length`,
        );
      // The fixture takes two separate days out of these: three segments, each starting with M.
      expect(await segmentsOf(day.withGaps[0]!)).toBe(3);
      const complete = day.input.ranking.find((r) => r.history.length === day.input.tradingDays.length)!;
      expect(await segmentsOf(complete.symbol)).toBe(1);
    });

    it("loads nothing: no script, no request besides the file, no remote src or href", async () => {
      expect(report.otherRequests).toEqual([]);
      const found = await report.page.evaluate<{ scripts: number; linked: string[] }>(
        `({ scripts: document.scripts.length,
            linked: [...document.querySelectorAll("[src], [href], [srcset], [data], [action]")].map((e) => e.outerHTML.slice(0, 80)) })`,
      );
      expect(found).toEqual({ scripts: 0, linked: [] });
      expect(report.dom).not.toMatch(/<script/i);
    });

    it("shows a failure message holding a script tag as text", async () => {
      const cells = await report.page.evaluate<string[]>(`[...document.querySelectorAll("#failures td")].map((td) => td.textContent)`);
      expect(cells).toContain(HOSTILE_MESSAGE);
      expect(report.text).toContain("<script>alert(1)</script>");
    });
  });

  describe("a 255-character run id without a break (the longest the store keeps)", () => {
    const runId = `run-${"0123456789abcdef".repeat(16)}`.slice(0, 255);
    const source = `file:/${"prices-artifact-of-the-day".repeat(9)}.json`;

    for (const width of [1280, 390]) {
      it(`wraps inside the page at ${width} px, every character of it shown`, async () => {
        const file = join(dir, `long-run-id-${width}.html`);
        writeFileSync(file, renderReport({ ...day.input, runId, source }));
        const opened = await browser.open(file, { width });
        try {
          const layout = await opened.page.evaluate<{ page: number; scroll: number; header: number; meta: number }>(
            `({ page: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth,
                header: document.querySelector("header").getBoundingClientRect().right,
                meta: Math.max(...[...document.querySelectorAll(".meta b")].map((b) => b.getBoundingClientRect().right)) })`,
          );
          expect(layout.scroll, "the page scrolls sideways").toBeLessThanOrEqual(layout.page);
          expect(layout.header).toBeLessThanOrEqual(layout.page);
          expect(layout.meta).toBeLessThanOrEqual(layout.page);
          expect(opened.text.replace(/\s+/g, "")).toContain(runId);
        } finally {
          await opened.close();
        }
      });
    }
  });

  describe("the history chart", () => {
    it("opens as an SVG document, not a parser error page", async () => {
      const root = await chart.page.evaluate<{ name: string; ns: string; errors: number }>(
        `({ name: document.documentElement.localName, ns: document.documentElement.namespaceURI, errors: document.getElementsByTagName("parsererror").length })`,
      );
      expect(root).toEqual({ name: "svg", ns: "http://www.w3.org/2000/svg", errors: 0 });
      expect(chart.otherRequests).toEqual([]);
    });

    it("draws lines, not a blank, and names every symbol", () => {
      const census = pixelCensus(chart.screenshot);
      expect(census.notBackground).toBeGreaterThan(0.05);
      expect(census.distinctColours).toBeGreaterThan(8);
      for (const { symbol } of chartInput.series) expect(chart.text.split("\n")).toContain(symbol);
    });

    it("has as many drawn segments as the data has runs of days", async () => {
      const counts = await chart.page.evaluate<Record<string, number>>(
        `Object.fromEntries([...document.querySelectorAll("g.series")].map((g) => [g.dataset.symbol, (g.querySelector("path").getAttribute("d").match(/M/g) || []).length]))`,
      );
      // The fixture: the first symbol complete, the second missing two days apart, the third
      // starting late with one value alone between two missing days.
      expect(Object.values(counts)).toEqual([1, 3, 3]);
    });
  });
});

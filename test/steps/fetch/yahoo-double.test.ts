/**
 * The double is only worth its tests if it answers like Yahoo: these compare it with the
 * recorded answers and with what yahoo-finance2's schema demands.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YahooFinance from "yahoo-finance2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../support/cli.ts";
import { epochSeconds, YahooDouble } from "../../support/yahoo-double.ts";

let double: YahooDouble;
beforeAll(async () => {
  double = await YahooDouble.start({ unknown: ["ATVI"] });
});
afterAll(() => double.close());

const recorded = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/yahoo", file), "utf8"));

async function get(path: string) {
  const response = await fetch(`${double.url}${path}`);
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text(), headers: response.headers };
}

describe("the Yahoo double", () => {
  it.each([
    "chart-AAPL-2020-08-31-to-2020-11-07.json",
    "chart-MSFT-dividends-2021-02-01-to-2022-01-31.json",
    "chart-NVDA-split-2021-02-01-to-2022-01-31.json",
    "chart-WSU.DE-2023-08-04-to-2023-08-09.json",
  ])("answers the recorded request of %s with the recorded body", async (file) => {
    const fixture = recorded(file);
    const url = new URL(fixture.request.url);
    const answer = await get(`${url.pathname}${url.search}`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(fixture.response.headers["content-type"]);
    expect(JSON.parse(answer.text)).toEqual(fixture.response.bodyJson);
  });

  it("cuts a recording to the requested window, period2 exclusive", async () => {
    const fixture = recorded("chart-MSFT-dividends-2021-02-01-to-2022-01-31.json");
    const all: number[] = fixture.response.bodyJson.chart.result[0].timestamp;
    const [period1, period2] = [all[10]!, all[20]!];
    const answer = JSON.parse((await get(`/v8/finance/chart/MSFT?period1=${period1}&period2=${period2}&interval=1d`)).text);
    expect(answer.chart.result[0].timestamp).toEqual(all.slice(10, 20));
    expect(answer.chart.result[0].indicators.quote[0].close).toEqual(fixture.response.bodyJson.chart.result[0].indicators.quote[0].close.slice(10, 20));
  });

  it("answers an unknown symbol with Yahoo's 404 body", async () => {
    const answer = await get(`/v8/finance/chart/ATVI?period1=${epochSeconds("2021-02-15")}&period2=${epochSeconds("2021-05-18")}&interval=1d`);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toBe("application/json;charset=utf-8");
    expect(JSON.parse(answer.text)).toEqual({
      chart: { result: null, error: { code: "Not Found", description: "No data found, symbol may be delisted" } },
    });
  });

  it("answers 429 as text, with the Retry-After it was told to send", async () => {
    double.failNext("SLOWDOWN", { kind: "rate-limited", retryAfter: "7" });
    const answer = await get(`/v8/finance/chart/SLOWDOWN?period1=${epochSeconds("2021-02-15")}&period2=${epochSeconds("2021-05-18")}&interval=1d`);
    expect([answer.status, answer.text, answer.headers.get("retry-after")]).toEqual([429, "Too Many Requests", "7"]);
    const next = await get(`/v8/finance/chart/SLOWDOWN?period1=${epochSeconds("2021-02-15")}&period2=${epochSeconds("2021-05-18")}&interval=1d`);
    expect(next.status).toBe(200);
  });

  it("generates any other symbol in a shape yahoo-finance2's schema accepts, one bar per weekday", async () => {
    const yahoo = new YahooFinance({
      versionCheck: false,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, dir: () => undefined },
      fetch: (input: string | URL | Request) => fetch(String(input).replace("https://query2.finance.yahoo.com", double.url)),
    });
    const chart = await yahoo.chart("ZZZZ", { period1: "2021-05-03", period2: "2021-05-15", interval: "1d" });
    expect(chart.meta.symbol).toBe("ZZZZ");
    expect(chart.quotes.map((q) => q.date.toISOString())).toEqual(
      ["03", "04", "05", "06", "07", "10", "11", "12", "13", "14"].map((d) => `2021-05-${d}T13:30:00.000Z`),
    );
    expect(chart.quotes.map((q) => q.close)).toEqual(double.barsFor("ZZZZ", epochSeconds("2021-05-03"), epochSeconds("2021-05-15")).map((b) => b.close));
    expect(chart.quotes.every((q) => q.adjclose! < q.close!)).toBe(true);
  });

  it("refuses a query without period1, as Yahoo does", async () => {
    const answer = await get("/v8/finance/chart/ZZZZ?interval=1d");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).chart.error.code).toBe("Bad Request");
  });
});

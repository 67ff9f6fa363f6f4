import { describe, expect, it } from "vitest";
import { parseBaseUrl, redirectTo, retryAfterMs, yahooErrorDescription } from "../../../steps/fetch/sources/yahoo-http.ts";

describe("the base-URL override", () => {
  it("replaces scheme, host and port, and keeps Yahoo's path and query", () => {
    const base = parseBaseUrl("http://127.0.0.1:8080", "--yahoo-url");
    expect(redirectTo("https://query2.finance.yahoo.com/v8/finance/chart/BRK-B?interval=1d&period1=1&period2=2", base)).toBe(
      "http://127.0.0.1:8080/v8/finance/chart/BRK-B?interval=1d&period1=1&period2=2",
    );
    expect(redirectTo("https://query2.finance.yahoo.com/v8/finance/chart/AAPL", parseBaseUrl("https://mirror.internal/", "x"))).toBe(
      "https://mirror.internal/v8/finance/chart/AAPL",
    );
  });

  it("leaves the URL alone without an override", () => {
    expect(redirectTo("https://query2.finance.yahoo.com/v8/finance/chart/AAPL", undefined)).toBe("https://query2.finance.yahoo.com/v8/finance/chart/AAPL");
  });

  it("refuses credentials, naming where the URL came from", () => {
    expect(() => parseBaseUrl("http://user:secret@mirror", "--yahoo-url")).toThrow(/^--yahoo-url: .* has a path, query or credentials/);
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates, and ignores what it cannot read", () => {
    const now = Date.parse("2021-05-17T12:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Mon, 17 May 2021 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Mon, 17 May 2021 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("Yahoo's error bodies", () => {
  it("yield their description", () => {
    expect(yahooErrorDescription('{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}')).toBe(
      "No data found, symbol may be delisted",
    );
    expect(yahooErrorDescription('{"finance":{"result":null,"error":{"code":"Bad Request","description":""}}}')).toBe("Bad Request");
    expect(yahooErrorDescription("Too Many Requests")).toBeUndefined();
  });
});

/**
 * A Yahoo Finance double: a real HTTP server on 127.0.0.1 that answers the chart endpoint
 * (`/v8/finance/chart/SYMBOL?period1&period2&interval=1d`) the way Yahoo does, for tests and
 * benchmarks to point the real client (and the real yahoo-finance2) at through
 * `STOCK_RSI_YAHOO_URL`. Test code only: nothing under `steps/` imports it.
 *
 * What it serves:
 * - the recorded answers in `test/fixtures/yahoo/` (AAPL, MSFT, NVDA, WSU.DE) when the requested
 *   window overlaps the recording, cut to the window like Yahoo cuts them;
 * - for any other symbol or window, a generated series in the same shape: one bar per NYSE
 *   trading day stamped at the New York open (a US listing: no bar on a weekend or an exchange
 *   holiday), closes from the `sample` source's generator (as float32 values, like Yahoo's), an
 *   `adjclose` that steps down 0.5% at each quarterly dividend, and every `meta` field
 *   yahoo-finance2's schema requires; the `tradesOn` quirk gives a symbol another calendar (a
 *   listing abroad that trades on US holidays, a cryptocurrency that trades every day);
 * - Yahoo's 404 body for symbols declared unknown, and a 400 for a query Yahoo would refuse.
 *
 * Faults are switched per symbol: a list of faults consumed one per request (`failNext`), or one
 * fault for every request (`failAlways`): latency, 429 (`Too Many Requests`, optional
 * `Retry-After`), 5xx, a truncated JSON body, an HTML page instead of JSON, a body that breaks
 * the schema, a connection reset mid-body, an answer that never comes, a body that never ends, a
 * body that trickles in a few bytes at a time, and one far larger than any chart. Data quirks are
 * switched the same way: nulls on given dates, a series that ends early (stale), Yahoo's extra
 * bar beyond `period2`, and a trading day listed twice.
 *
 * It counts requests (in total and per symbol), the peak number in flight, and requests the
 * client abandoned.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { addDays, dateIn, isWeekday, type IsoDate } from "../../steps/domain/dates.ts";
import { isTradingDay } from "../../steps/domain/market-calendar.ts";
import { sampleClose } from "../../steps/fetch/sources/sample.ts";
import { REPO_ROOT } from "./cli.ts";

export type Fault =
  | { readonly kind: "latency"; readonly ms: number }
  | { readonly kind: "rate-limited"; readonly retryAfter?: string }
  | { readonly kind: "server-error"; readonly status?: number }
  | { readonly kind: "truncated" }
  | { readonly kind: "not-json" }
  | { readonly kind: "schema" }
  | { readonly kind: "reset" }
  | { readonly kind: "hang" }
  /** A 200 whose body never ends: JSON-looking bytes as fast as the client takes them, until it hangs up. */
  | { readonly kind: "endless" }
  /** The real answer, but `bytes` at a time every `everyMs`: each read makes progress, the whole never arrives in time. */
  | { readonly kind: "slow-drip"; readonly bytes?: number; readonly everyMs: number }
  /** The real answer, preceded by a `Content-Length` this big (and a body padded to it): a large answer that says so up front. */
  | { readonly kind: "oversized"; readonly bytes: number };

export interface Quirks {
  /** Days whose quote (close, open, high, low, volume, adjclose) is null. */
  readonly nullsOn?: readonly IsoDate[];
  /** The series has no bars after this day (a halted stock: the answer goes stale). */
  readonly endsOn?: IsoDate;
  /** Yahoo's live-session quirk: one more bar, dated the next weekday, beyond `period2`. */
  readonly barAfterPeriod2?: boolean;
  /** The last day listed twice: at the open, then again later with the later price. */
  readonly lastDayTwice?: boolean;
  /**
   * The days a generated series has bars on, when not the NYSE's trading days: `weekdays`, a
   * listing abroad (SAP.DE on Xetra) that trades on US holidays such as Thanksgiving, stamped at
   * the New York open like the others; `every-day`, a cryptocurrency (BTC-USD), which Yahoo dates
   * at midnight UTC in the `UTC` time zone, weekends included.
   */
  readonly tradesOn?: "weekdays" | "every-day";
}

/** One bar as served: the exchange-local date, and the numbers as Yahoo sends them. */
export interface ServedBar {
  readonly timestamp: number;
  readonly date: IsoDate;
  readonly open: number | null;
  readonly high: number | null;
  readonly low: number | null;
  readonly close: number | null;
  readonly volume: number | null;
  readonly adjclose: number | null;
}

export interface RequestRecord {
  readonly symbol: string;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
  readonly status: number | "reset" | "hang" | "endless" | "slow-drip";
  /** Characters of body sent (for a cut-off body: the part sent). */
  readonly bodyLength?: number;
}

export interface DoubleStats {
  requests: number;
  inFlight: number;
  peakInFlight: number;
  /** Requests the client gave up on before the answer was complete. */
  abandoned: number;
  readonly log: RequestRecord[];
}

export interface YahooDoubleOptions {
  /** Time before every answer, in milliseconds (a fault can add more). */
  readonly latencyMs?: number;
  /** Symbols Yahoo does not know: 404 with Yahoo's body. */
  readonly unknown?: Iterable<string>;
}

const NOT_FOUND_BODY = JSON.stringify({
  chart: { result: null, error: { code: "Not Found", description: "No data found, symbol may be delisted" } },
});

interface Recording {
  readonly meta: Record<string, unknown>;
  readonly zone: string;
  readonly bars: ServedBar[];
  readonly events?: Record<string, Record<string, { date: number }>>;
  readonly headers: Record<string, string>;
}

const FIXTURE_FILES = [
  "chart-AAPL-2020-08-31-to-2020-11-07.json",
  "chart-MSFT-dividends-2021-02-01-to-2022-01-31.json",
  "chart-NVDA-split-2021-02-01-to-2022-01-31.json",
  "chart-WSU.DE-2023-08-04-to-2023-08-09.json",
];

export class YahooDouble {
  readonly stats: DoubleStats = { requests: 0, inFlight: 0, peakInFlight: 0, abandoned: 0, log: [] };
  latencyMs: number;
  private readonly unknownSymbols: Set<string>;
  private readonly scripted = new Map<string, Fault[]>();
  private readonly always = new Map<string, Fault>();
  private readonly quirks = new Map<string, Quirks>();
  private readonly recordings = loadRecordings();
  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: YahooDoubleOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.unknownSymbols = new Set(options.unknown ?? []);
  }

  static async start(options: YahooDoubleOptions = {}): Promise<YahooDouble> {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const double = new YahooDouble(server, `http://127.0.0.1:${port}`, options);
    handler = (req, res) => double.answer(req, res);
    return double;
  }

  /** Symbols Yahoo answers 404 for. */
  unknown(...symbols: string[]): this {
    for (const s of symbols) this.unknownSymbols.add(s);
    return this;
  }

  /** The next requests for `symbol` meet these faults, one each, in order; then it recovers. */
  failNext(symbol: string, ...faults: Fault[]): this {
    this.scripted.set(symbol, [...(this.scripted.get(symbol) ?? []), ...faults]);
    return this;
  }

  /** Every request for `symbol` meets this fault. */
  failAlways(symbol: string, fault: Fault): this {
    this.always.set(symbol, fault);
    return this;
  }

  quirk(symbol: string, quirks: Quirks): this {
    this.quirks.set(symbol, { ...this.quirks.get(symbol), ...quirks });
    return this;
  }

  requestsFor(symbol: string): RequestRecord[] {
    return this.stats.log.filter((r) => r.symbol === symbol);
  }

  resetStats(): void {
    Object.assign(this.stats, { requests: 0, inFlight: 0, peakInFlight: 0, abandoned: 0 });
    this.stats.log.length = 0;
  }

  /**
   * The bars the double serves for `symbol` in `[period1, period2)` (epoch seconds), quirks
   * included: what a test compares the client's output with.
   */
  barsFor(symbol: string, period1: number, period2: number): ServedBar[] {
    return this.window(symbol, period1, period2).bars;
  }

  /** `barsFor` with the client's window: `from` to the day after `asOf`, at midnight UTC. */
  barsForWindow(symbol: string, from: IsoDate, asOf: IsoDate): ServedBar[] {
    return this.barsFor(symbol, epochSeconds(from), epochSeconds(addDays(asOf, 1)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.url);
    const match = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
    const symbol = match ? decodeURIComponent(match[1]!) : "";
    const fault = this.scripted.get(symbol)?.shift() ?? this.always.get(symbol);
    const record: { -readonly [K in keyof RequestRecord]: RequestRecord[K] } = { symbol, at: performance.now(), status: 200 };
    this.stats.log.push(record);
    this.stats.requests++;
    this.stats.inFlight++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
    let timer: NodeJS.Timeout | undefined;
    res.on("close", () => {
      this.stats.inFlight--;
      clearTimeout(timer);
      if (!res.writableFinished) this.stats.abandoned++;
    });

    const respond = () => {
      if (!match) return this.send(res, record, 404, JSON.stringify({ finance: { result: null, error: { code: "Not Found", description: "HTTP 404 Not Found" } } }));
      if (fault?.kind === "hang") {
        record.status = "hang";
        return;
      }
      if (fault?.kind === "rate-limited") {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter };
        return this.send(res, record, 429, "Too Many Requests", { "content-type": "text/plain;charset=utf-8", ...headers });
      }
      if (fault?.kind === "server-error") {
        const body = JSON.stringify({ chart: { result: null, error: { code: "Internal Server Error", description: "Internal Server Error" } } });
        return this.send(res, record, fault.status ?? 500, body);
      }
      if (fault?.kind === "not-json") {
        const html = "<!DOCTYPE html><html><head><title>Yahoo</title></head><body>Will be right back...</body></html>";
        return this.send(res, record, 200, html, { "content-type": "text/html;charset=utf-8" });
      }
      if (this.unknownSymbols.has(symbol)) return this.send(res, record, 404, NOT_FOUND_BODY);
      const query = parseQuery(url.searchParams);
      if ("error" in query) {
        return this.send(res, record, 400, JSON.stringify({ chart: { result: null, error: { code: "Bad Request", description: query.error } } }));
      }
      const body = JSON.stringify(this.chartBody(symbol, query.period1, query.period2, fault?.kind === "schema"));
      if (fault?.kind === "truncated") return this.send(res, record, 200, body.slice(0, Math.floor(body.length / 2)));
      if (fault?.kind === "reset") {
        record.status = "reset";
        res.writeHead(200, { ...this.headers(symbol), "content-length": Buffer.byteLength(body) });
        record.bodyLength = Math.floor(body.length / 2);
        res.write(body.slice(0, record.bodyLength));
        setTimeout(() => res.destroy(), 5);
        return;
      }
      if (fault?.kind === "endless") return this.sendEndless(res, record, symbol);
      if (fault?.kind === "slow-drip") return this.sendSlowly(res, record, body, symbol, fault.bytes ?? 1, fault.everyMs);
      if (fault?.kind === "oversized") return this.send(res, record, 200, body.padEnd(fault.bytes, " "), this.headers(symbol));
      return this.send(res, record, 200, body, this.headers(symbol));
    };
    const delay = this.latencyMs + (fault?.kind === "latency" ? fault.ms : 0);
    if (delay > 0) timer = setTimeout(respond, delay);
    else respond();
  }

  private send(res: ServerResponse, record: { status: RequestRecord["status"]; bodyLength?: number }, status: number, body: string, headers?: Record<string, string>): void {
    record.status = status;
    record.bodyLength = body.length;
    res.writeHead(status, { ...(headers ?? this.headers("")), "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  /**
   * Chunked, with no length: the start of a chart, then a timestamp list that never closes,
   * written as fast as the socket drains (never faster: the double itself stays small).
   */
  private sendEndless(res: ServerResponse, record: { status: RequestRecord["status"]; bodyLength?: number }, symbol: string): void {
    record.status = "endless";
    record.bodyLength = 0;
    res.writeHead(200, this.headers(symbol));
    const chunk = Buffer.from("1620000000,".repeat(6000));
    const pump = () => {
      while (!res.destroyed) {
        record.bodyLength! += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
    };
    res.write('{"chart":{"result":[{"meta":{},"timestamp":[');
    pump();
  }

  /** The whole answer in the end, `bytes` every `everyMs`, chunked. */
  private sendSlowly(res: ServerResponse, record: { status: RequestRecord["status"]; bodyLength?: number }, body: string, symbol: string, bytes: number, everyMs: number): void {
    record.status = "slow-drip";
    record.bodyLength = 0;
    res.writeHead(200, this.headers(symbol));
    const drip = setInterval(() => {
      if (res.destroyed) return void clearInterval(drip);
      const next = body.slice(record.bodyLength, record.bodyLength! + bytes);
      record.bodyLength! += next.length;
      if (record.bodyLength! >= body.length) {
        clearInterval(drip);
        res.end(next);
      } else {
        res.write(next);
      }
    }, everyMs);
    res.on("close", () => clearInterval(drip));
  }

  /** Yahoo's response headers, as recorded, with a fresh date and request id. */
  private headers(symbol: string): Record<string, string> {
    const recorded = this.recordings.get(symbol)?.headers ?? this.recordings.get("AAPL")!.headers;
    const { "content-length": _ignored, ...rest } = recorded;
    return { ...rest, date: new Date().toUTCString(), "y-rid": randomBytes(7).toString("base64url").toLowerCase(), age: "0" };
  }

  private window(symbol: string, period1: number, period2: number): { meta: Record<string, unknown>; zone: string; bars: ServedBar[]; events?: Recording["events"] } {
    const recording = this.recordings.get(symbol);
    const overlaps =
      recording && recording.bars.length > 0 && recording.bars[0]!.timestamp < period2 && recording.bars.at(-1)!.timestamp >= period1;
    let bars: ServedBar[];
    let meta: Record<string, unknown>;
    let zone: string;
    let events: Recording["events"];
    if (overlaps) {
      ({ meta, zone } = recording);
      bars = recording.bars.filter((b) => b.timestamp >= period1 && b.timestamp < period2);
      events = recording.events;
    } else {
      const tradesOn = this.quirks.get(symbol)?.tradesOn;
      zone = tradesOn === "every-day" ? "UTC" : "America/New_York";
      bars = generatedBars(symbol, period1, period2, tradesOn);
      meta = generatedMeta(symbol, this.recordings.get("AAPL")!.meta, bars, zone);
    }
    return { meta, zone, bars: applyQuirks(bars, this.quirks.get(symbol), zone), ...(events ? { events } : {}) };
  }

  /** The chart endpoint's JSON for a window, shaped like the recordings. */
  private chartBody(symbol: string, period1: number, period2: number, breakSchema: boolean): unknown {
    const { meta, bars, events } = this.window(symbol, period1, period2);
    const servedMeta = breakSchema ? Object.fromEntries(Object.entries(meta).filter(([k]) => k !== "currency" && k !== "regularMarketTime")) : meta;
    const pick = (field: keyof ServedBar) => bars.map((b) => b[field]);
    const result: Record<string, unknown> = { meta: servedMeta };
    if (bars.length === 0) {
      result.indicators = { quote: [{}], adjclose: [{}] };
    } else {
      result.timestamp = pick("timestamp");
      const inWindow = (e: { date: number }) => e.date >= period1 && e.date < period2;
      const windowEvents = Object.fromEntries(
        Object.entries(events ?? {})
          .map(([kind, byTime]) => [kind, Object.fromEntries(Object.entries(byTime).filter(([, e]) => inWindow(e)))] as const)
          .filter(([, byTime]) => Object.keys(byTime).length > 0),
      );
      if (Object.keys(windowEvents).length > 0) result.events = windowEvents;
      result.indicators = {
        quote: [{ open: pick("open"), high: pick("high"), low: pick("low"), close: pick("close"), volume: pick("volume") }],
        adjclose: [{ adjclose: pick("adjclose") }],
      };
    }
    return { chart: { result: [result], error: null } };
  }
}

/** `n` made-up tickers (`S0001` …) for runs bigger than the user's list. */
export function syntheticSymbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `S${String(i + 1).padStart(4, "0")}`);
}

export function epochSeconds(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

function parseQuery(params: URLSearchParams): { period1: number; period2: number } | { error: string } {
  const interval = params.get("interval") ?? "1d";
  if (interval !== "1d") return { error: `Invalid input - interval=${interval} is not supported by this double` };
  const period1 = Number(params.get("period1"));
  const period2 = Number(params.get("period2"));
  if (!params.has("period1") || !Number.isInteger(period1)) return { error: "Invalid input - period1 is required" };
  if (!params.has("period2") || !Number.isInteger(period2)) return { error: "Invalid input - period2 is required" };
  if (period2 <= period1) return { error: `Invalid input - start date cannot be after end date. startDate = ${period1}, endDate = ${period2}` };
  return { period1, period2 };
}

function loadRecordings(): Map<string, Recording> {
  const recordings = new Map<string, Recording>();
  for (const file of FIXTURE_FILES) {
    const fixture = JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/yahoo", file), "utf8"));
    const result = fixture.response.bodyJson.chart.result[0];
    const meta = result.meta as Record<string, unknown>;
    const zone = meta.exchangeTimezoneName as string;
    const quote = result.indicators.quote[0];
    const adjclose: (number | null)[] = result.indicators.adjclose?.[0]?.adjclose ?? [];
    const bars = (result.timestamp as number[]).map((timestamp, i) => ({
      timestamp,
      date: dateIn(zone, new Date(timestamp * 1000)),
      open: quote.open[i],
      high: quote.high[i],
      low: quote.low[i],
      close: quote.close[i],
      volume: quote.volume[i],
      adjclose: adjclose[i] ?? null,
    }));
    recordings.set(meta.symbol as string, { meta, zone, bars, events: result.events, headers: fixture.response.headers });
  }
  return recordings;
}

/**
 * One bar per trading day of the symbol's calendar (the NYSE's unless `tradesOn` says otherwise)
 * whose stamp (the New York open; midnight UTC for a symbol trading every day) falls inside
 * `[period1, period2)`.
 */
function generatedBars(symbol: string, period1: number, period2: number, tradesOn: Quirks["tradesOn"]): ServedBar[] {
  const bars: ServedBar[] = [];
  const first = addDays(new Date(period1 * 1000).toISOString().slice(0, 10), -1);
  const last = new Date(period2 * 1000).toISOString().slice(0, 10);
  const trades = tradesOn === "every-day" ? () => true : tradesOn === "weekdays" ? isWeekday : isTradingDay;
  for (let date = first; date <= last; date = addDays(date, 1)) {
    if (!trades(date)) continue;
    const timestamp = tradesOn === "every-day" ? epochSeconds(date) : newYorkOpen(date);
    if (timestamp < period1 || timestamp >= period2) continue;
    bars.push(generatedBar(symbol, date, timestamp));
  }
  return bars;
}

function generatedBar(symbol: string, date: IsoDate, timestamp: number): ServedBar {
  const close = sampleClose(symbol, date);
  const open = sampleClose(symbol, addDays(date, -1));
  const f = Math.fround;
  return {
    timestamp,
    date,
    open: f(open),
    high: f(Math.max(open, close) * 1.004),
    low: f(Math.min(open, close) * 0.996),
    close: f(close),
    volume: 1_000_000 + Math.round(close * 997) * 13,
    adjclose: f(close * dividendFactor(date)),
  };
}

/**
 * Yahoo's adjclose scales every close before an ex-dividend date down by the dividend; here
 * each symbol pays 0.5% on the 15th of Feb, May, Aug and Nov, counted up to 2030.
 */
function dividendFactor(date: IsoDate): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  let exDates = 0;
  for (let y = year; y < 2030; y++) {
    for (const m of [2, 5, 8, 11]) if (y > year || m > month || (m === month && day < 15)) exDates++;
  }
  return 0.995 ** exDates;
}

const newYorkOffset = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeZoneName: "longOffset" });
const openByDate = new Map<IsoDate, number>();

/** 09:30 in New York on `date`, in epoch seconds (daylight saving included). */
function newYorkOpen(date: IsoDate): number {
  let open = openByDate.get(date);
  if (open === undefined) {
    const offset = newYorkOffset.formatToParts(new Date(`${date}T12:00:00Z`)).find((p) => p.type === "timeZoneName")!.value; // "GMT-04:00"
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offset)!;
    const offsetMinutes = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    open = Date.parse(`${date}T09:30:00Z`) / 1000 - offsetMinutes * 60;
    openByDate.set(date, open);
  }
  return open;
}

function generatedMeta(symbol: string, template: Record<string, unknown>, bars: readonly ServedBar[], zone: string): Record<string, unknown> {
  const closes = bars.map((b) => b.close).filter((c): c is number => c !== null);
  return {
    ...template,
    ...(zone === template.exchangeTimezoneName ? {} : { exchangeTimezoneName: zone, timezone: zone, gmtoffset: 0 }),
    symbol,
    longName: `${symbol} Holdings Inc.`,
    shortName: `${symbol} Holdings`,
    regularMarketPrice: closes.at(-1) ?? 100,
    chartPreviousClose: closes[0] ?? 100,
    fiftyTwoWeekHigh: closes.length ? Math.max(...closes) : 100,
    fiftyTwoWeekLow: closes.length ? Math.min(...closes) : 100,
    regularMarketTime: (bars.at(-1)?.timestamp ?? 1_600_000_000) + 23_400,
  };
}

function applyQuirks(bars: ServedBar[], quirks: Quirks | undefined, zone: string): ServedBar[] {
  if (!quirks) return bars;
  let out = bars;
  if (quirks.endsOn !== undefined) out = out.filter((b) => b.date <= quirks.endsOn!);
  if (quirks.nullsOn) {
    const nullDays = new Set(quirks.nullsOn);
    out = out.map((b) => (nullDays.has(b.date) ? { ...b, open: null, high: null, low: null, close: null, volume: null, adjclose: null } : b));
  }
  const last = out.at(-1);
  if (last && quirks.lastDayTwice) {
    const later = last.timestamp + 6 * 3600;
    out = [...out, { ...scaled(last, 1.01), timestamp: later, date: dateIn(zone, new Date(later * 1000)) }];
  }
  if (last && quirks.barAfterPeriod2) {
    let next = addDays(last.date, 1);
    while (!isWeekday(next)) next = addDays(next, 1);
    out = [...out, { ...scaled(last, 1.02), timestamp: last.timestamp + (epochSeconds(next) - epochSeconds(last.date)), date: next }];
  }
  return out;
}

function scaled(bar: ServedBar, factor: number): ServedBar {
  const f = (v: number | null) => (v === null ? null : Math.fround(v * factor));
  return { ...bar, open: f(bar.open), high: f(bar.high), low: f(bar.low), close: f(bar.close), adjclose: f(bar.adjclose) };
}

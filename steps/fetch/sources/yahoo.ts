/**
 * The `yahoo` source: daily bars from Yahoo Finance's chart endpoint, through yahoo-finance2.
 *
 * One GET per symbol (`/v8/finance/chart/SYMBOL?period1&period2&interval=1d`); Yahoo has no
 * multi-symbol history endpoint and `chart()` needs no cookie or crumb. The library builds the
 * request and checks the answer against its schema; `yahoo-http.ts` (the `fetch` it is given)
 * owns the wire; `scheduler.ts` decides when each request goes and when to give up.
 *
 * Prices: `close` is split-adjusted but not dividend-adjusted, which is what the original
 * program ranked on and what the user's stored history holds; `adjclose` also folds dividends
 * in (select it with `priceField`). Each bar is dated by the exchange's own calendar
 * (`meta.exchangeTimezoneName`), so a bar stamped 09:30 in New York is that New York day.
 */
import type { Series } from "../../domain/artifacts.ts";
import { addDays, dateIn } from "../../domain/dates.ts";
import { tradingDayBars, type ListedBar } from "../hygiene.ts";
import { DEFAULT_POLICY, fetchEach, FetchAttemptError, Pacer, type FetchFailureReason, type RequestPolicy } from "../scheduler.ts";
import type { PriceRequest, PriceResponse, PriceSource } from "../source.ts";
import { oneLine, yahooHttp, type YahooHttpOptions } from "./yahoo-http.ts";
import type { PriceField } from "../price-field.ts";

export interface YahooSourceOptions {
  /** Concurrency, pacing, retries and deadline; unset fields take `DEFAULT_POLICY`'s. */
  readonly policy?: Partial<RequestPolicy>;
  /** Which price the bars carry: `close` (default) or `adjclose`. */
  readonly priceField?: PriceField;
  /** A mirror's scheme, host and port, replacing Yahoo's (see `yahoo-http.ts`). */
  readonly baseUrl?: URL | undefined;
  /** The longest a single request may take. */
  readonly requestTimeoutMs?: number;
  /** Where log lines go (stderr); stdout is reserved for the ranking. */
  readonly log?: (line: string) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function yahooSource(options: YahooSourceOptions = {}): PriceSource {
  const policy: RequestPolicy = { ...DEFAULT_POLICY, ...options.policy };
  const priceField = options.priceField ?? "close";
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));

  return {
    name: "yahoo",
    async fetch(request: PriceRequest): Promise<PriceResponse> {
      let requests = 0;
      const retriedBy = new Map<FetchFailureReason, number>();
      let rateLimitPauses = 0;
      const pacer = new Pacer(policy.minIntervalMs);
      const client = await newClient(policy, log, {
        baseUrl: options.baseUrl,
        awaitTurn: (signal) => pacer.turn(signal),
        requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        onRequest: () => void requests++,
      });

      const fetchSymbol = async (symbol: string, signal: AbortSignal): Promise<Series> => {
        let chart: ChartAnswer;
        try {
          chart = await client.chart(
            symbol,
            // Yahoo's period2 is exclusive: the day after the as-of date takes the as-of day in.
            { period1: request.from, period2: addDays(request.asOf, 1), interval: "1d", return: "object" },
            { fetchOptions: { signal } },
          );
        } catch (err) {
          throw classify(err);
        }
        return { symbol, bars: tradingDayBars(listedBars(chart, priceField), request) };
      };

      const outcomes = await fetchEach(request.symbols, fetchSymbol, policy, {
        pacer,
        onDone: (symbol) => request.onSymbolDone?.(symbol),
        onRetry: (_symbol, error) => {
          retriedBy.set(error.reason, (retriedBy.get(error.reason) ?? 0) + 1);
          if (error.reason === "rate-limited") rateLimitPauses++;
        },
      });

      const response: PriceResponse = { series: [], failures: [] };
      for (const symbol of request.symbols) {
        const outcome = outcomes.get(symbol)!;
        if (outcome.ok) response.series.push(outcome.value);
        else response.failures.push({ symbol, reason: outcome.reason, message: outcome.message });
      }
      const retried = [...retriedBy].map(([reason, n]) => `${reason} ${n}`).join(", ");
      log(
        `fetch: ${requests} requests to ${options.baseUrl?.host ?? "Yahoo"} (concurrency ${policy.concurrency}` +
          `${policy.minIntervalMs > 0 ? `, ${policy.minIntervalMs} ms apart` : ""})` +
          `${retried ? `; retried: ${retried}` : ""}${rateLimitPauses ? `; paused ${rateLimitPauses}× for rate limits` : ""}`,
      );
      return response;
    },
  };
}

/** The parts of the library's `ChartResultObject` the bars come from. */
interface ChartAnswer {
  readonly meta: { readonly exchangeTimezoneName: string };
  readonly timestamp?: readonly number[];
  readonly indicators: {
    readonly quote: readonly { readonly close: readonly (number | null)[] }[];
    readonly adjclose?: readonly { readonly adjclose?: readonly (number | null)[] }[];
  };
}

/**
 * The answer's bars in Yahoo's order, dated in the exchange's time zone. A quote array that
 * does not line up with the timestamps is an answer nobody can trust.
 */
function listedBars(chart: ChartAnswer, priceField: PriceField): ListedBar[] {
  const timestamps = chart.timestamp ?? [];
  if (timestamps.length === 0) return [];
  const prices = priceField === "close" ? chart.indicators.quote[0]?.close : chart.indicators.adjclose?.[0]?.adjclose;
  if (!prices || prices.length !== timestamps.length) {
    throw new FetchAttemptError(
      "invalid-response",
      `${timestamps.length} timestamps but ${prices?.length ?? "no"} ${priceField} values in the answer`,
    );
  }
  // A bar's trading day is the exchange's calendar date at its timestamp.
  const zone = chart.meta.exchangeTimezoneName;
  return timestamps.map((t, i) => ({ date: dateIn(zone, new Date(t * 1000)), close: prices[i] ?? null }));
}

/**
 * What yahoo-finance2 threw, as a failure reason. Errors from the wire arrive already
 * classified (`yahoo-http.ts`); what remains is the library refusing the answer.
 */
function classify(err: unknown): FetchAttemptError {
  if (err instanceof FetchAttemptError) return err;
  const error = err as Error & { errors?: { instancePath?: string; message?: string; params?: { missing?: unknown[] } }[] };
  if (error?.name === "FailedYahooValidationError") {
    const first = error.errors?.[0];
    const missing = Array.isArray(first?.params?.missing) ? ` (${first.params.missing.join(", ")})` : "";
    const detail = first ? `: ${first.instancePath || "(top level)"} ${first.message ?? ""}${missing}`.trimEnd() : "";
    return new FetchAttemptError("invalid-response", `the answer does not match Yahoo's chart schema${detail}`);
  }
  const message = error?.message ?? String(err);
  // The library's wording for a 200 whose body is not JSON. The parser's own message differs
  // between Node versions; the body's length and start say what came back.
  const unparsable = /^Response\.ok where we expect JSON, but the response was not parsable\.\s+Response: "([\s\S]*)"\.\s+Error: /.exec(message);
  if (unparsable) {
    const body = unparsable[1]!;
    return new FetchAttemptError("invalid-response", `the answer is not JSON: ${body.length} characters starting '${oneLine(body, 40)}'`);
  }
  return new FetchAttemptError("invalid-response", oneLine(message));
}

let runtimeNoticeShown = false;

async function newClient(policy: RequestPolicy, log: (line: string) => void, http: YahooHttpOptions) {
  // Loaded when a Yahoo fetch starts, not with the fetch command: the library is most of what
  // `stock-rsi fetch --help` or a fetch from the sample source would otherwise load.
  const { default: YahooFinance } = await import("yahoo-finance2");
  const relay = (...args: unknown[]) => log(`fetch: yahoo-finance2: ${oneLine(args.map(String).join(" "), 300)}`);
  return new YahooFinance({
    fetch: yahooHttp(http),
    // The scheduler paces requests; the library's own queue only has to stay out of its way.
    queue: { concurrency: policy.concurrency, interval: 0 },
    // It would ask the npm registry on a failed validation; a batch step must not.
    versionCheck: false,
    suppressNotices: ["yahooSurvey"],
    validation: { logErrors: false, logOptionsErrors: false },
    // The default logger writes to stdout, which carries the ranking: everything goes to stderr.
    logger: {
      info: relay,
      error: relay,
      warn: (...args: unknown[]) => {
        // yahoo-finance2 4.x asks for Node 22+ and says so on every construction; chart() works
        // on Node 20 (tested here), so say it once per process.
        if (String(args[0]).includes("Unsupported environment")) {
          if (runtimeNoticeShown) return;
          runtimeNoticeShown = true;
          log(`fetch: note: yahoo-finance2 prefers Node 22 or later; running on Node ${process.versions.node}`);
          return;
        }
        relay(...args);
      },
      debug: () => undefined,
      dir: () => undefined,
    },
  });
}

/**
 * One HTTP exchange with Yahoo, as the `fetch` that yahoo-finance2 is given.
 *
 * yahoo-finance2 builds the request (URL, query, headers) and validates the answer; this
 * function sits between the two and owns everything about the wire:
 * - **where requests go**: with a base URL (`STOCK_RSI_YAHOO_URL` or `--yahoo-url`), the
 *   scheme, host and port are replaced and the path and query kept, for an air-gapped mirror
 *   or the test double;
 * - **how long one may take, and how much it may hold**: a per-request timeout over the headers
 *   and the whole body, the run's deadline signal, and a bound on the body's size (see
 *   `maxAnswerBytes`), so a mirror that sends an endless or slow body costs one symbol, not the pod;
 * - **what a failed exchange means**: a non-2xx status, a refused connection or a body cut off
 *   mid-way becomes a `FetchAttemptError` with a reason from the artifact's fixed set, Yahoo's
 *   own message, and the `Retry-After` it asked for.
 *
 * Turning a non-2xx answer into an error here, before the library sees it, also keeps the
 * library from printing the URL of every failed request with `console.error`.
 */
import { UserError } from "../../domain/errors.ts";
import { redact } from "../../domain/redact.ts";
import { FetchAttemptError } from "../scheduler.ts";

/** The environment variable naming a Yahoo mirror (scheme://host[:port]). */
export const YAHOO_URL_ENV = "STOCK_RSI_YAHOO_URL";

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface YahooHttpOptions {
  /** Replaces the scheme, host and port of every request; path and query stay. */
  readonly baseUrl?: URL | undefined;
  /** The longest one request (headers and body) may take before it counts as a network failure. */
  readonly requestTimeoutMs: number;
  /** Waits for this request's turn (see `Pacer`), right before it goes on the wire. */
  readonly awaitTurn?: (signal?: AbortSignal) => Promise<void>;
  /** Called as each request starts; counts requests for the run's summary. */
  readonly onRequest?: () => void;
}

/**
 * Reads a base URL given by a flag or the environment. Only a scheme, host and port are
 * meaningful (the path is Yahoo's); anything else is refused, naming where it came from.
 */
export function parseBaseUrl(text: string, origin: string): URL {
  const shown = redact(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${origin}: "${shown}" is not a URL; expected scheme://host[:port], e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserError(`${origin}: "${shown}" must start with http:// or https://`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username || url.password) {
    throw new UserError(
      `${origin}: "${shown}" has a path, query or credentials; give only scheme://host[:port] (requests keep Yahoo's own path)`,
    );
  }
  // The parser refuses a port above 65535; 0 it keeps, and every request would fail.
  if (url.port === "0") throw new UserError(`${origin}: port 0 in "${shown}" is not a TCP port; give one from 1 to 65535`);
  return url;
}

/** Where a request for `input` goes: the same URL, or the mirror's scheme, host and port. */
export function redirectTo(input: string, baseUrl: URL | undefined): string {
  if (!baseUrl) return input;
  const url = new URL(input);
  url.protocol = baseUrl.protocol;
  url.host = baseUrl.host;
  return url.href;
}

/** The `fetch` handed to yahoo-finance2. */
export function yahooHttp(options: YahooHttpOptions, transport: Fetch = globalThis.fetch): Fetch {
  return async (input, init = {}) => {
    const url = redirectTo(input instanceof Request ? input.url : String(input), options.baseUrl);
    await options.awaitTurn?.(init.signal ?? undefined);
    if (init.signal?.aborted) throw init.signal.reason;
    // One controller per request, aborted by the run's signal or by the timeout, and both
    // released when the request ends: thousands of requests leave no timers or listeners behind.
    const request = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, options.requestTimeoutMs);
    const cancel = () => request.abort(init.signal?.reason);
    init.signal?.addEventListener("abort", cancel, { once: true });
    options.onRequest?.();
    let response: Response;
    let body: string;
    try {
      response = await transport(url, { ...init, signal: request.signal });
      // Read the body here, under the same timer, so a connection cut mid-answer is a network
      // failure like any other and a body that trickles in forever ends with the timeout.
      body = await boundedText(response, maxAnswerBytes(url));
    } catch (err) {
      if (err instanceof FetchAttemptError) throw err;
      if (init.signal?.aborted) throw init.signal.reason ?? err;
      if (timedOut) throw new FetchAttemptError("network", `no complete answer within ${options.requestTimeoutMs / 1000} s`);
      throw new FetchAttemptError("network", describeNetworkError(err));
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener("abort", cancel);
      // Whatever is left of the answer (a refused body) is not wanted: close the connection.
      request.abort();
    }
    if (!response.ok) throw statusError(response, body);
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * The most bytes an answer may have: 1 MiB, plus 256 bytes for each calendar day between the
 * request's `period1` and `period2`. A daily bar costs about 110 bytes of Yahoo's JSON (a
 * timestamp and six numbers printed at full precision), and there are five bars to seven days:
 * about 80 bytes a day. Ten years' chart is about 0.3 MB, and its bound 1.9 MiB; the three
 * months of a daily run are bounded at 1.02 MiB. The MiB is for `meta` and the dividend and split
 * events, a few KB in any real answer. Scaling with the window keeps a backfill's decades-long
 * request possible while a daily run's 32 requests in flight can hold at most about 33 MiB.
 */
export function maxAnswerBytes(url: string): number {
  const query = new URL(url).searchParams;
  const period1 = Number(query.get("period1"));
  const period2 = Number(query.get("period2"));
  const days = Number.isFinite(period1) && Number.isFinite(period2) && period2 > period1 ? Math.ceil((period2 - period1) / 86_400) : 0;
  return ANSWER_BASE_BYTES + ANSWER_BYTES_PER_DAY * days;
}

const ANSWER_BASE_BYTES = 1024 * 1024;
const ANSWER_BYTES_PER_DAY = 256;

/**
 * The body as text, refusing it (and stopping the download) as soon as it is longer than
 * `maxBytes`, or when its `Content-Length` says it will be. Counted after decompression, so a
 * small compressed body that inflates without end is refused too.
 */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const limit = formatBytes(maxBytes);
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchAttemptError("invalid-response", `the answer declares ${formatBytes(declared)}, more than the ${limit} a chart of this window can need; refused`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FetchAttemptError("invalid-response", `the answer went on past ${limit}, more than a chart of this window can need; refused`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** A non-2xx answer as a failure reason, with the message Yahoo gave. */
function statusError(response: Response, body: string): FetchAttemptError {
  const status = response.status;
  // An HTML error page says nothing a log line can use; the status text does.
  const said = yahooErrorDescription(body) ?? (body.trimStart().startsWith("<") ? undefined : firstLine(body)) ?? response.statusText;
  const message = `HTTP ${status}${said ? `: ${said}` : ""}`;
  if (status === 404) return new FetchAttemptError("not-found", yahooErrorDescription(body) ?? message);
  if (status === 429) return new FetchAttemptError("rate-limited", message, retryAfterMs(response.headers.get("retry-after")));
  if (status >= 500) return new FetchAttemptError("server-error", message, retryAfterMs(response.headers.get("retry-after")));
  return new FetchAttemptError("invalid-response", message);
}

/**
 * Yahoo's JSON error body, `{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}`:
 * the description, or undefined when the body is something else.
 */
export function yahooErrorDescription(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as Record<string, { error?: { code?: unknown; description?: unknown } } | undefined>;
    for (const value of Object.values(json ?? {})) {
      const error = value?.error;
      if (error && typeof error.description === "string" && error.description !== "") return oneLine(error.description);
      if (error && typeof error.code === "string") return oneLine(error.code);
    }
  } catch {
    // not JSON: the caller falls back to the text
  }
  return undefined;
}

/**
 * `Retry-After` in milliseconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describeNetworkError(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  const cause = error?.cause;
  if (cause?.message) return oneLine(`${error.message}: ${cause.message}`);
  return oneLine(error?.message ?? String(err));
}

function firstLine(text: string): string | undefined {
  const line = text.trim().split(/\r?\n/, 1)[0];
  return line ? oneLine(line) : undefined;
}

/** Collapses whitespace and keeps a message short enough for a log line and the Argo UI. */
export function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

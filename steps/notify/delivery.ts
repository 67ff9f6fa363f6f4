/**
 * Delivering one message to one channel, within a bounded time, so a channel that is down can
 * never hold the run up: each attempt may take at most the time left; an answer that says "later"
 * (HTTP 429 or 5xx, an SMTP 4xx, a refused or cut connection) is tried again after a back-off
 * that doubles from one second, or after the server's `Retry-After` when it fits in the time
 * left; an answer that says "no" (HTTP 4xx, SMTP 5xx, a failed login, a host that does not
 * exist) ends it at once. Whatever happens, the caller gets one outcome and one line.
 *
 * HTTP goes through `node:http`/`node:https` with no connection kept alive: a notification is one
 * request, and a kept-alive socket would hold the process open after its last line. Redirects
 * are not followed: the body would go to a URL nobody configured.
 */
import http from "node:http";
import https from "node:https";
import { printable } from "../command-line/io.ts";

/** What one attempt came to. */
export type Attempt =
  | { readonly outcome: "delivered" }
  /** Worth trying again: the server is busy, down or unreachable for now. */
  | { readonly outcome: "retry"; readonly why: string; readonly retryAfterMs?: number }
  /** Trying again would get the same answer: the channel refused the message. */
  | { readonly outcome: "refused"; readonly why: string };

export interface Delivery {
  readonly delivered: boolean;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** Why it was not delivered (the last attempt's answer), and whether waiting might have helped. */
  readonly why?: string;
  readonly refused?: boolean;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** The first wait before trying again; each later one doubles, up to `MAX_BACKOFF_MS`. */
export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 8000;

/** Attempts `send` until it delivers, is refused, or `boundMs` has passed since the first attempt started. */
export async function deliverWithin(boundMs: number, send: (timeoutMs: number) => Promise<Attempt>, clock: Clock = systemClock): Promise<Delivery> {
  const started = clock.now();
  const left = () => boundMs - (clock.now() - started);
  let attempts = 0;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    attempts++;
    const attempt = await send(Math.max(1, left()));
    const elapsedMs = clock.now() - started;
    if (attempt.outcome === "delivered") return { delivered: true, attempts, elapsedMs };
    const tried = `${attempt.why}${attempts > 1 ? ` (attempt ${attempts}, after ${seconds(elapsedMs)})` : ""}`;
    if (attempt.outcome === "refused") return { delivered: false, attempts, elapsedMs, why: tried, refused: true };
    const wait = attempt.retryAfterMs ?? backoff;
    if (attempt.retryAfterMs !== undefined && attempt.retryAfterMs >= left()) {
      return { delivered: false, attempts, elapsedMs, why: `${tried}; it asked to wait ${seconds(attempt.retryAfterMs)} (Retry-After), past the ${seconds(boundMs)} allowed` };
    }
    if (wait >= left()) return { delivered: false, attempts, elapsedMs, why: `${tried}; no time left for another attempt within the ${seconds(boundMs)} allowed (--notify-deadline-seconds)` };
    await clock.sleep(wait);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

export interface HttpPost {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The most of an answer's body kept to say why it was refused (Slack answers `no_service`, `invalid_token`...). */
const ANSWER_BYTES = 2048;

/** One POST, answered or not within `timeoutMs`. */
export function postOnce(request: HttpPost, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const url = new URL(request.endpoint);
    const body = Buffer.from(request.body, "utf8");
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = client.request(url, {
      method: "POST",
      agent: false,
      headers: { "user-agent": "stock-rsi", ...request.headers, "content-length": String(body.length), connection: "close" },
    });
    const timer = setTimeout(() => {
      settle({ outcome: "retry", why: `no answer within ${seconds(timeoutMs)}` });
      req.destroy();
    }, timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => settle(networkAttempt(err)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("error", (err: NodeJS.ErrnoException) => settle(networkAttempt(err)));
      res.on("end", () => {
        const answer = Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString("utf8");
        settle(httpAttempt(res.statusCode ?? 0, res.headers["retry-after"], answer, Date.now()));
        req.destroy();
      });
    });
    req.end(body);
  });
}

/**
 * What an HTTP answer means for a notification: 2xx delivered; 408, 425, 429 and 5xx "later"
 * (with the server's Retry-After, seconds or a date, when it gave one); everything else a refusal.
 */
export function httpAttempt(status: number, retryAfter: string | string[] | undefined, answer: string, nowMs: number): Attempt {
  if (status >= 200 && status < 300) return { outcome: "delivered" };
  const said = answerLine(answer);
  const why = `answered HTTP ${status}${said ? ` ${said}` : ""}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const wait = retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, nowMs);
    return { outcome: "retry", why, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  if (status >= 300 && status < 400) return { outcome: "refused", why: `${why} (a redirect, not followed: give the URL it leads to)` };
  return { outcome: "refused", why };
}

/** `Retry-After` as milliseconds from now: a number of seconds, or an HTTP date. */
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The first line of what a server said, short and printable, or "" for an HTML page. */
function answerLine(answer: string): string {
  const text = answer.trim();
  if (text === "" || /^</.test(text)) return "";
  const line = text.split(/\r?\n/)[0]!;
  const short = line.length > 120 ? `${line.slice(0, 119)}…` : line;
  return `"${printable(short)}"`;
}

/**
 * A network error: a host that does not resolve (a typo far more often than an outage, as for
 * the database) and a certificate that does not verify are refusals; a refused, reset or
 * unreachable connection and a resolver that cannot answer now are worth waiting for.
 */
export function networkAttempt(err: NodeJS.ErrnoException): Attempt {
  const code = err.code ?? "";
  if (code === "ENOTFOUND") return { outcome: "refused", why: "its host name does not resolve (ENOTFOUND); check the URL" };
  if (/CERT|SSL|TLS|SELF_SIGNED|HOSTNAME/i.test(code)) return { outcome: "refused", why: `TLS failed (${code}); the server's certificate is not trusted for this host` };
  const words: Record<string, string> = {
    ECONNREFUSED: "connection refused (is the server running?)",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ETIMEDOUT: "connection timed out",
    EPIPE: "connection closed while sending",
    EAI_AGAIN: "its host name could not be resolved now (EAI_AGAIN)",
  };
  return { outcome: "retry", why: words[code] ?? (code ? `network error ${code}` : printable(err.message || "network error")) };
}

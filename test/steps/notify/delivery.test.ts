/**
 * Delivery's rules, on a clock the test moves: what an answer means (later, or no), how long it
 * waits before the next attempt (doubling from a second, or the server's Retry-After), and that it
 * never goes past its bound.
 */
import { describe, expect, it } from "vitest";
import { deliverWithin, httpAttempt, networkAttempt, retryAfterMs, type Attempt, type Clock } from "../../../steps/notify/delivery.ts";
import { mailAttempt } from "../../../steps/notify/smtp.ts";

/** A clock that only moves when delivery sleeps or an attempt takes time. */
function fakeClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => void (now += ms),
  };
}

/** Answers in turn, each taking `takesMs` of the clock. */
function answers(clock: ReturnType<typeof fakeClock>, list: Attempt[], takesMs = 100): { send: (timeoutMs: number) => Promise<Attempt>; timeouts: number[] } {
  const timeouts: number[] = [];
  return {
    timeouts,
    send: async (timeoutMs) => {
      timeouts.push(timeoutMs);
      clock.advance(takesMs);
      return list.length > 1 ? list.shift()! : list[0]!;
    },
  };
}

describe("an HTTP answer", () => {
  it("2xx delivers; 408, 425, 429 and 5xx say later; a redirect and other 4xx say no", () => {
    expect(httpAttempt(200, undefined, "ok", 0)).toEqual({ outcome: "delivered" });
    expect(httpAttempt(204, undefined, "", 0)).toEqual({ outcome: "delivered" });
    for (const status of [408, 425, 429, 500, 502, 503]) expect(httpAttempt(status, undefined, "", 0).outcome, String(status)).toBe("retry");
    expect(httpAttempt(404, undefined, "no_service", 0)).toEqual({ outcome: "refused", why: 'answered HTTP 404 "no_service"' });
    expect(httpAttempt(403, undefined, "<html><body>Forbidden</body></html>", 0)).toEqual({ outcome: "refused", why: "answered HTTP 403" });
    expect(httpAttempt(301, undefined, "", 0)).toEqual({ outcome: "refused", why: "answered HTTP 301 (a redirect, not followed: give the URL it leads to)" });
  });

  it("carries the server's Retry-After, in seconds or as a date", () => {
    expect(httpAttempt(429, "7", "", 0)).toEqual({ outcome: "retry", why: "answered HTTP 429", retryAfterMs: 7000 });
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(retryAfterMs("soon", 0)).toBeUndefined();
  });

  it("a refused or reset connection says later; a name that does not resolve and a bad certificate say no", () => {
    expect(networkAttempt(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toEqual({ outcome: "retry", why: "connection refused (is the server running?)" });
    expect(networkAttempt(Object.assign(new Error("x"), { code: "ECONNRESET" })).outcome).toBe("retry");
    expect(networkAttempt(Object.assign(new Error("x"), { code: "EAI_AGAIN" })).outcome).toBe("retry");
    expect(networkAttempt(Object.assign(new Error("x"), { code: "ENOTFOUND" })).outcome).toBe("refused");
    expect(networkAttempt(Object.assign(new Error("x"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).outcome).toBe("refused");
  });
});

describe("an SMTP answer", () => {
  it("5xx but 503 says no, 4xx says later, as RFC 5321 reads them; a failed login says no", () => {
    expect(mailAttempt(Object.assign(new Error("Message failed: 550 no such user"), { responseCode: 550 })).outcome).toBe("refused");
    expect(mailAttempt(Object.assign(new Error("451 try later"), { responseCode: 451 })).outcome).toBe("retry");
    expect(mailAttempt(Object.assign(new Error("503 bad sequence"), { responseCode: 503 })).outcome).toBe("retry");
    expect(mailAttempt(Object.assign(new Error("Invalid login"), { code: "EAUTH" })).outcome).toBe("refused");
    expect(mailAttempt(Object.assign(new Error("connect ECONNREFUSED"), { code: "ESOCKET", originalCode: "ECONNREFUSED" }))).toEqual({ outcome: "retry", why: "connection refused (is the server running?)" });
    expect(mailAttempt(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "EDNS", originalCode: "ENOTFOUND" })).outcome).toBe("refused");
  });
});

describe("delivering within a bound", () => {
  it("tries again after 1, 2, 4 s until the answer is yes", async () => {
    const clock = fakeClock();
    const server = answers(clock, [{ outcome: "retry", why: "answered HTTP 500" }, { outcome: "retry", why: "answered HTTP 502" }, { outcome: "retry", why: "answered HTTP 503" }, { outcome: "delivered" }]);
    expect(await deliverWithin(30_000, server.send, clock)).toMatchObject({ delivered: true, attempts: 4 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  it("waits what Retry-After asks when it fits in the time left, and gives up at once when it does not", async () => {
    const clock = fakeClock();
    const fits = answers(clock, [{ outcome: "retry", why: "answered HTTP 429", retryAfterMs: 5000 }, { outcome: "delivered" }]);
    expect(await deliverWithin(30_000, fits.send, clock)).toMatchObject({ delivered: true, attempts: 2 });
    expect(clock.sleeps).toEqual([5000]);

    const later = fakeClock();
    const tooLong = answers(later, [{ outcome: "retry", why: "answered HTTP 429", retryAfterMs: 3_600_000 }]);
    const given = await deliverWithin(30_000, tooLong.send, later);
    expect(given).toMatchObject({ delivered: false, attempts: 1 });
    expect(given.why).toBe("answered HTTP 429; it asked to wait 3600 s (Retry-After), past the 30 s allowed");
    expect(later.sleeps).toEqual([]);
  });

  it("stops at a refusal without trying again", async () => {
    const clock = fakeClock();
    const server = answers(clock, [{ outcome: "refused", why: 'answered HTTP 404 "no_service"' }]);
    expect(await deliverWithin(30_000, server.send, clock)).toMatchObject({ delivered: false, attempts: 1, refused: true, why: 'answered HTTP 404 "no_service"' });
    expect(server.timeouts).toHaveLength(1);
  });

  it("never runs past its bound: each attempt gets the time left, and no wait outlasts it", async () => {
    const clock = fakeClock();
    const server = answers(clock, [{ outcome: "retry", why: "connection refused (is the server running?)" }], 3000);
    const given = await deliverWithin(20_000, server.send, clock);
    expect(given.delivered).toBe(false);
    expect(given.why).toMatch(/^connection refused \(is the server running\?\) \(attempt \d+, after [\d.]+ s\); no time left for another attempt within the 20 s allowed \(--notify-deadline-seconds\)$/);
    expect(given.elapsedMs).toBeLessThanOrEqual(20_000);
    // Each attempt is given what is left of the bound, less each time.
    expect(server.timeouts[0]).toBe(20_000);
    for (let i = 1; i < server.timeouts.length; i++) expect(server.timeouts[i]!).toBeLessThan(server.timeouts[i - 1]!);
  });
});

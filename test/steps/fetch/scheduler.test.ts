/**
 * The scheduler's decisions (when to try, when to stop), with attempt functions that answer
 * from a script. The Yahoo tests cover the same rules through HTTP; these pin the edges.
 */
import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_POLICY, fetchEach, FetchAttemptError, Pacer, type RequestPolicy } from "../../../steps/fetch/scheduler.ts";

const QUICK: RequestPolicy = { ...DEFAULT_POLICY, backoffBaseMs: 2, backoffMaxMs: 8, retryAfterMaxMs: 20 };

/** An attempt function that throws the scripted errors for a key, in order, then answers. */
function scripted(script: Record<string, FetchAttemptError[]>) {
  const calls: string[] = [];
  const attempt = async (key: string) => {
    calls.push(key);
    const error = script[key]?.shift();
    if (error) throw error;
    return `${key}-value`;
  };
  return { attempt, calls };
}

describe("backoffDelay", () => {
  it("doubles per retry, up to the cap, with half of each step random", () => {
    const policy = { backoffBaseMs: 1000, backoffMaxMs: 5000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 2500]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe("fetchEach", () => {
  it("retries what may pass and stops at once on what will not", async () => {
    const { attempt, calls } = scripted({
      flaky: [new FetchAttemptError("network", "socket hang up"), new FetchAttemptError("server-error", "HTTP 502")],
      gone: [new FetchAttemptError("not-found", "No data found")],
      junk: [new FetchAttemptError("invalid-response", "not JSON")],
    });
    const outcomes = await fetchEach(["flaky", "gone", "junk", "fine"], attempt, QUICK);

    expect(Object.fromEntries(outcomes)).toEqual({
      flaky: { ok: true, value: "flaky-value", attempts: 3 },
      gone: { ok: false, reason: "not-found", message: "No data found", attempts: 1 },
      junk: { ok: false, reason: "invalid-response", message: "not JSON", attempts: 1 },
      fine: { ok: true, value: "fine-value", attempts: 1 },
    });
    expect(calls.filter((c) => c === "flaky")).toHaveLength(3);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const errors = [1, 2, 3].map((n) => new FetchAttemptError("rate-limited", `HTTP 429 #${n}`));
    const { attempt } = scripted({ busy: errors });
    const outcomes = await fetchEach(["busy"], attempt, { ...QUICK, maxAttempts: 3 });
    expect(outcomes.get("busy")).toEqual({ ok: false, reason: "rate-limited", message: "HTTP 429 #3 (after 3 attempts)", attempts: 3 });
  });

  it("reports each key once, in any order of completion, with a progress call per key", async () => {
    const done: string[] = [];
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const outcomes = await fetchEach(keys, async (key) => key, QUICK, { onDone: (key) => done.push(key) });
    expect([...outcomes.keys()].sort()).toEqual([...keys].sort());
    expect(done.sort()).toEqual([...keys].sort());
  });

  it("keeps an unexpected error to its own key", async () => {
    const outcomes = await fetchEach(
      ["odd", "fine"],
      async (key) => {
        if (key === "odd") throw new TypeError("cannot read properties of undefined");
        return key;
      },
      QUICK,
    );
    expect(outcomes.get("odd")).toEqual({ ok: false, reason: "invalid-response", message: "unexpected error: cannot read properties of undefined", attempts: 1 });
    expect(outcomes.get("fine")).toEqual({ ok: true, value: "fine", attempts: 1 });
  });

  it("fails a retry that could only start after the deadline at once, saying why", async () => {
    const { attempt } = scripted({ late: [new FetchAttemptError("rate-limited", "HTTP 429: Too Many Requests", 60_000)] });
    const started = performance.now();
    const outcomes = await fetchEach(["late"], attempt, { ...QUICK, retryAfterMaxMs: 60_000, deadlineMs: 2_000 });
    expect(outcomes.get("late")).toEqual({
      ok: false,
      reason: "deadline",
      message: "the fetch deadline (2 s) would pass before the next attempt; last attempt: rate-limited: HTTP 429: Too Many Requests",
      attempts: 1,
    });
    expect(performance.now() - started).toBeLessThan(1_000); // it did not sit out the deadline
  });

  it("runs no more attempts at once than the concurrency", async () => {
    let running = 0;
    let peak = 0;
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    await fetchEach(
      keys,
      async (key) => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return key;
      },
      { ...QUICK, concurrency: 3 },
    );
    expect(peak).toBe(3);
  });
});

describe("Pacer", () => {
  it("grants turns at least the interval apart, measured from each real grant", async () => {
    const pacer = new Pacer(25);
    const grants: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => pacer.turn().then(() => grants.push(performance.now()))));
    const gaps = grants.slice(1).map((t, i) => t - grants[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(24); // timers may round down by a fraction of a ms
  });

  it("holds every turn until a rate-limit pause is over", async () => {
    const pacer = new Pacer(0);
    const start = performance.now();
    pacer.holdUntil(start + 80);
    await pacer.turn();
    expect(performance.now() - start).toBeGreaterThanOrEqual(79);
  });

  it("lets an aborted waiter go without a turn, and the others keep theirs", async () => {
    const pacer = new Pacer(40);
    await pacer.turn();
    const abort = new AbortController();
    const abandoned = pacer.turn(abort.signal);
    abort.abort();
    await abandoned;
    const before = performance.now();
    await pacer.turn();
    expect(performance.now() - before).toBeLessThan(45);
  });
});

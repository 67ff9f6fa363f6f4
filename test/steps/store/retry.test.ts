import { describe, expect, it } from "vitest";
import { RetriesExhausted, withRetry, type RetryPolicy } from "../../../steps/store/retry.ts";

const policy: RetryPolicy = { deadlineMs: 10_000, firstDelayMs: 250, maxDelayMs: 4_000 };

/** A clock that moves only when the code under test sleeps. */
function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
  };
}

const transient = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

describe("retrying through transient failures", () => {
  it("backs off exponentially, capped, and succeeds when the server is back", async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 6) throw transient;
        return "stored";
      },
      policy,
      { isTransient: (e) => e === transient, ...clock },
    );
    expect(result).toBe("stored");
    expect(clock.waits).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it("gives up when the next wait would pass the deadline, with the last error", async () => {
    const clock = fakeClock();
    const retried: number[] = [];
    const failure = await withRetry(
      async () => {
        throw transient;
      },
      policy,
      { isTransient: () => true, ...clock, onRetry: (_e, attempt) => retried.push(attempt) },
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RetriesExhausted);
    expect((failure as RetriesExhausted).lastError).toBe(transient);
    expect(clock.waits).toEqual([250, 500, 1000, 2000, 4000]);
    expect((failure as RetriesExhausted).attempts).toBe(6);
    expect(retried).toEqual([1, 2, 3, 4, 5]);
  });

  it("does not retry an error that waiting cannot fix", async () => {
    const clock = fakeClock();
    const denied = Object.assign(new Error("Access denied"), { errno: 1045 });
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw denied;
        },
        policy,
        { isTransient: () => false, ...clock },
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });
});

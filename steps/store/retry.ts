/**
 * Retrying an operation through a transient failure, up to a deadline.
 *
 * The case it is for: the MySQL pod restarts (a node drains, the Deployment is updated) while the
 * persist step runs. For a few seconds connections are refused or cut; then the server is back.
 * Or another session holds a lock: each statement waits for it a bounded time (`LOCK_WAIT_SECONDS`
 * in `mysql/connection.ts`), and the operation is tried again until the deadline.
 * The operation is retried from the start (for a write: the whole transaction, which is
 * idempotent), with exponential backoff, until it succeeds, fails in a way that is not transient,
 * or the deadline passes; then the last error is thrown inside a `RetriesExhausted`.
 *
 * The clock and the sleep are handed in, so the schedule is tested without waiting.
 */

export interface RetryPolicy {
  /** Give up when the next attempt would start after this many milliseconds. */
  readonly deadlineMs: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { deadlineMs: 60_000, firstDelayMs: 250, maxDelayMs: 5_000 };

export interface RetryEnvironment {
  readonly isTransient: (err: unknown) => boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each wait, e.g. to print one line the first time. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export class RetriesExhausted extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly elapsedMs: number,
  ) {
    super(`gave up after ${attempts} attempts in ${Math.round(elapsedMs / 1000)} s: ${(lastError as Error)?.message ?? String(lastError)}`);
  }
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, env: RetryEnvironment): Promise<T> {
  const now = env.now ?? (() => Date.now());
  const sleep = env.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      if (!env.isTransient(err)) throw err;
      const elapsed = now() - started;
      const wait = Math.min(delay, policy.maxDelayMs);
      if (elapsed + wait > policy.deadlineMs) throw new RetriesExhausted(err, attempt, elapsed);
      env.onRetry?.(err, attempt, wait);
      await sleep(wait);
      delay *= 2;
    }
  }
}

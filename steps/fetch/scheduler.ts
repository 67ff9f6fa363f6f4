/**
 * How the fetch step asks a rate-limiting service for many symbols: politely, and without
 * letting one symbol's trouble cost the others.
 *
 * - **At most `concurrency` requests in flight**, and optionally **at least `minIntervalMs`
 *   between the starts of two requests**. Yahoo answers a burst with HTTP 429 for every symbol
 *   alike, so a steady pace gets more symbols than a fast one.
 * - **Retries** only where a later attempt can succeed: `rate-limited` (429), `server-error`
 *   (5xx) and `network`. The wait doubles per attempt with jitter (so retries from several
 *   symbols do not arrive together), a server's `Retry-After` replaces it, and a 429 pauses
 *   *every* new request, not just that symbol's: the limit is per client, not per symbol.
 *   A `not-found` or an `invalid-response` would come back the same, so it is final at once.
 * - **A deadline** for the whole run: what is not fetched by then is a `deadline` failure, and
 *   everything fetched before it is kept.
 *
 * Source-agnostic: the attempt function does the I/O and throws a `FetchAttemptError` saying
 * what went wrong; this file only decides when to try, and when to stop.
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import type { FailureReason } from "../domain/artifacts.ts";

/** The failure reasons a fetch attempt can end with (a subset of the artifact's fixed set). */
export type FetchFailureReason = Extract<
  FailureReason,
  "not-found" | "rate-limited" | "server-error" | "network" | "invalid-response" | "deadline"
>;

/** Reasons worth another attempt: the service may answer differently a little later. */
export const RETRIABLE_REASONS: ReadonlySet<FetchFailureReason> = new Set(["rate-limited", "server-error", "network"]);

/** What one attempt at one symbol ran into. `message` is what the service said, on one line. */
export class FetchAttemptError extends Error {
  override readonly name = "FetchAttemptError";
  constructor(
    readonly reason: FetchFailureReason,
    message: string,
    /** The server's `Retry-After`, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get retriable(): boolean {
    return RETRIABLE_REASONS.has(this.reason);
  }
}

export interface RequestPolicy {
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Least time between the starts of two requests (retries included); 0 for none. */
  readonly minIntervalMs: number;
  /** Attempts per symbol, the first one included. */
  readonly maxAttempts: number;
  /** The wait before the first retry; it doubles for each further one. */
  readonly backoffBaseMs: number;
  /** The longest wait between two attempts of one symbol. */
  readonly backoffMaxMs: number;
  /** The longest `Retry-After` honoured as given; a longer one is cut to this. */
  readonly retryAfterMaxMs: number;
  /** Time allowed for the whole run, from the call; undefined for none. */
  readonly deadlineMs?: number | undefined;
}

export const DEFAULT_POLICY: RequestPolicy = {
  concurrency: 4,
  minIntervalMs: 0,
  maxAttempts: 4,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  retryAfterMaxMs: 60_000,
  deadlineMs: undefined,
};

export type Outcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly reason: FetchFailureReason; readonly message: string; readonly attempts: number };

export interface ScheduleHooks<T> {
  /** Called once per key, when its outcome is final. */
  onDone?(key: string, outcome: Outcome<T>): void;
  /** Called when an attempt failed and another will follow after `delayMs`. */
  onRetry?(key: string, error: FetchAttemptError, delayMs: number): void;
}

/** The clock and the dice, handed in so the policy stays a pure description. */
export interface ScheduleEnv {
  now(): number;
  random(): number;
}

const realEnv: ScheduleEnv = { now: () => performance.now(), random: Math.random };

/**
 * The pace of requests: each `turn()` is granted at least `minIntervalMs` after the previous
 * one, and never before a pause a rate limit asked for (`holdUntil`). Its turns are best taken
 * right before the request goes on the wire, so that the spacing is what the server sees.
 */
export class Pacer {
  private lastTurnAt = -Infinity;
  private heldUntil = 0;
  /** Turns are granted one after another, in the order they were asked for. */
  private queue: Promise<void> = Promise.resolve();
  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = realEnv.now,
  ) {}

  /** Waits for the next turn, or until the signal aborts (then the caller must not send). */
  turn(signal?: AbortSignal): Promise<void> {
    const granted = this.queue.then(async () => {
      // Measured from when the previous turn was really granted, so a late timer never
      // squeezes the next two requests together; re-checked because a hold may come meanwhile.
      for (;;) {
        const wait = Math.max(this.lastTurnAt + this.minIntervalMs, this.heldUntil) - this.now();
        if (wait <= 0 || signal?.aborted) break;
        await pause(wait, signal);
      }
      if (!signal?.aborted) this.lastTurnAt = this.now();
    });
    this.queue = granted;
    return granted;
  }

  /** No turn before `at` (the scheduler's clock). */
  holdUntil(at: number): void {
    this.heldUntil = Math.max(this.heldUntil, at);
  }
}

export interface ScheduleOptions<T> extends ScheduleHooks<T> {
  /**
   * The pacer the attempts take their turns from, right before each request. Without one,
   * the scheduler takes a turn before calling the attempt.
   */
  readonly pacer?: Pacer;
  readonly env?: ScheduleEnv;
}

/**
 * The wait before retry number `retry` (1 for the first): exponential backoff with "equal
 * jitter", half of the exponential step fixed and half random, so the waits still grow but
 * symbols that failed together do not come back together.
 */
export function backoffDelay(retry: number, policy: Pick<RequestPolicy, "backoffBaseMs" | "backoffMaxMs">, random: () => number): number {
  const step = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

interface Job {
  readonly key: string;
  attempts: number;
  readyAt: number;
  lastError?: FetchAttemptError;
}

/**
 * Runs `attempt` for every key under the policy and returns each key's outcome. Never throws
 * for a key's failure: every key ends with a value or a reason. `attempt` receives a signal
 * that aborts when the deadline passes; pass it on to the request.
 */
export async function fetchEach<T>(
  keys: readonly string[],
  attempt: (key: string, signal: AbortSignal) => Promise<T>,
  policy: RequestPolicy,
  options: ScheduleOptions<T> = {},
): Promise<Map<string, Outcome<T>>> {
  const env = options.env ?? realEnv;
  const hooks: ScheduleHooks<T> = options;
  const pacer = options.pacer ?? new Pacer(policy.minIntervalMs, env.now);
  const outcomes = new Map<string, Outcome<T>>();
  const jobs: Job[] = keys.map((key) => ({ key, attempts: 0, readyAt: 0 }));
  let nextFresh = 0;
  const retries: Job[] = [];

  if (policy.deadlineMs !== undefined && !(policy.deadlineMs >= 0 && policy.deadlineMs <= MAX_TIMER_MS)) {
    throw new RangeError(`fetch deadline ${policy.deadlineMs} ms is beyond what a timer can wait (${MAX_TIMER_MS} ms); the flag's bound should have refused it`);
  }
  const deadline = new AbortController();
  const deadlineAt = policy.deadlineMs === undefined ? Infinity : env.now() + policy.deadlineMs;
  const timer = policy.deadlineMs === undefined ? undefined : setTimeout(() => deadline.abort(), policy.deadlineMs);
  const deadlineText = `the fetch deadline (${formatSeconds(policy.deadlineMs ?? 0)})`;

  const finish = (job: Job, outcome: Outcome<T>) => {
    outcomes.set(job.key, outcome);
    hooks.onDone?.(job.key, outcome);
  };
  const fail = (job: Job, reason: FetchFailureReason, message: string) => finish(job, { ok: false, reason, message, attempts: job.attempts });

  /** A retry that is due (the longest waiting first), else the next fresh key, else nothing. */
  const takeReady = (): Job | undefined => {
    const now = env.now();
    let best = -1;
    for (let i = 0; i < retries.length; i++) {
      if (retries[i]!.readyAt <= now && (best < 0 || retries[i]!.readyAt < retries[best]!.readyAt)) best = i;
    }
    if (best >= 0) return retries.splice(best, 1)[0];
    return nextFresh < jobs.length ? jobs[nextFresh++] : undefined;
  };

  const worker = async (): Promise<void> => {
    while (!deadline.signal.aborted) {
      const job = takeReady();
      if (!job) {
        if (retries.length === 0) return;
        await pause(Math.min(...retries.map((j) => j.readyAt)) - env.now(), deadline.signal);
        continue;
      }
      if (!options.pacer) await pacer.turn(deadline.signal);
      if (deadline.signal.aborted) return;

      job.attempts++;
      try {
        const value = await attempt(job.key, deadline.signal);
        finish(job, { ok: true, value, attempts: job.attempts });
        continue;
      } catch (err) {
        if (deadline.signal.aborted) {
          fail(job, "deadline", `${deadlineText} passed while waiting for the answer`);
          return;
        }
        const error = asAttemptError(err);
        job.lastError = error;
        if (!error.retriable || job.attempts >= policy.maxAttempts) {
          fail(job, error.reason, job.attempts > 1 ? `${error.message} (after ${job.attempts} attempts)` : error.message);
          continue;
        }
        const delay =
          error.retryAfterMs !== undefined
            ? Math.min(error.retryAfterMs, policy.retryAfterMaxMs)
            : backoffDelay(job.attempts, policy, env.random);
        job.readyAt = env.now() + delay;
        if (job.readyAt >= deadlineAt) {
          fail(job, "deadline", `${deadlineText} would pass before the next attempt; last attempt: ${error.reason}: ${error.message}`);
          continue;
        }
        // Rate limits are per client: hold back every request, not only this symbol's.
        if (error.reason === "rate-limited") pacer.holdUntil(job.readyAt);
        retries.push(job);
        hooks.onRetry?.(job.key, error, delay);
      }
    }
  };

  try {
    const workers = Math.max(1, Math.min(policy.concurrency, keys.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    clearTimeout(timer);
  }

  // What is left was cut off by the deadline: never sent, or waiting for its next attempt.
  for (const job of jobs) {
    if (outcomes.has(job.key)) continue;
    if (job.lastError) {
      fail(job, "deadline", `${deadlineText} passed before the next attempt; last attempt: ${job.lastError.reason}: ${job.lastError.message}`);
    } else {
      fail(job, "deadline", `${deadlineText} passed before the request was sent`);
    }
  }
  return outcomes;
}

function asAttemptError(err: unknown): FetchAttemptError {
  if (err instanceof FetchAttemptError) return err;
  // Attempt functions classify what they know; anything else is still one symbol's problem.
  return new FetchAttemptError("invalid-response", `unexpected error: ${(err as Error)?.message ?? String(err)}`);
}

/**
 * The longest a Node timer waits: 2^31 - 1 ms (about 24.8 days). Asked for longer, Node warns
 * and fires after 1 ms, so a longer wait would end at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits `ms`, or less if the signal aborts first; never rejects. A wait beyond a timer's reach
 * ends at `MAX_TIMER_MS`, early rather than at once; every caller checks the time again after it.
 */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleepFor(Math.min(ms, MAX_TIMER_MS), undefined, { signal }).catch(() => undefined);
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

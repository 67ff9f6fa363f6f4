/**
 * The validation rules: the gate between computing values and storing them. Pure.
 *
 * Each rule looks at the rsi artifact and says `pass`, `warn` (something was rejected, the run
 * may go on) or `fail` (nothing may be stored). Symbols a rule rejects move from `results` to
 * `failures`, so the database only ever sees values that passed every rule.
 */
import {
  type Check,
  type Failure,
  type RsiArtifact,
  type RsiResult,
  type ValidatedArtifact,
} from "../domain/artifacts.ts";
import { weekdaysBetween } from "../domain/dates.ts";

export interface ValidationPolicy {
  /** Largest share (0–1) of symbols allowed to have no value. */
  readonly maxFailedShare: number;
  /** Weekdays a result's last close may lag the as-of date. */
  readonly maxStaleDays: number;
}

export function validateRsi(artifact: RsiArtifact, policy: ValidationPolicy): ValidatedArtifact {
  const checks: Check[] = [];
  let results = [...artifact.results];
  const failures = [...artifact.failures];

  checks.push(uniqueSymbols(results, failures));

  const inRange = rsiInRange(results);
  checks.push(inRange.check);
  results = inRange.kept;
  failures.push(...inRange.rejected);

  const fresh = currentForAsOf(results, artifact.asOf, policy.maxStaleDays);
  checks.push(fresh.check);
  results = fresh.kept;
  failures.push(...fresh.rejected);

  checks.push(failedShare(results.length, failures, policy.maxFailedShare));

  const tradeDate = results.reduce<string | null>((max, r) => (max === null || r.date > max ? r.date : max), null);
  return {
    ...artifact,
    kind: "validated",
    results,
    failures,
    tradeDate,
    passed: checks.every((c) => c.outcome !== "fail"),
    checks,
  };
}

/**
 * unique-symbols — every symbol appears once, in `results` or in `failures`. A repeat means the
 * artifact was assembled wrongly upstream, and storing it would let one value silently
 * overwrite another; the whole run fails.
 */
function uniqueSymbols(results: readonly RsiResult[], failures: readonly Failure[]): Check {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { symbol } of [...results, ...failures]) {
    if (seen.has(symbol)) repeated.add(symbol);
    seen.add(symbol);
  }
  if (repeated.size === 0) return { rule: "unique-symbols", outcome: "pass", message: `${seen.size} distinct symbols` };
  return {
    rule: "unique-symbols",
    outcome: "fail",
    message: `${repeated.size} symbols appear more than once: ${[...repeated].join(" ")}`,
    symbols: [...repeated],
  };
}

/**
 * rsi-in-range — RSI is 0…100 by construction, so a value outside means a bug, not a market
 * event: the offending symbols are rejected and the run fails.
 */
function rsiInRange(results: readonly RsiResult[]) {
  const rejected: Failure[] = [];
  const kept = results.filter((r) => {
    if (r.rsi >= 0 && r.rsi <= 100) return true;
    rejected.push({ symbol: r.symbol, reason: "out-of-range", message: `RSI ${r.rsi} is outside 0-100` });
    return false;
  });
  const check: Check =
    rejected.length === 0
      ? { rule: "rsi-in-range", outcome: "pass", message: `all ${kept.length} values within 0-100` }
      : {
          rule: "rsi-in-range",
          outcome: "fail",
          message: `${rejected.length} values outside 0-100 (a bug upstream): ${rejected.map((f) => f.symbol).join(" ")}`,
          symbols: rejected.map((f) => f.symbol),
        };
  return { check, kept, rejected };
}

/**
 * trading-day-current — a result's last close must be recent for the as-of date: at most
 * `maxStaleDays` weekdays behind it (weekends never count; a few days absorb exchange
 * holidays). An older series (a halted or delisted stock Yahoo still answers for) would rank a
 * days-old RSI beside today's, so it is rejected as `stale`. A close dated after the as-of date
 * cannot happen unless fetch is broken, and fails the run.
 */
function currentForAsOf(results: readonly RsiResult[], asOf: string, maxStaleDays: number) {
  const rejected: Failure[] = [];
  const future: string[] = [];
  const kept = results.filter((r) => {
    if (r.date > asOf) {
      future.push(r.symbol);
      return false;
    }
    const lag = weekdaysBetween(r.date, asOf);
    if (lag <= maxStaleDays) return true;
    // The close's date and lag ride along (the contract carries extra fields), for the report.
    rejected.push({
      symbol: r.symbol,
      reason: "stale",
      message: `last close ${r.date} is ${lag} weekdays before ${asOf} (limit ${maxStaleDays})`,
      lastClose: r.date,
      weekdaysBehind: lag,
    });
    return false;
  });
  let check: Check;
  if (future.length > 0) {
    check = {
      rule: "trading-day-current",
      outcome: "fail",
      message: `${future.length} results dated after the as-of date ${asOf}: ${future.join(" ")}`,
      symbols: future,
    };
  } else if (rejected.length > 0) {
    check = {
      rule: "trading-day-current",
      outcome: "warn",
      message: `${rejected.length} stale series rejected (last close more than ${maxStaleDays} weekdays before ${asOf}): ${rejected.map((f) => f.symbol).join(" ")}`,
      symbols: rejected.map((f) => f.symbol),
    };
  } else {
    check = { rule: "trading-day-current", outcome: "pass", message: `all ${kept.length} results current for ${asOf}` };
  }
  return { check, kept, rejected };
}

/**
 * failed-share — the share of symbols without a value must stay at or under the limit. About
 * 14% of the user's real list failed on an ordinary day; far more means Yahoo (or the network)
 * is having a bad day, and a table of mostly-NULL rows is worse than yesterday's complete one.
 */
function failedShare(resultCount: number, failures: readonly Failure[], limit: number): Check {
  const failedSymbols = new Set(failures.map((f) => f.symbol));
  const total = resultCount + failedSymbols.size;
  const share = total === 0 ? 1 : failedSymbols.size / total;
  const message = `${failedSymbols.size} of ${total} symbols failed (${percent(share)}, limit ${percent(limit)})`;
  return {
    rule: "failed-share",
    outcome: share <= limit && total > 0 ? "pass" : "fail",
    message: total === 0 ? "no symbols at all" : message,
    symbols: [...failedSymbols],
  };
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The validate step's one-line summary of a validated artifact. */
export function summarize(v: ValidatedArtifact): string {
  const share = v.checks.find((c) => c.rule === "failed-share");
  if (!v.passed) {
    const failed = v.checks.filter((c) => c.outcome === "fail").map((c) => `${c.rule}: ${c.message}`);
    return `FAILED, nothing will be stored: ${failed.join("; ")}`;
  }
  return `passed: ${v.results.length} symbols ranked for ${v.tradeDate ?? "no trading day"}; ${share?.message ?? ""}`;
}

/**
 * The validation rules: the gate between computing values and storing them. Pure.
 *
 * Each rule looks at the rsi artifact and says `pass`, `warn` (something was rejected, the run
 * may go on) or `fail` (nothing may be stored). Symbols a rule rejects move from `results` to
 * `failures`, so the database only ever sees values that passed every rule.
 */
import type { Check, Failure, RsiArtifact, RsiResult, ValidatedArtifact } from "../domain/artifacts.ts";
import { isRsiValue } from "../domain/rsi.ts";
import { tradingDaysAfter } from "../domain/market-calendar.ts";

export interface ValidationPolicy {
  /** Largest share (0–1) of symbols allowed to have no value. */
  readonly maxFailedShare: number;
  /** NYSE trading days a result's last close may lag the as-of date (`tradingDaysAfter`). */
  readonly maxStaleDays: number;
}

export function validateRsi(artifact: RsiArtifact, policy: ValidationPolicy): ValidatedArtifact {
  const gate = new ValidationGate(artifact.asOf, policy);
  const results = artifact.results.filter((r) => gate.admit(r));
  return { ...artifact, kind: "validated", results, ...gate.verdict(artifact.failures) };
}

/** What validation adds to the rsi artifact, besides keeping only the admitted results. */
export interface Verdict {
  readonly failures: Failure[];
  readonly tradeDate: string | null;
  readonly passed: boolean;
  readonly checks: Check[];
}

/**
 * The rules applied one result at a time, as the validate step reads them: `admit` says whether a
 * result is kept, `verdict` (given the artifact's own failures) says how the run went. Only what
 * a rule needs is remembered: the symbols seen, and the results it rejected.
 */
export class ValidationGate {
  private readonly seen = new Set<string>();
  private readonly repeated = new Set<string>();
  private readonly outOfRange: Failure[] = [];
  private inRange = 0;
  private readonly stale: Failure[] = [];
  private readonly future: string[] = [];
  private kept = 0;
  private tradeDate: string | null = null;

  constructor(
    private readonly asOf: string,
    private readonly policy: ValidationPolicy,
  ) {}

  admit(result: RsiResult): boolean {
    this.see(result.symbol);
    if (!inRange(result)) {
      this.outOfRange.push({ symbol: result.symbol, reason: "out-of-range", message: outOfRangeMessage(result) });
      return false;
    }
    this.inRange++;
    const freshness = currentFor(result, this.asOf, this.policy.maxStaleDays);
    if (freshness === "future") {
      this.future.push(result.symbol);
      return false;
    }
    if (freshness !== "current") {
      this.stale.push(freshness);
      return false;
    }
    this.kept++;
    if (this.tradeDate === null || result.date > this.tradeDate) this.tradeDate = result.date;
    return true;
  }

  verdict(artifactFailures: readonly Failure[]): Verdict {
    for (const { symbol } of artifactFailures) this.see(symbol);
    const failures = [...artifactFailures, ...this.outOfRange, ...this.stale];
    const checks = [
      uniqueSymbols(this.seen, this.repeated),
      rangeCheck(this.outOfRange, this.inRange),
      freshnessCheck(this.future, this.stale, this.kept, this.asOf, this.policy.maxStaleDays),
      failedShare(this.kept, failures, this.policy.maxFailedShare),
    ];
    return { failures, tradeDate: this.tradeDate, passed: checks.every((c) => c.outcome !== "fail"), checks };
  }

  private see(symbol: string): void {
    if (this.seen.has(symbol)) this.repeated.add(symbol);
    this.seen.add(symbol);
  }
}

/**
 * unique-symbols — every symbol appears once, in `results` or in `failures`. A repeat means the
 * artifact was assembled wrongly upstream, and storing it would let one value silently
 * overwrite another; the whole run fails.
 */
function uniqueSymbols(seen: ReadonlySet<string>, repeated: ReadonlySet<string>): Check {
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
function inRange(r: RsiResult): boolean {
  return isRsiValue(r.rsi);
}

function outOfRangeMessage(r: RsiResult): string {
  return `RSI ${r.rsi} is outside 0-100`;
}

function rangeCheck(rejected: readonly Failure[], kept: number): Check {
  return rejected.length === 0
    ? { rule: "rsi-in-range", outcome: "pass", message: `all ${kept} values within 0-100` }
    : {
        rule: "rsi-in-range",
        outcome: "fail",
        message: `${rejected.length} values outside 0-100 (a bug upstream): ${rejected.map((f) => f.symbol).join(" ")}`,
        symbols: rejected.map((f) => f.symbol),
      };
}

/**
 * trading-day-current — a result's last close must be recent for the as-of date: at most
 * `maxStaleDays` NYSE trading days behind it, counted on the exchange's calendar (weekends and
 * exchange holidays never count, so a close before Thanksgiving or Good Friday is no staler for
 * it; a limit above 1 absorbs a listing abroad's own holidays, Easter Monday). An older series (a halted or delisted stock Yahoo still answers for) would rank a
 * days-old RSI beside today's, so it is rejected as `stale`. A close dated after the as-of date
 * cannot happen unless fetch is broken, and fails the run.
 */
function currentFor(r: RsiResult, asOf: string, maxStaleDays: number): "current" | "future" | Failure {
  if (r.date > asOf) return "future";
  const lag = tradingDaysAfter(r.date, asOf);
  if (lag <= maxStaleDays) return "current";
  // The close's date and lag ride along (the contract carries extra fields), for the report.
  return {
    symbol: r.symbol,
    reason: "stale",
    message: `last close ${r.date} is ${lag} trading days before ${asOf} (limit ${maxStaleDays})`,
    lastClose: r.date,
    tradingDaysBehind: lag,
  };
}

function freshnessCheck(future: readonly string[], rejected: readonly Failure[], kept: number, asOf: string, maxStaleDays: number): Check {
  if (future.length > 0) {
    return {
      rule: "trading-day-current",
      outcome: "fail",
      message: `${future.length} results dated after the as-of date ${asOf}: ${future.join(" ")}`,
      symbols: [...future],
    };
  }
  if (rejected.length > 0) {
    return {
      rule: "trading-day-current",
      outcome: "warn",
      message: `${rejected.length} stale series rejected (last close more than ${maxStaleDays} trading days before ${asOf}): ${rejected.map((f) => f.symbol).join(" ")}`,
      symbols: rejected.map((f) => f.symbol),
    };
  }
  return { rule: "trading-day-current", outcome: "pass", message: `all ${kept} results current for ${asOf}` };
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

/** Each entry whose symbol appeared earlier in `results`, then `failures`, with where it is. */
function repeats(results: readonly RsiResult[], failures: readonly Failure[]): { symbol: string; field: string }[] {
  const seen = new Set<string>();
  const found: { symbol: string; field: string }[] = [];
  const visit = (symbol: string, field: string) => {
    if (seen.has(symbol)) found.push({ symbol, field });
    seen.add(symbol);
  };
  results.forEach((r, i) => visit(r.symbol, `results[${i}].symbol`));
  failures.forEach((f, i) => visit(f.symbol, `failures[${i}].symbol`));
  return found;
}

/** A field of a validated artifact that contradicts what validate checked, and how. */
export interface Contradiction {
  /** Where in the artifact, e.g. `results[3].rsi`. */
  readonly field: string;
  readonly problem: string;
}

/**
 * The first thing in a validated artifact that validate would not have let through, or undefined.
 *
 * persist is the last step before the database, and a file can be edited between two steps (by
 * hand, by a script, by a bug in another producer). So persist re-applies, with the same
 * functions, every rule that needs nothing but the artifact: each symbol once, every RSI within
 * 0-100, no close after the as-of date; and checks the artifact agrees with itself: the trading
 * day is the latest close among the results, and `passed` is true only when no check failed. (The
 * failed-share and staleness limits are the run's policy, which the artifact does not carry: its
 * `checks` record how they went.)
 */
export function contradictionIn(v: ValidatedArtifact): Contradiction | undefined {
  if (v.passed) {
    const failed = v.checks.findIndex((c) => c.outcome === "fail");
    if (failed >= 0) return { field: `checks[${failed}].outcome`, problem: `the rule ${v.checks[failed]!.rule} failed, yet passed is true` };
  }
  const repeated = repeats(v.results, v.failures)[0];
  if (repeated) return { field: repeated.field, problem: `${repeated.symbol} appears more than once` };
  for (const [i, r] of v.results.entries()) {
    if (!inRange(r)) return { field: `results[${i}].rsi`, problem: outOfRangeMessage(r) };
    // Staleness is the run's policy, which the artifact does not carry: only a close after the as-of date is checked.
    if (currentFor(r, v.asOf, Infinity) === "future") return { field: `results[${i}].date`, problem: `${r.date} is after the as-of date ${v.asOf}` };
  }
  const latest = v.results.reduce<string | null>((max, r) => (max === null || r.date > max ? r.date : max), null);
  if (v.tradeDate !== latest) {
    return {
      field: "tradeDate",
      problem: latest === null ? `${v.tradeDate} is given, but there are no results` : `${v.tradeDate ?? "null"} is not the latest close among the results (${latest})`,
    };
  }
  return undefined;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** validate's one-line summary, for a run it just decided or a validated artifact read back. */
export function summarize(v: Pick<Verdict, "passed" | "checks" | "tradeDate"> & ({ readonly admitted: number } | { readonly results: readonly unknown[] })): string {
  const share = v.checks.find((c) => c.rule === "failed-share");
  if (!v.passed) {
    const failed = v.checks.filter((c) => c.outcome === "fail").map((c) => `${c.rule}: ${c.message}`);
    return `FAILED, nothing will be stored: ${failed.join("; ")}`;
  }
  const admitted = "admitted" in v ? v.admitted : v.results.length;
  return `passed: ${admitted} symbols ranked for ${v.tradeDate ?? "no trading day"}; ${share?.message ?? ""}`;
}

/**
 * What a run's notification says, composed once for every channel. Pure.
 *
 * An RSI screen exists to tell its user, each evening, what crossed and what broke. So a message
 * leads with that, in a few short lines a phone's lock screen shows whole (`glance`): the day and
 * the outcome in the title; the crossings of 70 and 30 since the previous stored trading day, or
 * why the run failed. The rest is in the body (`sections`): the dates, the outcome in full, every
 * crossing with its values, the five strongest and weakest symbols, the symbols without a value
 * counted by reason, and where the report is. A fact the run never produced (the ranking of a run
 * that failed in fetch) is left out, never shown as zero.
 */
import type { IsoDate } from "../domain/dates.ts";
import type { BackfillDay, Crossing, CrossingKind, RankedValue, RunOutcome, SymbolWithoutValue } from "./run-results.ts";

/** Everything a notification is composed from. */
export interface FinishedRun {
  /** `stock-rsi` (the daily DAG) or `stock-rsi-backfill`. */
  readonly pipeline: string;
  /** The day ranked (for a backfill: the last day of the range). */
  readonly asOf: IsoDate;
  /** A backfill's first day. */
  readonly firstDay?: IsoDate;
  /** The trading day the values are of, when validate got that far. */
  readonly tradeDate?: IsoDate;
  readonly method: string;
  readonly period: number;
  readonly runId?: string;
  readonly outcome: RunOutcome;
  /** persist's ranking, strongest first: absent when persist did not write one. */
  readonly ranking?: readonly RankedValue[];
  /** persist's crossings: absent when persist did not write them (empty: there were none). */
  readonly crossings?: readonly Crossing[];
  /** validate's symbols without a value: absent when validate did not run. */
  readonly withoutValue?: readonly SymbolWithoutValue[];
  /** backfill's days: absent outside a backfill, or when it did not get that far. */
  readonly days?: readonly BackfillDay[];
  /** Where the run's report can be read: the run in the Argo UI, or the local report file. */
  readonly reportLink?: string;
}

/** The version of the JSON payload (`formats.ts`); raised when a field changes meaning or goes. */
export const PAYLOAD_SCHEMA_VERSION = 1;

/** How many of the strongest and of the weakest symbols a message lists. */
export const EXTREMES = 5;
/** Symbols named on one lock-screen line before "+N more". */
const GLANCE_SYMBOLS = 4;

export interface Notification {
  readonly run: FinishedRun;
  /** Whether the run passed: a channel may colour or prioritise by it. */
  readonly passed: boolean;
  /** One line: the run, its day and its outcome, e.g. `stock-rsi 2021-05-17: passed, 3 crossings`. */
  readonly title: string;
  /** At most three short lines for a phone's lock screen: what crossed, or what broke. */
  readonly glance: readonly string[];
  /** The detail, for the body. */
  readonly sections: readonly Section[];
  readonly strongest?: readonly RankedValue[];
  readonly weakest?: readonly RankedValue[];
  /** Symbols without a value by reason, most frequent first. */
  readonly withoutValueByReason?: readonly { readonly reason: string; readonly count: number }[];
}

export interface Section {
  readonly heading: string;
  readonly lines: readonly string[];
}

/** How each crossing reads, in the order they are listed. */
export const CROSSING_WORDS: Readonly<Record<CrossingKind, string>> = {
  "entered-overbought": "entered overbought",
  "left-overbought": "left overbought",
  "entered-oversold": "entered oversold",
  "left-oversold": "left oversold",
};

export function composeNotification(run: FinishedRun): Notification {
  const passed = run.outcome.kind === "passed";
  const strongest = run.ranking?.slice(0, EXTREMES);
  const weakest = run.ranking ? [...run.ranking].reverse().slice(0, EXTREMES) : undefined;
  const withoutValueByReason = run.withoutValue ? countByReason(run.withoutValue) : undefined;
  return {
    run,
    passed,
    title: titleOf(run),
    glance: glanceOf(run, strongest, weakest),
    sections: sectionsOf(run, strongest, weakest, withoutValueByReason),
    ...(strongest ? { strongest } : {}),
    ...(weakest ? { weakest } : {}),
    ...(withoutValueByReason ? { withoutValueByReason } : {}),
  };
}

/** The day a message is named by: the trading day when known, else the as-of date (a backfill: its range). */
function dayOf(run: FinishedRun): string {
  if (run.firstDay !== undefined) return run.firstDay === run.asOf ? run.asOf : `${run.firstDay} to ${run.asOf}`;
  return run.tradeDate ?? run.asOf;
}

function titleOf(run: FinishedRun): string {
  const name = run.pipeline === "stock-rsi-backfill" ? "stock-rsi backfill" : run.pipeline;
  return `${name} ${dayOf(run)}: ${outcomeWords(run)}`;
}

function outcomeWords(run: FinishedRun): string {
  const { outcome } = run;
  switch (outcome.kind) {
    case "passed": {
      if (run.days) return `passed, ${countOf(run.days, "stored")} ${plural(countOf(run.days, "stored"), "day")} stored`;
      if (!run.crossings) return "passed";
      return `passed, ${run.crossings.length === 0 ? "no" : run.crossings.length} ${plural(run.crossings.length, "crossing")}`;
    }
    case "validation-failed":
      return "validation failed, nothing stored";
    case "step-failed":
      return outcome.step === undefined ? "FAILED" : `FAILED at ${outcome.step}${outcome.exitCode !== undefined ? ` (exit ${outcome.exitCode})` : ""}`;
  }
}

function glanceOf(run: FinishedRun, strongest?: readonly RankedValue[], weakest?: readonly RankedValue[]): string[] {
  const lines: string[] = [];
  if (run.outcome.kind !== "passed") lines.push(run.outcome.message);
  if (run.crossings && run.crossings.length > 0) {
    const kinds = (Object.keys(CROSSING_WORDS) as CrossingKind[]).map((kind) => ({ kind, these: run.crossings!.filter((c) => c.kind === kind) })).filter((k) => k.these.length > 0);
    // One line per kind while they fit; the kinds past the last line are counted on it.
    const room = 3 - lines.length;
    const shown = kinds.length > room ? kinds.slice(0, room - 1) : kinds;
    for (const { kind, these } of shown) {
      const named = these.slice(0, GLANCE_SYMBOLS).map((c) => `${c.symbol} ${value(c.today)}`);
      const more = these.length > GLANCE_SYMBOLS ? ` +${these.length - GLANCE_SYMBOLS} more` : "";
      lines.push(`${capitalized(CROSSING_WORDS[kind])}: ${named.join(", ")}${more}`);
    }
    const rest = kinds.slice(shown.length);
    if (rest.length > 0) lines.push(`Also ${rest.map(({ kind, these }) => `${these.length} ${CROSSING_WORDS[kind]}`).join(", ")}`);
  } else if (run.crossings && strongest?.[0] && weakest?.[0]) {
    lines.push(`No crossings. Strongest ${strongest[0].symbol} ${value(strongest[0].rsi)}, weakest ${weakest[0].symbol} ${value(weakest[0].rsi)}`);
  }
  if (run.days) {
    const refused = run.days.filter((d) => d.outcome === "refused").map((d) => d.date);
    lines.push(`${countOf(run.days, "stored")} stored, ${countOf(run.days, "skipped")} skipped, ${refused.length} refused${refused.length > 0 ? ` (${refused.slice(0, GLANCE_SYMBOLS).join(", ")}${refused.length > GLANCE_SYMBOLS ? ", ..." : ""})` : ""}`);
  }
  // Crossings first: that is what the screen is for. Three lines fit a lock screen.
  return lines.slice(0, 3);
}

function sectionsOf(
  run: FinishedRun,
  strongest: readonly RankedValue[] | undefined,
  weakest: readonly RankedValue[] | undefined,
  byReason: readonly { reason: string; count: number }[] | undefined,
): Section[] {
  const sections: Section[] = [];
  const dates = run.firstDay !== undefined ? [`Days ${run.firstDay} to ${run.asOf}`] : [`As of ${run.asOf}`, `Trading day ${run.tradeDate ?? "unknown (the run did not get that far)"}`];
  sections.push({
    heading: "Run",
    lines: [
      ...dates,
      `RSI ${run.method}, period ${run.period}`,
      `Outcome: ${outcomeLine(run)}`,
      ...(run.runId ? [`Run ${run.runId}`] : []),
    ],
  });
  if (run.crossings) {
    sections.push({
      heading: "Crossings since the previous stored trading day",
      lines: run.crossings.length === 0 ? ["none"] : run.crossings.map((c) => `${c.symbol} ${CROSSING_WORDS[c.kind]} ${value(c.previous)} -> ${value(c.today)}`),
    });
  }
  if (strongest && strongest.length > 0) sections.push({ heading: "Strongest", lines: strongest.map((r) => `${r.symbol} ${value(r.rsi)}`) });
  if (weakest && weakest.length > 0) sections.push({ heading: "Weakest", lines: weakest.map((r) => `${r.symbol} ${value(r.rsi)}`) });
  if (byReason) {
    const total = byReason.reduce((n, r) => n + r.count, 0);
    const ranked = run.ranking ? `${run.ranking.length} ranked; ` : "";
    sections.push({
      heading: "Symbols without a value",
      lines: [total === 0 ? `${ranked}none` : `${ranked}${total} without a value: ${byReason.map((r) => `${r.count} ${r.reason}`).join(", ")}`],
    });
  }
  if (run.days) {
    sections.push({
      heading: "Days",
      lines: run.days.map((d) => (d.outcome === "stored" ? `${d.date} stored ${d.values}` : d.outcome === "skipped" ? `${d.date} skipped (already stored)` : `${d.date} refused: ${d.reason}`)),
    });
  }
  const noLink = run.outcome.kind === "passed" ? "no link (on a laptop, run with --report FILE to keep it)" : "none: the run did not get to write one";
  sections.push({ heading: "Report", lines: [run.reportLink ?? noLink] });
  return sections;
}

function outcomeLine(run: FinishedRun): string {
  const { outcome } = run;
  switch (outcome.kind) {
    case "passed":
      return "passed";
    case "validation-failed":
      return `validation failed at ${outcome.step}, nothing was stored: ${outcome.message}`;
    case "step-failed":
      return `${outcome.step ?? "the run"} failed${outcome.exitCode !== undefined ? ` (exit ${outcome.exitCode})` : ""}: ${outcome.message}`;
  }
}

function countByReason(failures: readonly SymbolWithoutValue[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

function countOf(days: readonly BackfillDay[], outcome: BackfillDay["outcome"]): number {
  return days.filter((d) => d.outcome === outcome).length;
}

/** An RSI as the ranking prints it: two decimals. */
export function value(rsi: number): string {
  return rsi.toFixed(2);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message as plain text: the title, the glance, then each section. */
export function plainText(n: Notification, options: { readonly title?: boolean } = {}): string {
  const head = options.title === false ? [] : [n.title];
  const glance = n.glance.length > 0 ? [...n.glance, ""] : [];
  const body = n.sections.flatMap((s) => [`${s.heading}:`, ...s.lines.map((l) => `  ${l}`)]);
  return [...head, ...(head.length > 0 ? [""] : []), ...glance, ...body].join("\n");
}

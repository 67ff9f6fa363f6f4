/**
 * Overbought, oversold, and the days a symbol crosses into or out of them. Pure.
 *
 * J. Welles Wilder, who defined RSI (*New Concepts in Technical Trading Systems*, 1978), read it
 * against two lines: above 70 a stock is **overbought**, it has gained so much more than it lost
 * over the last 14 days that the move may be stretched; below 30 it is **oversold**, the mirror
 * image. 70 and 30 are a convention, not a law: a strong trend can stay overbought for weeks.
 * That is why what RSI users screen for every day is the **crossing**: the day a value enters
 * one of the zones, or leaves it. Here the lines belong to the zones (70 is overbought, 30 is
 * oversold), as the user's screen has always counted them.
 *
 * A zone is judged on the value as the reader sees it, two decimals rounded the way the stored
 * history was (`roundHalfEven`): 69.996 shows as 70.00 and is overbought, so the number, its
 * marker and the signal can never disagree.
 */
import { roundHalfEven } from "../domain/ranking.ts";

/** RSI at or above this is overbought. */
export const OVERBOUGHT = 70;
/** RSI at or below this is oversold. */
export const OVERSOLD = 30;

export type Zone = "oversold" | "neutral" | "overbought";

export function zoneOf(rsi: number): Zone {
  const shown = roundHalfEven(rsi);
  if (shown >= OVERBOUGHT) return "overbought";
  if (shown <= OVERSOLD) return "oversold";
  return "neutral";
}

/** One symbol's RSI on one day. */
export interface SymbolRsi {
  readonly symbol: string;
  readonly rsi: number;
}

/** The four crossings, in the order signals are listed. */
export const SIGNAL_KINDS = ["entered-overbought", "left-overbought", "entered-oversold", "left-oversold"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** A symbol whose zone changed between the previous stored trading day and today. */
export interface Signal {
  readonly symbol: string;
  readonly kind: SignalKind;
  /** The zone on the previous stored trading day. */
  readonly from: Zone;
  /** The zone today. */
  readonly to: Zone;
  /** The value on the previous stored trading day. */
  readonly previous: number;
  readonly today: number;
}

/**
 * The crossings between two days' values. A symbol without a value on either day has no signal
 * (nothing is known about where it came from). A jump across the whole neutral band in one day
 * (29 → 71) is two signals: it left oversold and entered overbought. Listed by kind
 * (`SIGNAL_KINDS` order), then by symbol.
 */
export function crossings(previous: readonly SymbolRsi[], today: readonly SymbolRsi[]): Signal[] {
  const before = bySymbol(previous, "previous");
  const signals: Signal[] = [];
  for (const [symbol, now] of bySymbol(today, "today")) {
    const then = before.get(symbol);
    if (then === undefined) continue;
    const from = zoneOf(then);
    const to = zoneOf(now);
    if (from === to) continue;
    const signal = { symbol, from, to, previous: then, today: now };
    if (from === "overbought") signals.push({ ...signal, kind: "left-overbought" });
    if (from === "oversold") signals.push({ ...signal, kind: "left-oversold" });
    if (to === "overbought") signals.push({ ...signal, kind: "entered-overbought" });
    if (to === "oversold") signals.push({ ...signal, kind: "entered-oversold" });
  }
  return signals.sort(
    (a, b) => SIGNAL_KINDS.indexOf(a.kind) - SIGNAL_KINDS.indexOf(b.kind) || compareText(a.symbol, b.symbol),
  );
}

/**
 * The signals as text, one line each, e.g. `NVDA entered-overbought 68.40 -> 71.25`: the value
 * of an output parameter a person reads in the Argo UI and a script can split on spaces. Empty
 * when there are none.
 */
export function formatSignals(signals: readonly Signal[]): string {
  return signals.map((s) => `${s.symbol} ${s.kind} ${formatRsi(s.previous)} -> ${formatRsi(s.today)}`).join("\n");
}

/**
 * A signal as a person reads it on a terminal, e.g. `NVDA entered overbought 68.40 -> 71.25`:
 * what `run` prints on stderr after the ranking.
 */
export function describeSignal(signal: Signal): string {
  return `${signal.symbol} ${signal.kind.replace("-", " ")} ${formatRsi(signal.previous)} -> ${formatRsi(signal.today)}`;
}

/** An RSI as it is shown everywhere: two decimals, ties to even. */
export function formatRsi(rsi: number): string {
  return roundHalfEven(rsi).toFixed(2);
}

/** Text in code-unit order: the same on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bySymbol(values: readonly SymbolRsi[], day: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const { symbol, rsi } of values) {
    if (!Number.isFinite(rsi)) throw new RangeError(`${day}'s RSI of ${symbol} is ${rsi}, not a number`);
    if (map.has(symbol)) throw new RangeError(`${symbol} appears twice in ${day}'s values`);
    map.set(symbol, rsi);
  }
  return map;
}

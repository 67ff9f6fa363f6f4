/**
 * The ranking the user reads every day: `SYMBOL VALUE`, strongest RSI first, two decimals.
 */
import type { RsiResult } from "./artifacts.ts";

export interface RankedSymbol {
  readonly symbol: string;
  readonly rsi: number;
  readonly date: string;
}

/** Strongest first; equal values in symbol order, so the output is stable from run to run. */
export function rank(results: readonly RsiResult[]): RankedSymbol[] {
  return results
    .map(({ symbol, rsi, date }) => ({ symbol, rsi, date }))
    .sort((a, b) => b.rsi - a.rsi || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** The original program's output lines, e.g. `EBKDY 83.98`. */
export function formatRanking(ranking: readonly RankedSymbol[]): string[] {
  return ranking.map(({ symbol, rsi }) => `${symbol} ${roundHalfEven(rsi, 2).toFixed(2)}`);
}

/**
 * Rounds the way Python's `round(x, 2)` did in the original program: to the nearest, and on an
 * exact tie to the even neighbour. `toFixed` alone rounds ties away from zero, and stored
 * two-decimal values must match the user's history. An exact tie at two decimals is only
 * possible for odd multiples of 1/8 (50.125 → 50.12, 50.375 → 50.38).
 */
export function roundHalfEven(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  const scaled = x * scale;
  const floor = Math.floor(scaled);
  const isExactTie = decimals === 2 && Number.isInteger(x * 8) && !Number.isInteger(x * 4) && scaled - floor === 0.5;
  if (isExactTie) return (floor % 2 === 0 ? floor : floor + 1) / scale;
  return Number(x.toFixed(decimals));
}

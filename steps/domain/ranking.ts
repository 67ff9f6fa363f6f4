/**
 * The ranking the user reads every day: `SYMBOL VALUE`, strongest RSI first, two decimals. The
 * same lines and the same JSON whether a run just computed the values (an `RsiResult` of `run`,
 * `persist`) or the store holds them (`ranking`).
 */
export interface RankedSymbol {
  readonly symbol: string;
  readonly rsi: number;
  readonly date: string;
}

/** Strongest first; equal values in symbol order, so the output is stable from run to run. */
export function rank<Value extends RankedSymbol>(results: readonly Value[]): RankedSymbol[] {
  return results
    .map(({ symbol, rsi, date }) => ({ symbol, rsi, date }))
    .sort((a, b) => b.rsi - a.rsi || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** The original program's output lines, e.g. `EBKDY 83.98`. */
export function formatRanking(ranking: readonly RankedSymbol[]): string[] {
  return ranking.map(({ symbol, rsi }) => `${symbol} ${roundHalfEven(rsi).toFixed(2)}`);
}

/** A ranking in `--json`: each value at full precision and as the line shows it, and the date of its close. */
export function rankingJson(ranking: readonly RankedSymbol[]): { symbol: string; rsi: number; rounded: number; date: string }[] {
  return ranking.map((r) => ({ symbol: r.symbol, rsi: r.rsi, rounded: roundHalfEven(r.rsi), date: r.date }));
}

/**
 * Rounds the way Python's `round(x, 2)` did in the original program: to the nearest, and on an
 * exact tie to the even neighbour. `toFixed` alone rounds ties away from zero, and stored
 * two-decimal values must match the user's history. An exact tie at two decimals is only
 * possible for odd multiples of 1/8 (50.125 → 50.12, 50.375 → 50.38).
 */
export function roundHalfEven(x: number): number {
  // An odd multiple of 1/8 is exactly representable and sits exactly half-way between cents.
  const isExactTie = Number.isInteger(x * 8) && !Number.isInteger(x * 4);
  if (!isExactTie) return Number(x.toFixed(2));
  const floor = Math.floor(x * 100);
  return (floor % 2 === 0 ? floor : floor + 1) / 100;
}

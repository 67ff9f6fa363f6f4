/**
 * The Relative Strength Index: pure functions over a series of daily closes.
 *
 * RSI (J. Welles Wilder, *New Concepts in Technical Trading Systems*, 1978) compares the size of
 * recent gains with the size of recent losses and maps the ratio onto 0…100:
 *
 *     RS  = average gain / average loss        (over `period` changes, 14 by convention)
 *     RSI = 100 - 100 / (1 + RS)
 *
 * Read it as momentum: above 70 is conventionally "overbought" (strong, possibly stretched),
 * below 30 "oversold". The user's program printed symbols strongest first.
 *
 * The three methods here differ only in how they average gains and losses, and those
 * differences show at two decimals, so the method is recorded with every stored value:
 *
 * - `seed`   — what the user's original Python program computed (pandas `ewm(com=period-1)`),
 *              the method of all their stored history. The default.
 * - `wilder` — Wilder's smoothing as TA-Lib implements it: the textbook / Investopedia RSI.
 * - `cutler` — Cutler's RSI: plain moving averages of the last `period` gains and losses.
 *
 * A value is returned only when RSI is defined. Too few closes, or no movement at all
 * (0 / 0), give a reason instead of a number: never a made-up 50, 0 or 100.
 */

export const METHODS = ["seed", "wilder", "cutler"] as const;
export type RsiMethod = (typeof METHODS)[number];

/** RSI maps gains against losses onto 0…100; a number outside (or not finite) is not an RSI. */
export const RSI_MIN = 0;
export const RSI_MAX = 100;

/** True for a number that can be an RSI: finite and within 0 to 100. */
export function isRsiValue(value: unknown): value is number {
  return typeof value === "number" && value >= RSI_MIN && value <= RSI_MAX;
}

export const DEFAULT_PERIOD = 14;
export const DEFAULT_METHOD: RsiMethod = "seed";

/** A close, or `null` for a day the source listed without a close. */
export type Close = number | null;

export type RsiOutcome =
  | { readonly ok: true; readonly rsi: number; /** index of the last close used */ readonly index: number }
  | { readonly ok: false; readonly reason: "too-few-closes" | "no-movement"; readonly message: string };

export function rsi(closes: readonly Close[], method: RsiMethod, period = DEFAULT_PERIOD): RsiOutcome {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, got ${period}`);
  switch (method) {
    case "seed":
      return seedRsi(closes, period);
    case "wilder":
      return wilderRsi(closes, period);
    case "cutler":
      return cutlerRsi(closes, period);
  }
}

/**
 * The user's original formula, reproduced to the last bit of pandas' arithmetic:
 *
 *     d  = close.diff(1)
 *     up = d where d >= 0 else 0;   down = d where d <= 0 else 0   (NaN stays NaN)
 *     ag = up.ewm(com=period-1, min_periods=period).mean()          (adjust=True, ignore_na=False)
 *     al = down.ewm(com=period-1, min_periods=period).mean()
 *     rsi = 100 - 100 / (1 + |ag / al|), the last value
 *
 * `ewm(com=13)` weights the change `k` days back by (13/14)^k and divides by the sum of the
 * weights actually used (adjust=True). That is close to Wilder's smoothing with the same
 * alpha = 1/14, but it starts from the first change instead of a 14-change average, so over the
 * ~63 bars of a three-month window the two differ by roughly 0.1–0.5 RSI points.
 *
 * A missing close (`null`) makes both adjacent changes NaN; pandas skips NaN observations but
 * still decays the weights across them (ignore_na=False), and only non-NaN changes count
 * towards `min_periods`. So 15 closes give the first value, and a gap costs two changes.
 */
export function seedRsi(closes: readonly Close[], period = DEFAULT_PERIOD): RsiOutcome {
  const changes = diff(closes);
  const gains = changes.map((d) => (Number.isNaN(d) ? NaN : d >= 0 ? d : 0));
  const losses = changes.map((d) => (Number.isNaN(d) ? NaN : d <= 0 ? d : 0));
  const ag = pandasEwmMeanLast(gains, period - 1, period);
  const al = pandasEwmMeanLast(losses, period - 1, period);
  if (ag === undefined || al === undefined) return tooFewChanges(closes, changes, period);
  const value = 100 - 100 / (1 + Math.abs(ag / al));
  if (Number.isNaN(value)) return noMovement();
  return { ok: true, rsi: value, index: lastObservedIndex(closes) };
}

/**
 * The last output of pandas `Series.ewm(com, min_periods, adjust=True, ignore_na=False).mean()`,
 * or `undefined` when fewer than `minPeriods` observations were seen. This is the recurrence
 * of pandas' `ewm` kernel (`pandas/_libs/window/aggregations.pyx`), step for step, so that the
 * floating-point results are the same, not merely close.
 */
export function pandasEwmMeanLast(values: readonly number[], com: number, minPeriods: number): number | undefined {
  const alpha = 1 / (1 + com);
  const oldWeightFactor = 1 - alpha;
  const newWeight = 1;
  if (values.length === 0) return undefined;
  let weighted = values[0]!;
  let oldWeight = 1;
  let observations = Number.isNaN(weighted) ? 0 : 1;
  for (let i = 1; i < values.length; i++) {
    const cur = values[i]!;
    const isObservation = !Number.isNaN(cur);
    if (isObservation) observations++;
    if (!Number.isNaN(weighted)) {
      // ignore_na=False: the weights decay on every row, observed or not.
      oldWeight *= oldWeightFactor;
      if (isObservation) {
        // pandas skips the update when the values are equal, which keeps the result exact.
        if (weighted !== cur) weighted = (oldWeight * weighted + newWeight * cur) / (oldWeight + newWeight);
        oldWeight += newWeight;
      }
    } else if (isObservation) {
      weighted = cur;
    }
  }
  return observations >= Math.max(minPeriods, 1) ? weighted : undefined;
}

/**
 * Wilder's RSI as TA-Lib computes it (`ta_RSI.c`, default settings): the first average gain
 * and loss are the plain means of the first `period` changes; each later change is folded in
 * with Wilder's smoothing, `avg = (avg * (period - 1) + change) / period`; and
 * RSI = 100 * avgGain / (avgGain + avgLoss). This is the definition Investopedia and most
 * charting platforms use. The first value needs `period + 1` closes.
 *
 * TA-Lib has no notion of a missing close; missing closes (`null`) are dropped first. Where
 * TA-Lib returns 0 for a series that never moved, this returns `no-movement`.
 */
export function wilderRsi(closes: readonly Close[], period = DEFAULT_PERIOD): RsiOutcome {
  const observed = observedCloses(closes);
  if (observed.length < period + 1) return tooFewCloses(closes, period);
  let avgGain = 0;
  let avgLoss = 0;
  for (let i = 1; i <= period; i++) {
    const change = observed[i]! - observed[i - 1]!;
    if (change < 0) avgLoss -= change;
    else avgGain += change;
  }
  avgGain /= period;
  avgLoss /= period;
  for (let i = period + 1; i < observed.length; i++) {
    const change = observed[i]! - observed[i - 1]!;
    avgLoss *= period - 1;
    avgGain *= period - 1;
    if (change < 0) avgLoss -= change;
    else avgGain += change;
    avgLoss /= period;
    avgGain /= period;
  }
  return ratioRsi(avgGain, avgLoss, closes);
}

/**
 * Cutler's RSI: RS from simple moving averages of the last `period` gains and losses, so a
 * value depends only on the last `period + 1` closes and not on where the series starts.
 * Missing closes (`null`) are dropped first.
 */
export function cutlerRsi(closes: readonly Close[], period = DEFAULT_PERIOD): RsiOutcome {
  const observed = observedCloses(closes);
  if (observed.length < period + 1) return tooFewCloses(closes, period);
  let gain = 0;
  let loss = 0;
  for (let i = observed.length - period; i < observed.length; i++) {
    const change = observed[i]! - observed[i - 1]!;
    if (change < 0) loss -= change;
    else gain += change;
  }
  return ratioRsi(gain / period, loss / period, closes);
}

/** TA-Lib's `TA_IS_ZERO`: sums this small are treated as no movement. */
const TA_EPSILON = 1e-8;

function ratioRsi(avgGain: number, avgLoss: number, closes: readonly Close[]): RsiOutcome {
  const total = avgGain + avgLoss;
  if (total > -TA_EPSILON && total < TA_EPSILON) return noMovement();
  return { ok: true, rsi: (100 * avgGain) / total, index: lastObservedIndex(closes) };
}

/** `Series.diff(1)`: NaN at index 0 and wherever either close is missing. */
function diff(closes: readonly Close[]): number[] {
  return closes.map((c, i) => {
    const prev = i === 0 ? null : closes[i - 1]!;
    return c === null || prev === null ? NaN : c - prev;
  });
}

function observedCloses(closes: readonly Close[]): number[] {
  return closes.filter((c): c is number => c !== null);
}

function lastObservedIndex(closes: readonly Close[]): number {
  for (let i = closes.length - 1; i >= 0; i--) if (closes[i] !== null) return i;
  return -1;
}

/** `wilder` and `cutler`: a `period`-period RSI needs `period` changes, so `period + 1` closes. */
function tooFewCloses(closes: readonly Close[], period: number): RsiOutcome {
  const observed = observedCloses(closes).length;
  return {
    ok: false,
    reason: "too-few-closes",
    message: `${observed} closes (${closes.length} days) give fewer than the ${period + 1} closes a ${period}-period RSI needs`,
  };
}

/**
 * `seed`: pandas counts the changes between two consecutive closes (`min_periods`), and a missing
 * close spoils the change on each side of it, so `period + 1` closes suffice only without a gap.
 */
function tooFewChanges(closes: readonly Close[], changes: readonly number[], period: number): RsiOutcome {
  const observed = observedCloses(closes).length;
  const counted = changes.filter((d) => !Number.isNaN(d)).length;
  return {
    ok: false,
    reason: "too-few-closes",
    message:
      `${observed} closes (${closes.length} days) give ${counted} changes from one close to the next, fewer than the ${period} ` +
      `a ${period}-period RSI needs (${period + 1} closes, one more for each gap)`,
  };
}

function noMovement(): RsiOutcome {
  return { ok: false, reason: "no-movement", message: "no close changed, so RSI is undefined (0/0)" };
}

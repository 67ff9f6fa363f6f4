/**
 * What the report and the chart share: escaping text into markup, the trading-day axis that
 * places a value, and the line through a series that breaks where a day has no value. Pure.
 */

/**
 * Text made safe inside an HTML or SVG element or a quoted attribute: a symbol or a message
 * may hold `<`, `&` or quotes (an error message can quote a server's HTML). Numeric
 * references only, so the same text is valid in HTML and in XML.
 */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** One RSI value on one stored trading day. */
export interface RsiPoint {
  readonly date: string;
  readonly rsi: number;
}

/**
 * The x axis of a chart: trading days, ascending, one slot each. It is the union of the days
 * the caller lists (the days the store holds any value on) and the days any drawn series has a
 * value on, so no value is ever dropped. Weekends and holidays take no room, as on every price
 * chart; a day on the axis where one series has no value is a gap in that series.
 */
export function tradingDayAxis(listed: readonly string[], series: readonly (readonly RsiPoint[])[]): string[] {
  const days = new Set(listed);
  for (const points of series) for (const { date } of points) days.add(date);
  for (const day of days) if (!ISO_DATE.test(day)) throw new RangeError(`a trading day must be written YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return [...days].sort();
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * A series laid on the axis: the value on each day, `undefined` where there is none.
 * `what` names the series in an error: a repeated day or a value that is not a finite number
 * is a caller's bug, and drawing either would show something that is not in the store.
 */
export function valuesOnAxis(axis: readonly string[], points: readonly RsiPoint[], what: string): (number | undefined)[] {
  const slot = new Map(axis.map((day, i) => [day, i]));
  const values: (number | undefined)[] = new Array<number | undefined>(axis.length).fill(undefined);
  for (const { date, rsi } of points) {
    const i = slot.get(date);
    if (i === undefined) continue;
    if (!Number.isFinite(rsi)) throw new RangeError(`${what}: the RSI on ${date} is ${rsi}, not a number`);
    if (values[i] !== undefined) throw new RangeError(`${what}: ${date} appears twice`);
    values[i] = rsi;
  }
  return values;
}

/** Runs of consecutive axis slots that hold a value: each is drawn as one unbroken line. */
export function segments(values: readonly (number | undefined)[]): { start: number; values: number[] }[] {
  const runs: { start: number; values: number[] }[] = [];
  let run: { start: number; values: number[] } | undefined;
  values.forEach((value, i) => {
    if (value === undefined) {
      run = undefined;
      return;
    }
    if (!run) {
      run = { start: i, values: [] };
      runs.push(run);
    }
    run.values.push(value);
  });
  return runs;
}

/**
 * The small RSI line beside each ranked symbol. Pure.
 *
 * One slot per stored trading day, on the same fixed 0–100 scale for every symbol so that two
 * sparklines can be compared at a glance, with the neutral band 30–70 shaded: a line above the
 * band is overbought, below it oversold. A day without a value is a gap, never a line drawn
 * across it. The last slot is the trade day, marked with a dot at the right edge, where today is
 * on every line (a series of one day is that dot alone, not a dot at the left edge).
 *
 * A report holds one per symbol, a thousand in a large one, so each is kept to a few hundred
 * bytes: the drawing is in RSI units (one unit per trading day across, one RSI point up) and
 * stretched to its box by the browser, which keeps every coordinate a small integer and lets
 * each step be written relative to the last (`l1-3 1 2`). The styling is the page's CSS.
 */
import { segments } from "./markup.ts";

/** Drawn size in CSS pixels. */
export const SPARKLINE_WIDTH = 84;
export const SPARKLINE_HEIGHT = 24;

/**
 * `<svg class="spark">` for one series laid on the axis (`undefined` = no value that day):
 * a `rect` for the 30–70 band, a `path` for the line (each `M` starts a segment), and a `path`
 * of class `e` for the dot on the last slot when it holds a value.
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const width = Math.max(values.length - 1, 1);
  // The last slot sits on the right edge: one day is drawn there, not at 0.
  const shift = width - (values.length - 1);
  const line = segments(values)
    .map(({ start, values: run }) => {
      const ys = run.map(y);
      const steps = ys.slice(1).map((to, i) => relativeStep(to - ys[i]!));
      return `M${start + shift} ${ys[0]!}${steps.length > 0 ? `l${steps.join(" ")}` : "h0"}`;
    })
    .join("");
  const last = values.at(-1);
  const dot = last === undefined ? "" : `<path class="e" d="M${width} ${y(last)}h0"/>`;
  return (
    `<svg class="spark" viewBox="0 0 ${width} 100" preserveAspectRatio="none" width="${SPARKLINE_WIDTH}" height="${SPARKLINE_HEIGHT}" aria-hidden="true">` +
    `<rect y="30" width="${width}" height="40"/>${line ? `<path d="${line}"/>` : ""}${dot}</svg>`
  );
}

/** SVG's y grows downwards: RSI 100 is at the top. Whole RSI points are finer than a pixel here. */
function y(rsi: number): number {
  return 100 - Math.round(rsi);
}

/** One trading day to the right and `dy` up or down; a minus sign separates numbers itself. */
function relativeStep(dy: number): string {
  return dy < 0 ? `1${dy}` : `1 ${dy}`;
}

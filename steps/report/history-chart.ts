/**
 * The history chart: the RSI of one or more symbols over a range of trading days, as one
 * standalone SVG file a browser, an image viewer or a document opens as it is. Pure.
 *
 * RSI (J. Welles Wilder, *New Concepts in Technical Trading Systems*, 1978) lives on a 0–100
 * scale, so every chart has the same y axis, and the two lines Wilder read it against are drawn
 * on it: at or above 70 a stock is overbought, at or below 30 oversold; the band between them is
 * shaded. What a reader looks for is when a line leaves the band and when it comes back.
 *
 * The x axis is trading days, one slot each, evenly spaced: weekends and holidays take no room,
 * as on every price chart. The caller passes the trading days of the range (`history --chart`
 * passes the exchange's calendar and any other day a value is stored on); the chart adds any day a
 * series has a value on. So a day the exchange was closed is no slot at all, while a trading day
 * on which a series has no value (that symbol failed, or the day's run never happened) is a
 * **gap** in its line: the path is split there, never drawn across. A value alone between two
 * gaps is a dot.
 *
 * Dates are labelled on a calendar rhythm chosen to fit the width, from every day to every year:
 * a tick sits on the first trading day of each day, week, fortnight, month, quarter, half or year.
 *
 * Each series has a colour from a palette chosen to stay apart for colour-blind readers
 * (Okabe & Ito's, less its yellow, which vanishes on white); past eight series the colours come
 * round again with a dash pattern, so no two of the first 32 series look alike.
 */
import { escapeMarkup, segments, tradingDayAxis, valuesOnAxis, type RsiPoint } from "./markup.ts";
import { OVERBOUGHT, OVERSOLD } from "./signals.ts";

export interface HistoryChartInput {
  /** The heading, e.g. `RSI 14 (seed)`. */
  readonly title?: string | undefined;
  /**
   * The x axis: the trading days of the range, in any order. Days a series has a value on are
   * added; a day here on which a series has no value is a gap in that series.
   */
  readonly tradingDays: readonly string[];
  /** One line each, in legend order. */
  readonly series: readonly HistorySeries[];
}

export interface HistorySeries {
  readonly symbol: string;
  /** The stored values, one per trading day at most, in any order. */
  readonly points: readonly RsiPoint[];
}

/** Okabe & Ito's colour-blind-safe palette without its yellow, and Tol's wine as eighth. */
export const CHART_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255"] as const;
/** Solid for the first round of colours, then dashed, dotted, dash-dot. */
export const CHART_DASHES = ["", "7 4", "2 3", "9 3 2 3"] as const;

/** The colour and dash pattern of the series at `index` (0-based, legend order). */
export function seriesStyle(index: number): { colour: string; dash: string } {
  return {
    colour: CHART_COLOURS[index % CHART_COLOURS.length]!,
    dash: CHART_DASHES[Math.floor(index / CHART_COLOURS.length) % CHART_DASHES.length]!,
  };
}

const WIDTH = 960;
const PLOT_LEFT = 44;
const PLOT_RIGHT = WIDTH - 100;
const PLOT_HEIGHT = 320;
const LEGEND_ROW = 20;
/** A generous width per character at 12 px, so legend entries never overlap. */
const CHAR_WIDTH = 8.5;

export function renderHistoryChart(input: HistoryChartInput): string {
  const seen = new Set<string>();
  for (const { symbol } of input.series) {
    if (seen.has(symbol)) throw new RangeError(`${symbol} is charted twice`);
    seen.add(symbol);
  }
  const axis = tradingDayAxis(
    input.tradingDays,
    input.series.map((s) => s.points),
  );
  const title = input.title ?? "RSI";
  const subtitle =
    axis.length === 0
      ? "no stored trading days in this range"
      : `${axis[0]} to ${axis.at(-1)} · ${axis.length} trading day${axis.length === 1 ? "" : "s"} · a gap is a trading day without a value`;

  const legend = legendLayout(input.series.map((s) => s.symbol));
  const plotTop = legend.bottom + 16;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const height = plotBottom + 40;
  const plotWidth = PLOT_RIGHT - PLOT_LEFT;
  const x = (i: number) => round1(axis.length === 1 ? PLOT_LEFT + plotWidth / 2 : PLOT_LEFT + (i * plotWidth) / (axis.length - 1));
  const y = (rsi: number) => round1(plotTop + ((100 - rsi) * PLOT_HEIGHT) / 100);

  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif" font-size="12" fill="#1f2933">`,
    `<title>${escapeMarkup(`${title}: ${input.series.map((s) => s.symbol).join(", ")}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PLOT_LEFT}" y="26" font-size="16" font-weight="600">${escapeMarkup(title)}</text>`,
    `<text x="${PLOT_LEFT}" y="44" fill="#52606d">${escapeMarkup(subtitle)}</text>`,
  ];

  // The legend.
  parts.push(`<g class="legend">`);
  input.series.forEach((s, i) => {
    const { colour, dash } = seriesStyle(i);
    const at = legend.items[i]!;
    parts.push(
      `<g class="item" data-symbol="${escapeMarkup(s.symbol)}">` +
        `<line x1="${at.x}" y1="${at.y - 4}" x2="${at.x + 24}" y2="${at.y - 4}" stroke="${colour}" stroke-width="2.5"${dashAttribute(dash)}/>` +
        `<text x="${at.x + 30}" y="${at.y}" font-weight="600">${escapeMarkup(s.symbol)}</text></g>`,
    );
  });
  parts.push(`</g>`);

  // The 30–70 band, the y grid and its labels.
  parts.push(
    `<rect class="band" data-from="${OVERSOLD}" data-to="${OVERBOUGHT}" x="${PLOT_LEFT}" y="${y(OVERBOUGHT)}" width="${plotWidth}" height="${round1(y(OVERSOLD) - y(OVERBOUGHT))}" fill="#eef1f6"/>`,
  );
  parts.push(`<g class="y-axis" fill="#52606d" text-anchor="end">`);
  for (const value of [0, OVERSOLD, 50, OVERBOUGHT, 100]) {
    const level = value === OVERBOUGHT ? "overbought" : value === OVERSOLD ? "oversold" : "";
    const stroke = value === OVERBOUGHT ? `stroke="#c2410c" stroke-dasharray="5 3"` : value === OVERSOLD ? `stroke="#1d4ed8" stroke-dasharray="5 3"` : `stroke="#d9dee5"`;
    parts.push(
      `<line class="level${level ? ` ${level}` : ""}" data-rsi="${value}" x1="${PLOT_LEFT}" y1="${y(value)}" x2="${PLOT_RIGHT}" y2="${y(value)}" ${stroke}/>`,
      `<text class="tick" data-rsi="${value}" x="${PLOT_LEFT - 6}" y="${round1(y(value) + 4)}">${value}</text>`,
    );
  }
  parts.push(`</g>`);
  parts.push(
    `<text x="${PLOT_RIGHT + 8}" y="${round1(y(OVERBOUGHT) + 4)}" fill="#c2410c">overbought</text>`,
    `<text x="${PLOT_RIGHT + 8}" y="${round1(y(OVERSOLD) + 4)}" fill="#1d4ed8">oversold</text>`,
  );

  // The date axis.
  parts.push(`<g class="x-axis" fill="#52606d" text-anchor="middle">`);
  parts.push(`<line x1="${PLOT_LEFT}" y1="${plotBottom}" x2="${PLOT_RIGHT}" y2="${plotBottom}" stroke="#9aa5b1"/>`);
  const slotWidth = axis.length > 1 ? plotWidth / (axis.length - 1) : plotWidth;
  for (const tick of dateTicks(axis, slotWidth)) {
    const at = x(tick.index);
    parts.push(
      `<g class="tick" data-date="${escapeMarkup(tick.date)}">` +
        `<line x1="${at}" y1="${plotTop}" x2="${at}" y2="${plotBottom}" stroke="#eef1f4"/>` +
        `<line x1="${at}" y1="${plotBottom}" x2="${at}" y2="${plotBottom + 5}" stroke="#9aa5b1"/>` +
        `<text x="${at}" y="${plotBottom + 19}">${escapeMarkup(tick.label)}</text></g>`,
    );
  }
  parts.push(`</g>`);

  // The lines, drawn over the grid, in legend order.
  input.series.forEach((s, i) => {
    const { colour, dash } = seriesStyle(i);
    const runs = segments(valuesOnAxis(axis, s.points, s.symbol));
    const d = runs
      .map(({ start, values }) =>
        values.length === 1 ? `M${x(start)},${y(values[0]!)}h0` : values.map((v, k) => `${k === 0 ? "M" : "L"}${x(start + k)},${y(v)}`).join(""),
      )
      .join("");
    const dots = runs
      .filter((r) => r.values.length === 1)
      .map((r) => `<circle cx="${x(r.start)}" cy="${y(r.values[0]!)}" r="2.5" fill="${colour}"/>`)
      .join("");
    parts.push(
      `<g class="series" data-symbol="${escapeMarkup(s.symbol)}"><title>${escapeMarkup(s.symbol)}</title>` +
        (d ? `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"${dashAttribute(dash)}/>` : "") +
        `${dots}</g>`,
    );
  });

  if (axis.length === 0) {
    parts.push(`<text x="${round1(PLOT_LEFT + plotWidth / 2)}" y="${y(50)}" text-anchor="middle" fill="#52606d">No stored values in this range.</text>`);
  }
  parts.push(`</svg>`, "");
  return parts.join("\n");
}

function dashAttribute(dash: string): string {
  return dash ? ` stroke-dasharray="${dash}"` : "";
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Legend entries flow left to right and wrap below the heading. */
function legendLayout(symbols: readonly string[]): { items: { x: number; y: number }[]; bottom: number } {
  const items: { x: number; y: number }[] = [];
  let x = PLOT_LEFT;
  let y = 68;
  for (const symbol of symbols) {
    const width = 30 + symbol.length * CHAR_WIDTH + 18;
    if (x > PLOT_LEFT && x + width > PLOT_RIGHT) {
      x = PLOT_LEFT;
      y += LEGEND_ROW;
    }
    items.push({ x, y });
    x += width;
  }
  return { items, bottom: symbols.length === 0 ? 52 : y + 6 };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface TickRule {
  /** Days in one period share a key; a tick sits where the key changes. */
  readonly period: (date: string) => string;
  readonly label: (date: string) => string;
  /** Room a label needs, in pixels. */
  readonly labelWidth: number;
}

const isoLabel = (date: string) => date;
const monthLabel = (date: string) => `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
const monthsPer = (n: number) => (date: string) => `${date.slice(0, 4)}-${Math.floor((Number(date.slice(5, 7)) - 1) / n)}`;
/** Whole weeks since a Monday (1970-01-05), so every week starts on a Monday. */
const weeksPer = (n: number) => (date: string) => String(Math.floor((Date.parse(`${date}T00:00:00Z`) / 86_400_000 - 4) / (7 * n)));

const TICK_RULES: readonly TickRule[] = [
  { period: (date) => date, label: isoLabel, labelWidth: 76 },
  { period: weeksPer(1), label: isoLabel, labelWidth: 76 },
  { period: weeksPer(2), label: isoLabel, labelWidth: 76 },
  { period: monthsPer(1), label: monthLabel, labelWidth: 64 },
  { period: monthsPer(3), label: monthLabel, labelWidth: 64 },
  { period: monthsPer(6), label: monthLabel, labelWidth: 64 },
  { period: (date) => date.slice(0, 4), label: (date) => date.slice(0, 4), labelWidth: 44 },
];

/**
 * The labelled days: the finest calendar rhythm whose labels do not collide, each tick on the
 * first trading day of its period (the axis' first day only in the every-day rhythm, since the
 * period it opens may have begun before the range). Years are thinned when even they collide.
 */
function dateTicks(axis: readonly string[], slotWidth: number): { index: number; date: string; label: string }[] {
  if (axis.length === 0) return [];
  for (const [r, rule] of TICK_RULES.entries()) {
    const indices = axis.flatMap((day, i) => ((i === 0 ? r === 0 : rule.period(day) !== rule.period(axis[i - 1]!)) ? [i] : []));
    const last = r === TICK_RULES.length - 1;
    const fits = indices.every((index, k) => k === 0 || (index - indices[k - 1]!) * slotWidth >= rule.labelWidth);
    if (!fits && !last) continue;
    let chosen = indices;
    if (!fits) {
      const stride = Math.ceil(rule.labelWidth / (slotWidth * Math.min(...indices.slice(1).map((index, k) => index - indices[k]!))));
      chosen = indices.filter((_, k) => k % stride === 0);
    }
    if (chosen.length === 0) chosen = [0];
    return chosen.map((index) => ({ index, date: axis[index]!, label: rule.label(axis[index]!) }));
  }
  return [];
}

/**
 * The run report: one HTML page that tells a person how today's run went and what the market's
 * RSI looks like, without opening a log or a database. Pure: plain data in, a string out.
 *
 * RSI, the Relative Strength Index of J. Welles Wilder (*New Concepts in Technical Trading
 * Systems*, 1978), puts the last 14 days' gains against their losses on a 0–100 scale. Wilder
 * read it against two lines: at or above 70 a stock is *overbought* (it rose so steadily the
 * move may be stretched), at or below 30 *oversold*. The page is built around what a reader of
 * RSI looks for, in that order:
 * - which symbols crossed 70 or 30 since the previous stored trading day (the daily screen);
 * - the ranking, strongest first as the user's program always printed it, each value with its
 *   change since the previous stored trading day, overbought and oversold rows tinted *and*
 *   marked `OB` / `OS` (colour alone fails a colour-blind reader and a grey-scale print), and a
 *   sparkline of its last N stored trading days;
 * - what went wrong: the symbols that have no value today and why, and the stale series;
 * - how the run went: as-of date, trade date, method, period, run id and one line per step.
 *
 * The page is shown in the Argo UI inside a sandboxed frame whose Content-Security-Policy blocks
 * scripts and every load from elsewhere, so it is one self-contained document: inline CSS and
 * inline SVG, no JavaScript, no image, font or style sheet fetched. Every piece of text from the
 * data is escaped. The same input always gives the same bytes.
 *
 * Size: a row and its sparkline are about 0.5 kB, so 180 symbols make a page of roughly 100 kB
 * and 1,000 symbols about half a megabyte (`npm run bench:report` measures it).
 */
import type { Failure, RsiArtifact } from "../domain/artifacts.ts";
import { escapeMarkup, tradingDayAxis, valuesOnAxis, type RsiPoint } from "./markup.ts";
import { compareText, crossings, formatRsi, OVERBOUGHT, OVERSOLD, zoneOf, type Signal, type SignalKind, type Zone } from "./signals.ts";
import { sparkline } from "./sparkline.ts";

/** How many stored trading days a sparkline spans unless the caller asks otherwise. */
export const DEFAULT_SPARKLINE_DAYS = 60;

/**
 * The most stored trading days a sparkline may span: about ten years. That is already 21 days to
 * each of the sparkline's 120 pixels, and a report of a thousand symbols stays a few MB.
 */
export const MAX_SPARKLINE_DAYS = 2520;

export interface ReportInput {
  /** The day the run was asked about (`--as-of`), `YYYY-MM-DD`. */
  readonly asOf: string;
  /** The trading day the values are stored under: the latest close among the results. */
  readonly tradeDate: string;
  /** The RSI method of every value on the page (`seed`, `wilder`, `cutler`). */
  readonly method: RsiArtifact["method"];
  /** The RSI period, 14 by convention. */
  readonly period: number;
  /** The run's id as stored with its values (the Argo workflow name on the cluster). */
  readonly runId: string;
  /** Where the closes came from (`yahoo`, `sample`, a file); shown when given. */
  readonly source?: string | undefined;
  /** One line per step, in pipeline order: the step's name and its summary line. */
  readonly steps: readonly StepSummary[];
  /**
   * The stored trading days the sparklines span, ascending: the last N (`DEFAULT_SPARKLINE_DAYS`)
   * days up to the trade day on which the store holds any value of this method and period. A
   * day listed here on which a symbol has no value is drawn as a gap in its sparkline. The trade
   * day is added when missing; days after it, and history points on them, are left out. The day
   * before the trade day on this axis is the *previous stored trading day* that changes and
   * crossings are measured from.
   */
  readonly tradingDays: readonly string[];
  /** Every symbol with a value today, in any order: the page ranks them strongest first. */
  readonly ranking: readonly RankedSymbolHistory[];
  /** The symbols without a value today and why (fetch, compute-rsi and validate failures). */
  readonly failures: readonly Failure[];
  /** The series whose last close lags the as-of date by more than the allowed weekdays. */
  readonly stale: readonly StaleSeriesLine[];
}

export interface StepSummary {
  /** `fetch`, `compute-rsi`, `validate`, `persist`. */
  readonly step: string;
  /** The step's one-line summary, as its log prints it. */
  readonly summary: string;
}

export interface RankedSymbolHistory {
  readonly symbol: string;
  /** Today's RSI, full precision: shown with two decimals. */
  readonly rsi: number;
  /**
   * The symbol's stored values on the `tradingDays` (from the store: imported history counts),
   * ascending or not. A value on the trade day is replaced by `rsi`.
   */
  readonly history: readonly RsiPoint[];
}

export interface StaleSeriesLine {
  readonly symbol: string;
  /** The date of the series' latest close. */
  readonly lastClose: string;
  /** Weekdays from that close to the as-of date. */
  readonly weekdaysBehind: number;
}

/** The previous stored trading day, and the crossings since then of every ranked symbol. */
export function reportSignals(input: ReportInput): { previousTradeDate: string | null; signals: Signal[] } {
  const { axis, rows } = layOut(input);
  return { previousTradeDate: previousDay(axis), signals: signalsOf(rows) };
}

export function renderReport(input: ReportInput): string {
  const { axis, rows } = layOut(input);
  const previousTradeDate = previousDay(axis);
  const signals = signalsOf(rows);
  const count = (zone: Zone) => rows.filter((r) => r.zone === zone).length;
  const title = `RSI ${input.period} (${input.method}) · ${input.tradeDate}`;
  return [
    `<!DOCTYPE html>`,
    `<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>`,
    `<title>${escapeMarkup(`${title} · ${input.runId}`)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeMarkup(title)}</h1>`,
    `<p class="meta">${meta(input)}</p>`,
    stepsList(input.steps),
    `</header>`,
    `<div class="tiles">`,
    tile("ranked", rows.length),
    tile("overbought", count("overbought"), "ob"),
    tile("oversold", count("oversold"), "os"),
    tile("crossings", signals.length),
    tile("failed", input.failures.length, input.failures.length > 0 ? "bad" : ""),
    tile("stale", input.stale.length, input.stale.length > 0 ? "bad" : ""),
    `</div>`,
    signalsSection(signals, previousTradeDate),
    rankingSection(rows, axis, previousTradeDate),
    failuresSection(input.failures),
    staleSection(input.stale),
    `<footer>${footer(input, axis)}</footer>`,
    `</body></html>`,
    "",
  ].join("\n");
}

interface Row {
  readonly symbol: string;
  readonly rsi: number;
  readonly zone: Zone;
  /** The value on the previous stored trading day, if the symbol has one. */
  readonly previous: number | undefined;
  /** True when today's value is the symbol's first on the axis. */
  readonly first: boolean;
  /** The symbol's values on the axis. */
  readonly values: readonly (number | undefined)[];
}

function layOut(input: ReportInput): { axis: string[]; rows: Row[] } {
  const seen = new Set<string>();
  const histories = input.ranking.map(({ symbol, rsi, history }) => {
    if (seen.has(symbol)) throw new RangeError(`${symbol} is ranked twice`);
    seen.add(symbol);
    if (!Number.isFinite(rsi)) throw new RangeError(`today's RSI of ${symbol} is ${rsi}, not a number`);
    const points = history.filter((p) => p.date < input.tradeDate);
    points.push({ date: input.tradeDate, rsi });
    return { symbol, rsi, points };
  });
  const axis = tradingDayAxis(
    [...input.tradingDays, input.tradeDate],
    histories.map((h) => h.points),
  ).filter((day) => day <= input.tradeDate);
  const rows = histories
    .map(({ symbol, rsi, points }): Row => {
      const values = valuesOnAxis(axis, points, symbol);
      const first = values.findIndex((v) => v !== undefined) === values.length - 1;
      return { symbol, rsi, zone: zoneOf(rsi), previous: values.length > 1 ? values.at(-2) : undefined, first, values };
    })
    .sort((a, b) => b.rsi - a.rsi || compareText(a.symbol, b.symbol));
  return { axis, rows };
}

function previousDay(axis: readonly string[]): string | null {
  return axis.length > 1 ? axis.at(-2)! : null;
}

function signalsOf(rows: readonly Row[]): Signal[] {
  const previous = rows.flatMap(({ symbol, previous: rsi }) => (rsi === undefined ? [] : [{ symbol, rsi }]));
  return crossings(previous, rows);
}

function meta(input: ReportInput): string {
  const pairs: [string, string][] = [
    ["as of", input.asOf],
    ["trade date", input.tradeDate],
    ["method", input.method],
    ["period", String(input.period)],
    ...(input.source === undefined ? [] : [["source", input.source] as [string, string]]),
    ["run", input.runId],
  ];
  return pairs.map(([label, value]) => `${label} <b>${escapeMarkup(value)}</b>`).join(" · ");
}

function stepsList(steps: readonly StepSummary[]): string {
  if (steps.length === 0) return "";
  const items = steps.map((s) => `<li><b>${escapeMarkup(s.step)}</b> ${escapeMarkup(s.summary)}</li>`);
  return `<ul class="steps">${items.join("")}</ul>`;
}

function tile(label: string, count: number, kind = ""): string {
  return `<div class="tile${kind ? ` ${kind}` : ""}"><b>${count}</b>${label}</div>`;
}

const MARKER: Record<Zone, string> = {
  overbought: `<span class="z ob">OB</span>`,
  oversold: `<span class="z os">OS</span>`,
  neutral: `<span class="z"></span>`,
};
const ROW_CLASS: Record<Zone, string> = { overbought: ` class="ob"`, oversold: ` class="os"`, neutral: "" };

const KIND_TITLE: Record<SignalKind, string> = {
  "entered-overbought": `${MARKER.overbought} entered overbought`,
  "left-overbought": "left overbought",
  "entered-oversold": `${MARKER.oversold} entered oversold`,
  "left-oversold": "left oversold",
};

function signalsSection(signals: readonly Signal[], previousTradeDate: string | null): string {
  const heading = `<section id="crossings"><h2>Crossings${previousTradeDate ? ` since ${escapeMarkup(previousTradeDate)}` : ""}</h2>`;
  if (previousTradeDate === null) return `${heading}<p class="none">No earlier stored trading day to compare with.</p></section>`;
  if (signals.length === 0) return `${heading}<p class="none">No symbol crossed ${OVERBOUGHT} or ${OVERSOLD}.</p></section>`;
  const groups = (Object.keys(KIND_TITLE) as SignalKind[]).flatMap((kind) => {
    const ofKind = signals.filter((s) => s.kind === kind);
    if (ofKind.length === 0) return [];
    const items = ofKind.map(
      (s) => `<li data-kind="${kind}"><b>${escapeMarkup(s.symbol)}</b> ${formatRsi(s.previous)} → ${formatRsi(s.today)}</li>`,
    );
    return [`<div class="kind ${kind}"><h3>${KIND_TITLE[kind]} <span class="count">${ofKind.length}</span></h3><ul>${items.join("")}</ul></div>`];
  });
  return `${heading}<div class="signals">${groups.join("")}</div></section>`;
}

function rankingSection(rows: readonly Row[], axis: readonly string[], previousTradeDate: string | null): string {
  const heading = `<section id="ranking"><h2>Ranking, strongest first</h2>`;
  if (rows.length === 0) return `${heading}<p class="none">No symbol has a value today.</p></section>`;
  const since = previousTradeDate
    ? `change since ${escapeMarkup(previousTradeDate)} (new: first value on the line; –: no value that day)`
    : "no earlier stored day to compare with";
  const legend =
    `<p class="legend">${MARKER.overbought} overbought, RSI ≥ ${OVERBOUGHT} · ${MARKER.oversold} oversold, RSI ≤ ${OVERSOLD} · ${since} · ` +
    `line: ${axis.length} stored trading days from ${escapeMarkup(axis[0]!)}, band ${OVERSOLD}–${OVERBOUGHT}, gap: no value</p>`;
  const items = rows.map(
    (r, i) =>
      `<li${ROW_CLASS[r.zone]}><i>${i + 1}</i>${symbolCell(r.symbol)}<span class="v">${formatRsi(r.rsi)}</span>` +
      `${change(r)}${MARKER[r.zone]}${sparkline(r.values)}</li>`,
  );
  return `${heading}${legend}<ol class="rank">\n${items.join("\n")}\n</ol></section>`;
}

/** A symbol too long for its column is cut with an ellipsis; its full name is then the tooltip. */
function symbolCell(symbol: string): string {
  const text = escapeMarkup(symbol);
  return symbol.length > 7 ? `<b title="${text}">${text}</b>` : `<b>${text}</b>`;
}

/** The difference of the two values as shown, so that the numbers on the page add up. */
function change(row: Row): string {
  if (row.first) return `<span class="d new">new</span>`;
  if (row.previous === undefined) return `<span class="d new">–</span>`;
  const cents = Math.round(Number(formatRsi(row.rsi)) * 100) - Math.round(Number(formatRsi(row.previous)) * 100);
  const text = cents > 0 ? `+${(cents / 100).toFixed(2)}` : cents < 0 ? `−${(-cents / 100).toFixed(2)}` : "0.00";
  return `<span class="d">${text}</span>`;
}

function failuresSection(failures: readonly Failure[]): string {
  const heading = `<section id="failures"><h2>No value today <span class="count">${failures.length}</span></h2>`;
  if (failures.length === 0) return `${heading}<p class="none">Every symbol has a value.</p></section>`;
  const sorted = [...failures].sort((a, b) => compareText(a.reason, b.reason) || compareText(a.symbol, b.symbol));
  const byReason = new Map<string, number>();
  for (const { reason } of sorted) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  const reasons = [...byReason].map(([reason, n]) => `${n} ${escapeMarkup(reason)}`).join(" · ");
  const rows = sorted.map(
    (f) => `<tr><td><b>${escapeMarkup(f.symbol)}</b></td><td>${escapeMarkup(f.reason)}</td><td>${escapeMarkup(f.message)}</td></tr>`,
  );
  return `${heading}<p class="legend">${reasons}</p><table><thead><tr><th>symbol</th><th>reason</th><th>message</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function staleSection(stale: readonly StaleSeriesLine[]): string {
  const heading = `<section id="stale"><h2>Stale series <span class="count">${stale.length}</span></h2>`;
  if (stale.length === 0) return `${heading}<p class="none">Every series has a recent close.</p></section>`;
  const sorted = [...stale].sort((a, b) => compareText(a.symbol, b.symbol));
  const rows = sorted.map(
    (s) =>
      `<tr><td><b>${escapeMarkup(s.symbol)}</b></td><td>${escapeMarkup(s.lastClose)}</td><td class="n">${s.weekdaysBehind}</td></tr>`,
  );
  return `${heading}<table><thead><tr><th>symbol</th><th>last close</th><th>weekdays behind</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function footer(input: ReportInput, axis: readonly string[]): string {
  return (
    `RSI (J. Welles Wilder, 1978) compares the last ${input.period} days' gains with their losses on a 0–100 scale; ` +
    `at or above ${OVERBOUGHT} is read as overbought, at or below ${OVERSOLD} as oversold. ` +
    `Values are ${escapeMarkup(input.method)} RSI, period ${input.period}, shown with two decimals. ` +
    `Sparklines share one 0–100 scale over ${axis.length} stored trading day${axis.length === 1 ? "" : "s"}; the dot is ${escapeMarkup(input.tradeDate)}.`
  );
}

const STYLE = `
body{margin:0;padding:16px 20px 28px;font:13px/1.35 system-ui,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2933;background:#fff}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:18px 0 6px;padding-bottom:3px;border-bottom:1px solid #d9dee5}
h3{font-size:13px;margin:0 0 3px;font-weight:600}
.meta{margin:0 0 6px;color:#52606d;overflow-wrap:anywhere}
.meta b{color:#1f2933;font-weight:600}
.steps{margin:0;padding:0;list-style:none;font-size:12px;color:#3e4c59;overflow-wrap:anywhere}
.steps b{display:inline-block;min-width:7.5em;font-weight:600}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 4px}
.tile{min-width:80px;padding:5px 12px;border:1px solid #d9dee5;border-radius:6px;color:#52606d}
.tile b{display:block;font-size:20px;color:#1f2933}
.tile.ob{background:#fff1e6;border-color:#f0a872}
.tile.os{background:#e8f0fe;border-color:#93b4ee}
.tile.bad{border-color:#c81e1e}
.z{display:inline-block;min-width:2em;font-size:10px;font-weight:700;line-height:15px;text-align:center;border-radius:3px;color:#fff}
.z.ob{background:#c2410c}
.z.os{background:#1d4ed8}
.none,.legend{color:#52606d;margin:4px 0 8px}
.legend .z{margin:0 2px}
.signals{display:flex;flex-wrap:wrap;gap:10px 28px}
.signals ul{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px;max-width:560px}
.kind li{font-variant-numeric:tabular-nums}
ol.rank{margin:0;padding:0;list-style:none;columns:360px;column-gap:28px}
.rank li{display:grid;grid-template-columns:2.6em 6em 3.4em 3.9em 2.6em 120px;align-items:center;height:25px;break-inside:avoid;border-bottom:1px solid #eef1f4;font-variant-numeric:tabular-nums}
.rank li.ob{background:#fff1e6}
.rank li.os{background:#e8f0fe}
.rank i{font-style:normal;color:#7b8794;text-align:right;padding-right:7px;font-size:11px}
.rank b{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.v{text-align:right;font-weight:600}
.d{text-align:right;color:#52606d;font-size:12px;padding-right:2px}
.d.new{font-style:italic;color:#7b8794}
.rank .z{justify-self:center}
.spark{overflow:visible}
.spark rect{fill:#e4e8ee}
.spark path{fill:none;stroke:#3e4c59;stroke-width:1.2;stroke-linejoin:round;stroke-linecap:round;vector-effect:non-scaling-stroke}
.spark .e{stroke-width:5}
.ob .spark .e{stroke:#c2410c}
.os .spark .e{stroke:#1d4ed8}
table{border-collapse:collapse;font-size:12px}
th{text-align:left;color:#52606d;font-weight:600}
th,td{padding:3px 14px 3px 0;border-bottom:1px solid #eef1f4;vertical-align:top}
td:last-child{overflow-wrap:anywhere;max-width:760px}
td.n{text-align:right}
.count{color:#52606d;font-weight:400}
footer{margin-top:20px;color:#7b8794;font-size:11px;max-width:900px}
`.trim();

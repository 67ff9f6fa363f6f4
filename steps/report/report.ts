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
 *   marked `OB` / `OS` (colour alone fails a colour-blind reader and a grey-scale print), the
 *   close the value was computed from with its change, and a sparkline of its last N stored
 *   trading days. Changes are coloured, a rise green and a fall red, in shades a colour-blind
 *   reader still tells apart, and carry their sign (`+` / `−`) as the text cue; a move of
 *   `BIG_MOVE` RSI points or more is also bold, the day's movers at a glance;
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
import { sparkline, SPARKLINE_WIDTH } from "./sparkline.ts";

/** How many stored trading days a sparkline spans unless the caller asks otherwise. */
export const DEFAULT_SPARKLINE_DAYS = 60;

/**
 * The most stored trading days a sparkline may span: about ten years. That is already 30 days to
 * each of the sparkline's 84 pixels, and a report of a thousand symbols stays a few MB.
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
  /** The series whose last close lags the as-of date by more than the allowed trading days. */
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
  /**
   * The closes the values were computed from, on any of the `tradingDays`: today's, and the
   * previous stored trading day's that the price change is measured from. A day without one
   * (imported from the original program's table, which kept no prices) shows no close and no
   * change, never 0.
   */
  readonly closes?: readonly ClosePoint[] | undefined;
}

/** The last close a stored value was computed from, under the trading day the value is stored. */
export interface ClosePoint {
  readonly date: string;
  readonly close: number;
}

/** An RSI change of this many points or more is bold in the ranking. */
export const BIG_MOVE = 10;

export interface StaleSeriesLine {
  readonly symbol: string;
  /** The date of the series' latest close. */
  readonly lastClose: string;
  /** NYSE trading days after that close up to the as-of date. */
  readonly tradingDaysBehind: number;
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
  /** Today's close, and the previous stored trading day's, when known. */
  readonly close: number | undefined;
  readonly previousClose: number | undefined;
}

function layOut(input: ReportInput): { axis: string[]; rows: Row[] } {
  const seen = new Set<string>();
  const histories = input.ranking.map(({ symbol, rsi, history, closes = [] }) => {
    if (seen.has(symbol)) throw new RangeError(`${symbol} is ranked twice`);
    seen.add(symbol);
    if (!Number.isFinite(rsi)) throw new RangeError(`today's RSI of ${symbol} is ${rsi}, not a number`);
    const points = history.filter((p) => p.date < input.tradeDate);
    points.push({ date: input.tradeDate, rsi });
    const closeOn = new Map(closes.filter((c) => Number.isFinite(c.close) && c.close > 0).map((c) => [c.date, c.close]));
    return { symbol, rsi, points, closeOn };
  });
  const axis = tradingDayAxis(
    [...input.tradingDays, input.tradeDate],
    histories.map((h) => h.points),
  ).filter((day) => day <= input.tradeDate);
  const previousDate = previousDay(axis);
  const rows = histories
    .map(({ symbol, rsi, points, closeOn }): Row => {
      const values = valuesOnAxis(axis, points, symbol);
      const first = values.findIndex((v) => v !== undefined) === values.length - 1;
      const close = closeOn.get(input.tradeDate);
      const previousClose = previousDate === null ? undefined : closeOn.get(previousDate);
      return { symbol, rsi, zone: zoneOf(rsi), previous: values.length > 1 ? values.at(-2) : undefined, first, values, close, previousClose };
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
  ];
  const run = runLabel(input.runId);
  const runPart = run === input.runId ? `run <b>${escapeMarkup(run)}</b>` : `run <b title="${escapeMarkup(input.runId)}">${escapeMarkup(run)}</b>`;
  return [...pairs.map(([label, value]) => `${label} <b>${escapeMarkup(value)}</b>`), runPart].join(" · ");
}

/**
 * The run as a reader names it. A run id is what the store records with every value: on Argo
 * the workflow's name, which is already short; locally `local-` and the time the run started,
 * shown as that time; `import-legacy:…` for the history imported from the user's original
 * program. The page keeps the full id as the label's tooltip.
 */
export function runLabel(runId: string): string {
  if (runId.startsWith(IMPORTED_RUN_PREFIX)) return "imported from the original program's table";
  const local = /^local-(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(runId);
  if (local) return `local, ${local[1]!} ${local[2]!} UTC`;
  return runId;
}

/** How `stock-rsi import-legacy` names its run (see cli/import-legacy). */
export const IMPORTED_RUN_PREFIX = "import-legacy:";

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
  // A line needs two days: with one stored day it would be a lone dot repeating the number.
  const withLine = axis.length > 1;
  const withCloses = rows.some((r) => r.close !== undefined);
  const key = [
    `${MARKER.overbought} overbought, RSI ≥ ${OVERBOUGHT}`,
    `${MARKER.oversold} oversold, RSI ≤ ${OVERSOLD}`,
    previousTradeDate
      ? `<span class="up">+</span> / <span class="dn">−</span> change since ${escapeMarkup(previousTradeDate)}, the previous stored trading day; <b>bold</b>: ${BIG_MOVE} RSI points or more`
      : "no earlier stored trading day to compare with",
    withLine
      ? `line: ${axis.length} stored trading days from ${escapeMarkup(axis[0]!)}, band ${OVERSOLD}–${OVERBOUGHT}, a gap where there is no value`
      : "the lines start on the second stored trading day",
  ];
  const parts = columnsOf(rows).map(({ start, rows: part }) => {
    const header =
      `<div class="rh" aria-hidden="true"><i>#</i><b>symbol</b><span>RSI</span><span>±</span><span></span>` +
      `${withCloses ? `<span>close</span><span>±%</span>` : ""}${withLine ? `<span>${axis.length} days</span>` : ""}</div>`;
    const items = part.map(
      (r, i) =>
        `<li${ROW_CLASS[r.zone]}><i>${start + i}</i>${symbolCell(r.symbol)}<span class="v">${formatRsi(r.rsi)}</span>` +
        `${change(r, previousTradeDate)}${MARKER[r.zone]}${withCloses ? closeCells(r) : ""}${withLine ? sparkline(r.values) : ""}</li>`,
    );
    return `<div class="part">${header}<ol class="rank" start="${start}">\n${items.join("\n")}\n</ol></div>`;
  });
  const layout = `parts${withCloses ? " with-closes" : ""}${withLine ? " with-line" : ""}`;
  return `${heading}<ul class="key">${key.map((k) => `<li>${k}</li>`).join("")}</ul><div class="${layout}">${parts.join("")}</div></section>`;
}

/**
 * The ranking in up to three columns, each with its own header, read down then across like a
 * newspaper's stock table; a narrow screen stacks them. A short ranking stays one column.
 */
function columnsOf(rows: readonly Row[]): { start: number; rows: readonly Row[] }[] {
  const count = rows.length <= 15 ? 1 : 3;
  const size = Math.ceil(rows.length / count);
  const columns: { start: number; rows: readonly Row[] }[] = [];
  for (let i = 0; i < rows.length; i += size) columns.push({ start: i + 1, rows: rows.slice(i, i + size) });
  return columns;
}

/** A symbol too long for its column is cut with an ellipsis; its full name is then the tooltip. */
function symbolCell(symbol: string): string {
  const text = escapeMarkup(symbol);
  return symbol.length > 5 ? `<b title="${text}">${text}</b>` : `<b>${text}</b>`;
}

/**
 * The RSI's change: the difference of the two values as shown, so that the numbers on the page
 * add up; coloured by direction, bold from `BIG_MOVE` points.
 */
function change(row: Row, previousTradeDate: string | null): string {
  if (row.first) return `<span class="d new" title="the symbol's first stored value">new</span>`;
  if (row.previous === undefined) return `<span class="d new" title="no value on ${escapeMarkup(previousTradeDate ?? "")}">–</span>`;
  const cents = Math.round(Number(formatRsi(row.rsi)) * 100) - Math.round(Number(formatRsi(row.previous)) * 100);
  const big = Math.abs(cents) >= BIG_MOVE * 100 ? " big" : "";
  return `<span class="d${direction(cents)}${big}">${signed(cents / 100, 2)}</span>`;
}

/** The close today, and its change in percent since the previous stored trading day's close. */
function closeCells(row: Row): string {
  if (row.close === undefined) return `<span class="cl"></span><span class="pc"></span>`;
  const close = `<span class="cl">${row.close.toFixed(2)}</span>`;
  if (row.previousClose === undefined) return `${close}<span class="pc"></span>`;
  const percent = Number(((row.close / row.previousClose - 1) * 100).toFixed(2));
  return `${close}<span class="pc${direction(percent)}">${signed(percent, 2)}%</span>`;
}

function direction(delta: number): string {
  return delta > 0 ? " up" : delta < 0 ? " dn" : "";
}

/** `+1.50`, `−2.25` (a true minus sign), `0.00`. */
function signed(value: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  return value > 0 && Number(text) !== 0 ? `+${text}` : value < 0 && Number(text) !== 0 ? `−${text}` : (0).toFixed(decimals);
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
      `<tr><td><b>${escapeMarkup(s.symbol)}</b></td><td>${escapeMarkup(s.lastClose)}</td><td class="n">${s.tradingDaysBehind}</td></tr>`,
  );
  return `${heading}<table><thead><tr><th>symbol</th><th>last close</th><th>trading days behind</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></section>`;
}

function footer(input: ReportInput, axis: readonly string[]): string {
  return (
    `RSI (J. Welles Wilder, 1978) compares the last ${input.period} days' gains with their losses on a 0–100 scale; ` +
    `at or above ${OVERBOUGHT} is read as overbought, at or below ${OVERSOLD} as oversold. ` +
    `Values are ${escapeMarkup(input.method)} RSI, period ${input.period}, shown with two decimals. ` +
    `Closes are the last closes the values were computed from; the original program kept none. ` +
    (axis.length > 1 ? `Sparklines share one 0–100 scale over ${axis.length} stored trading days; the dot is ${escapeMarkup(input.tradeDate)}.` : "")
  );
}

/** The ranking's columns: rank, symbol, RSI, its change, the OB/OS mark; then close and its change; then the line. */
const COLUMNS = ["24px", "60px", "44px", "52px", "26px"];
const CLOSE_COLUMNS = ["52px", "54px"];
/** The line takes what is left on a phone, down to a stub; its full width elsewhere. */
const SPARKLINE_COLUMN = `minmax(24px,${SPARKLINE_WIDTH}px)`;

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
.key{display:flex;flex-wrap:wrap;gap:2px 22px;margin:4px 0 10px;padding:0;list-style:none;color:#52606d}
.key .z{margin-right:3px}
.key b{color:#1f2933}
.signals{display:flex;flex-wrap:wrap;gap:10px 28px}
.signals ul{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px;max-width:560px}
.kind li{font-variant-numeric:tabular-nums}
.parts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(396px,100%),1fr));gap:0 20px}
ol.rank{margin:0;padding:0;list-style:none}
.rank li,.rh{display:grid;grid-template-columns:${COLUMNS.join(" ")};align-items:center;font-variant-numeric:tabular-nums}
.with-closes .rank li,.with-closes .rh{grid-template-columns:${[...COLUMNS, ...CLOSE_COLUMNS].join(" ")}}
.with-line .rank li,.with-line .rh{grid-template-columns:${[...COLUMNS, SPARKLINE_COLUMN].join(" ")}}
.with-closes.with-line .rank li,.with-closes.with-line .rh{grid-template-columns:${[...COLUMNS, ...CLOSE_COLUMNS, SPARKLINE_COLUMN].join(" ")}}
.rank li{height:25px;border-bottom:1px solid #eef1f4}
.rh{height:20px;border-bottom:1px solid #d9dee5;color:#7b8794;font-size:11px}
.rh>*{font-style:normal;font-weight:400;text-align:right;padding-right:4px;white-space:nowrap;overflow:hidden}
.rh b{text-align:left}
.rh>:last-child{text-align:center}
.rank li.ob{background:#fff1e6}
.rank li.os{background:#e8f0fe}
.rank i{font-style:normal;color:#7b8794;text-align:right;padding-right:5px;font-size:11px}
.rank b{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.v{text-align:right;font-weight:600;padding-right:2px}
.d,.cl,.pc{text-align:right;color:#52606d;font-size:12px;padding-right:4px;white-space:nowrap}
.cl{color:#1f2933}
.d.new{font-style:italic;color:#7b8794}
.up{color:#1a7f37}
.dn{color:#b4236a}
.d.big{font-weight:700;border-radius:3px;justify-self:end;padding:0 4px 0 3px}
.d.big.up{background:#dcf2e2}
.d.big.dn{background:#f8e1ec}
.rank .z{justify-self:center}
.spark{overflow:visible;justify-self:end;width:100%;max-width:${SPARKLINE_WIDTH}px}
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

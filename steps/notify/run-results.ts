/**
 * What the exit step knows of a finished run, read from what the platform and the steps left:
 * how the run ended (Argo's `{{workflow.status}}` and `{{workflow.failures}}`, or the same from
 * `stock-rsi run`), and the steps' small text files (the ranking, the crossings, the failed
 * symbols, backfill's days), in the formats the steps write them. Pure.
 *
 * Reading is lenient on purpose: a notification that says less is better than none, so a line
 * that does not parse is left out rather than refused. The symbols are not: the steps write each
 * as a stored ticker (`isTicker`), once (a crossing once per kind), so a line naming `..`, `ibm`,
 * a control character or a symbol already named was not written by a step, and its file is
 * refused (`ResultLineRefused`) rather than put in front of the people the message goes to.
 */
import type { IsoDate } from "../domain/dates.ts";
import { isIsoDate } from "../domain/dates.ts";
import { ExitCode } from "../domain/errors.ts";
import { notATicker, quotedSymbol } from "../domain/symbols.ts";

/** How Argo reports a run's end; `stock-rsi run` uses the same words. */
export const RUN_STATUSES = ["Succeeded", "Failed", "Error"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One failed node of the run, as Argo lists it in `{{workflow.failures}}` (operator.go builds the
 * list from every node that Failed or Errored, in no particular order: a retried step appears as
 * its retry node and each failed attempt; the DAG itself appears too). `stock-rsi run` gives the
 * failed step the same way, with its exit status as `exitCode`.
 */
export interface FailedNode {
  readonly displayName?: string;
  readonly templateName?: string;
  readonly phase?: string;
  readonly message?: string;
  readonly finishedAt?: string;
  readonly exitCode?: number;
}

export type RunOutcome =
  | { readonly kind: "passed" }
  /** A step exited 1: the validation policy refused the day (validate), or a day of the range (backfill). */
  | { readonly kind: "validation-failed"; readonly step: string; readonly message: string }
  | { readonly kind: "step-failed"; readonly step?: string; readonly exitCode?: number; readonly message: string };

/**
 * Argo's failures list as the exit handler receives it. The controller stores it `strconv.Quote`d
 * (workflow/controller/operator.go, v4.0.10: "necessary so that the escaped quotes are not removed
 * during parameter substitution"), so a container's argument holds the JSON inside Go quotes;
 * plain JSON (from `stock-rsi run`, or a later Argo) is read as well. Undefined when it is
 * neither, or empty.
 */
export function parseFailures(text: string): FailedNode[] | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "null") return [];
  let json = trimmed;
  if (trimmed.startsWith('"')) {
    const unquoted = unquoteGo(trimmed);
    if (unquoted === undefined) return undefined;
    json = unquoted.trim();
    if (json === "" || json === "null") return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  return parsed.flatMap((node: unknown) => {
    if (typeof node !== "object" || node === null) return [];
    const n = node as Record<string, unknown>;
    const text = (key: string) => (typeof n[key] === "string" ? { [key]: n[key] as string } : {});
    return [{ ...text("displayName"), ...text("templateName"), ...text("phase"), ...text("message"), ...text("finishedAt"), ...(Number.isInteger(n.exitCode) ? { exitCode: n.exitCode as number } : {}) }];
  });
}

/**
 * The inverse of Go's `strconv.Quote`: a double-quoted string with Go's escapes (`\"`, `\\`, `\n`,
 * `\t`, `\a`, `\v`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\OOO`). Undefined when `text` is not one.
 */
export function unquoteGo(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return undefined;
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...new TextEncoder().encode(s));
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') return undefined;
    if (c !== "\\") {
      const code = body.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      pushText(char);
      i += char.length - 1;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, '"': 34, "'": 39 };
    if (e === undefined) return undefined;
    if (e in simple) bytes.push(simple[e]!);
    else if (e === "x" || e === "u" || e === "U") {
      const digits = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) return undefined;
      const value = parseInt(hex, 16);
      // \x is one byte of UTF-8; \u and \U are a code point.
      if (e === "x") bytes.push(value);
      else if (value > 0x10ffff) return undefined;
      else pushText(String.fromCodePoint(value));
      i += digits;
    } else if (/[0-7]/.test(e)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal)) return undefined;
      bytes.push(parseInt(octal, 8));
      i += 2;
    } else return undefined;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * How the run ended, in the user's words: it passed; a step said the validation policy refused
 * the day (exit 1); or which step failed, with its exit status and its one-line message. The
 * failed step is the one among `steps` (the pipeline's, in order) that failed first in that
 * order; its message the latest of its nodes that carries one.
 */
export function runOutcome(status: RunStatus, failures: readonly FailedNode[] | undefined, steps: readonly string[]): RunOutcome {
  if (status === "Succeeded") return { kind: "passed" };
  const ofSteps = (failures ?? []).filter((f) => f.templateName !== undefined && steps.includes(f.templateName));
  const step = steps.find((s) => ofSteps.some((f) => f.templateName === s));
  if (step === undefined) {
    // Nothing names a step: the run was stopped, or ran past its deadline, or the list is unreadable.
    const message = (failures ?? []).map((f) => f.message ?? "").find((m) => m.trim() !== "");
    return { kind: "step-failed", message: message ? oneLine(message) : failures === undefined ? "the run failed (its list of failed steps could not be read)" : `the run ended ${status}` };
  }
  const nodes = ofSteps
    .filter((f) => f.templateName === step)
    .map((f) => ({ ...f, ...exitOf(f) }))
    .sort((a, b) => Number(b.exitCode !== undefined) - Number(a.exitCode !== undefined) || (b.finishedAt ?? "").localeCompare(a.finishedAt ?? ""));
  const node = nodes[0]!;
  const message = oneLine(node.detail || node.message || `${step} ${node.phase === "Error" ? "errored" : "failed"}`);
  if (node.exitCode === ExitCode.policyFailed) return { kind: "validation-failed", step, message };
  return { kind: "step-failed", step, ...(node.exitCode !== undefined ? { exitCode: node.exitCode } : {}), message };
}

/**
 * A failed node's exit status and the one line that says why. Argo's message for a failed
 * container is `main: Error (exit code N): TERMINATION MESSAGE` (operator.go, `inferFailedReason`),
 * where the termination message is the line the step wrote to /dev/termination-log, or with
 * `FallbackToLogsOnError` the end of its log: the line wanted is then its last `stock-rsi: ` line.
 */
function exitOf(node: FailedNode): { exitCode?: number; detail: string } {
  const message = node.message ?? "";
  const m = /\(exit code (-?\d+)\)(?::\s*([\s\S]*))?$/.exec(message);
  const exitCode = node.exitCode ?? (m ? Number(m[1]) : undefined);
  const rest = m ? (m[2] ?? "") : message;
  const lines = rest.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const said = [...lines].reverse().find((l) => l.startsWith("stock-rsi: "));
  const detail = said ? said.slice("stock-rsi: ".length) : (lines.at(-1) ?? "");
  return { ...(exitCode !== undefined ? { exitCode } : {}), detail };
}

/** Text made one line, at most 300 characters. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** One symbol's value in the ranking file (`EBKDY 83.98`). */
export interface RankedValue {
  readonly symbol: string;
  readonly rsi: number;
}

/** A line of a result file whose symbol no step would write there: its number (from 1), and why. */
export class ResultLineRefused extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/**
 * The symbols of one result file, checked as each line is read: a stored ticker, named once (a
 * crossing: once per kind, since a jump from 29 to 71 both leaves oversold and enters overbought).
 */
class SymbolLines {
  private readonly firstOn = new Map<string, number>();

  constructor(private readonly once: string) {}

  check(symbol: string, line: number, key = symbol): void {
    const problem = notATicker(symbol, "stored");
    if (problem !== undefined) throw new ResultLineRefused(line, `${quotedSymbol(symbol)} ${problem}`);
    const first = this.firstOn.get(key);
    if (first !== undefined) throw new ResultLineRefused(line, `${quotedSymbol(symbol)} is already on line ${first}; ${this.once}`);
    this.firstOn.set(key, line);
  }
}

/** persist's ranking (`SYMBOL VALUE` lines, strongest first), in its order. Throws `ResultLineRefused`. */
export function parseRanking(text: string): RankedValue[] {
  const symbols = new SymbolLines("the ranking names each symbol once");
  return linesOf(text).flatMap(({ line, number }) => {
    const m = /^(\S+) (-?\d+(?:\.\d+)?)$/.exec(line);
    if (!m) return [];
    symbols.check(m[1]!, number);
    return [{ symbol: m[1]!, rsi: Number(m[2]) }];
  });
}

export const CROSSING_KINDS = ["entered-overbought", "left-overbought", "entered-oversold", "left-oversold"] as const;
export type CrossingKind = (typeof CROSSING_KINDS)[number];

/** A symbol that crossed 70 or 30 since the previous stored trading day, as persist wrote it. */
export interface Crossing {
  readonly symbol: string;
  readonly kind: CrossingKind;
  readonly previous: number;
  readonly today: number;
}

/** persist's crossings (`NVDA entered-overbought 68.40 -> 71.25` lines; see `formatSignals`). Throws `ResultLineRefused`. */
export function parseCrossings(text: string): Crossing[] {
  const symbols = new SymbolLines("the crossings name each symbol once per kind");
  return linesOf(text).flatMap(({ line, number }) => {
    const m = /^(\S+) (\S+) (-?\d+(?:\.\d+)?) -> (-?\d+(?:\.\d+)?)$/.exec(line);
    if (!m || !(CROSSING_KINDS as readonly string[]).includes(m[2]!)) return [];
    symbols.check(m[1]!, number, `${m[1]!} ${m[2]!}`);
    return [{ symbol: m[1]!, kind: m[2] as CrossingKind, previous: Number(m[3]), today: Number(m[4]) }];
  });
}

/** A symbol without a value, as validate wrote it (`SYMBOL reason: message`). */
export interface SymbolWithoutValue {
  readonly symbol: string;
  readonly reason: string;
}

/** validate's failed symbols (`--failures-out`), in its order. Throws `ResultLineRefused`. */
export function parseFailedSymbols(text: string): SymbolWithoutValue[] {
  const symbols = new SymbolLines("validate names each symbol without a value once");
  return linesOf(text).flatMap(({ line, number }) => {
    const m = /^(\S+) ([a-z][a-z-]*):/.exec(line);
    if (!m) return [];
    symbols.check(m[1]!, number);
    return [{ symbol: m[1]!, reason: m[2]! }];
  });
}

/** validate's trading day (`2021-05-14`), or undefined when the file names none. */
export function parseTradeDate(text: string): IsoDate | undefined {
  const day = text.trim();
  return isIsoDate(day) ? day : undefined;
}

/** One day of a backfill, as it wrote it: `2021-05-17 stored 165`, `... skipped`, `... refused: why`. */
export type BackfillDay =
  | { readonly date: IsoDate; readonly outcome: "stored"; readonly values: number }
  | { readonly date: IsoDate; readonly outcome: "skipped" }
  | { readonly date: IsoDate; readonly outcome: "refused"; readonly reason: string };

export function parseBackfillDays(text: string): BackfillDay[] {
  return linesOf(text).flatMap(({ line }): BackfillDay[] => {
    let m = /^(\d{4}-\d{2}-\d{2}) stored (\d+)$/.exec(line);
    if (m && isIsoDate(m[1]!)) return [{ date: m[1]!, outcome: "stored", values: Number(m[2]) }];
    m = /^(\d{4}-\d{2}-\d{2}) skipped$/.exec(line);
    if (m && isIsoDate(m[1]!)) return [{ date: m[1]!, outcome: "skipped" }];
    m = /^(\d{4}-\d{2}-\d{2}) refused: (.*)$/.exec(line);
    if (m && isIsoDate(m[1]!)) return [{ date: m[1]!, outcome: "refused", reason: m[2]! }];
    return [];
  });
}

/**
 * Whether a result file holds a reference Argo could not resolve instead of a value: an exit
 * handler that reads a global output no step set (its step never ran) receives the reference
 * itself, `{{workflow.outputs.parameters.NAME}}`, because the controller substitutes with
 * unresolved references allowed and writes such a tag back unchanged
 * (util/template/simple_template.go, v4.0.10). No step ever writes such a line.
 */
export function isUnresolvedReference(text: string): boolean {
  return /^\{\{[^{}]*\}\}$/.test(text.trim());
}

/** The lines that hold something, trimmed, each with its number in the file (from 1). */
function linesOf(text: string): { readonly line: string; readonly number: number }[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({ line: l.trim(), number: i + 1 }))
    .filter(({ line }) => line !== "");
}

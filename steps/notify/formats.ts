/**
 * One notification, in each channel's own shape. Pure: what is sent, not how.
 *
 * - the JSON payload (`schemaVersion` 1, documented field by field in docs/notifications.md): for
 *   a script or a home-automation hook; a field the run never produced is `null`;
 * - a Slack incoming-webhook body: `text` (what a phone's notification shows, and all that
 *   Mattermost and other Slack-compatible servers need) and `blocks` (how Slack lays it out);
 * - an ntfy message: the body, and the title, priority, tags and click-through as headers;
 * - an email: the subject, a plain-text part, and an HTML part: the run's report when there is one.
 */
import { escapeMarkup } from "../report/markup.ts";
import { PAYLOAD_SCHEMA_VERSION, plainText, type Notification } from "./message.ts";

/** The JSON payload, version 1. */
export interface Payload {
  readonly schemaVersion: typeof PAYLOAD_SCHEMA_VERSION;
  readonly pipeline: string;
  readonly runId: string | null;
  readonly asOf: string;
  readonly firstDay: string | null;
  readonly tradeDate: string | null;
  readonly method: string;
  readonly period: number;
  readonly outcome: {
    readonly status: "passed" | "validation-failed" | "step-failed";
    readonly step: string | null;
    readonly exitCode: number | null;
    readonly message: string | null;
  };
  readonly crossings: readonly { readonly symbol: string; readonly kind: string; readonly previous: number; readonly today: number }[] | null;
  readonly strongest: readonly { readonly symbol: string; readonly rsi: number }[] | null;
  readonly weakest: readonly { readonly symbol: string; readonly rsi: number }[] | null;
  readonly ranked: number | null;
  readonly withoutValue: { readonly total: number; readonly byReason: Readonly<Record<string, number>> } | null;
  readonly days: readonly { readonly date: string; readonly outcome: string; readonly values: number | null; readonly reason: string | null }[] | null;
  readonly reportUrl: string | null;
  readonly title: string;
  readonly text: string;
}

export function jsonPayload(n: Notification): Payload {
  const { run } = n;
  const o = run.outcome;
  return {
    schemaVersion: PAYLOAD_SCHEMA_VERSION,
    pipeline: run.pipeline,
    runId: run.runId ?? null,
    asOf: run.asOf,
    firstDay: run.firstDay ?? null,
    tradeDate: run.tradeDate ?? null,
    method: run.method,
    period: run.period,
    outcome: {
      status: o.kind,
      step: o.kind === "passed" ? null : (o.step ?? null),
      exitCode: o.kind === "step-failed" ? (o.exitCode ?? null) : o.kind === "validation-failed" ? 1 : null,
      message: o.kind === "passed" ? null : o.message,
    },
    crossings: run.crossings ? run.crossings.map(({ symbol, kind, previous, today }) => ({ symbol, kind, previous, today })) : null,
    strongest: n.strongest ? n.strongest.map(({ symbol, rsi }) => ({ symbol, rsi })) : null,
    weakest: n.weakest ? n.weakest.map(({ symbol, rsi }) => ({ symbol, rsi })) : null,
    ranked: run.ranking ? run.ranking.length : null,
    withoutValue: n.withoutValueByReason
      ? { total: n.withoutValueByReason.reduce((t, r) => t + r.count, 0), byReason: Object.fromEntries(n.withoutValueByReason.map((r) => [r.reason, r.count])) }
      : null,
    days: run.days
      ? run.days.map((d) => ({ date: d.date, outcome: d.outcome, values: d.outcome === "stored" ? d.values : null, reason: d.outcome === "refused" ? d.reason : null }))
      : null,
    reportUrl: run.reportLink ?? null,
    title: n.title,
    text: n.glance.join("\n"),
  };
}

/** A Slack incoming webhook's body: https://api.slack.com/messaging/webhooks, Block Kit's header, section and context blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack's limits: a header's text 150 characters, a section's 3,000. */
const SLACK_HEADER = 150;
const SLACK_SECTION = 3000;

export function slackMessage(n: Notification): SlackMessage {
  const mark = n.passed ? ":white_check_mark:" : ":rotating_light:";
  const link = n.run.reportLink && /^https?:\/\//.test(n.run.reportLink) ? n.run.reportLink : undefined;
  const blocks: Record<string, unknown>[] = [{ type: "header", text: { type: "plain_text", text: clip(n.title, SLACK_HEADER), emoji: true } }];
  if (n.glance.length > 0) blocks.push(section(`${mark} ${n.glance.map(slackEscape).join("\n")}`));
  for (const s of n.sections) {
    if (s.heading === "Report") continue;
    blocks.push(section(`*${slackEscape(s.heading)}*\n${s.lines.map(slackEscape).join("\n")}`));
  }
  const report = n.sections.find((s) => s.heading === "Report")?.lines[0] ?? "";
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: link ? `<${link}|The run's report>` : slackEscape(`Report: ${report}`) }] });
  // `text` is what a phone shows, and what a server without Block Kit (Mattermost) shows whole.
  return { text: `${mark} ${plainText(n)}`, blocks };
}

function section(text: string): Record<string, unknown> {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, SLACK_SECTION) } };
}

/** Slack's three control characters in mrkdwn (its "Formatting text" guide). */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An ntfy publish request: the body, and its headers (https://docs.ntfy.sh/publish/). */
export interface NtfyMessage {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** ntfy turns a body over 4,096 bytes into an attachment; stay under it. */
const NTFY_BODY_BYTES = 4000;

export function ntfyMessage(n: Notification): NtfyMessage {
  const link = n.run.reportLink && /^https?:\/\//.test(n.run.reportLink) ? n.run.reportLink : undefined;
  const failedHard = n.run.outcome.kind === "step-failed";
  const headers: Record<string, string> = {
    Title: headerText(n.title),
    // 3 is ntfy's default; 4 (high) makes a phone sound even when a failed run is routine.
    Priority: failedHard ? "4" : "3",
    Tags: n.passed ? (n.run.crossings && n.run.crossings.length > 0 ? "chart_with_upwards_trend" : "white_check_mark") : failedHard ? "rotating_light" : "warning",
    ...(link ? { Click: link } : {}),
  };
  return { body: clipBytes(plainText(n, { title: false }), NTFY_BODY_BYTES), headers };
}

/**
 * Text for an HTTP header: ASCII as it is; anything else as an RFC 2047 encoded word, which ntfy
 * decodes (a header is Latin-1 on the wire, and Node refuses other characters in one).
 */
export function headerText(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ");
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  const bytes = new TextEncoder().encode(line);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `=?UTF-8?B?${btoa(binary)}?=`;
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The email: the report as its HTML when the run wrote one, else the message itself as a small page. */
export function emailMessage(n: Notification, reportHtml: string | undefined): EmailMessage {
  return { subject: n.title, text: plainText(n, { title: false }), html: reportHtml ?? messagePage(n) };
}

/** The message as a plain HTML page, for a run that left no report (it failed before persist). */
export function messagePage(n: Notification): string {
  const link = n.run.reportLink && /^https?:\/\//.test(n.run.reportLink) ? n.run.reportLink : undefined;
  const colour = n.passed ? "#1a7f37" : "#cf222e";
  const sections = n.sections
    .map((s) => {
      const lines = s.heading === "Report" && link ? `<a href="${escapeMarkup(link)}">${escapeMarkup(link)}</a>` : s.lines.map(escapeMarkup).join("<br>");
      return `<h2 style="font-size:1em;margin:1em 0 .3em">${escapeMarkup(s.heading)}</h2><p style="margin:0">${lines}</p>`;
    })
    .join("\n");
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeMarkup(n.title)}</title></head>`,
    `<body style="font-family:system-ui,sans-serif;line-height:1.4">`,
    `<h1 style="font-size:1.2em;color:${colour}">${escapeMarkup(n.title)}</h1>`,
    n.glance.length > 0 ? `<p><strong>${n.glance.map(escapeMarkup).join("<br>")}</strong></p>` : "",
    sections,
    "</body></html>",
    "",
  ].join("\n");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** At most `max` bytes of UTF-8, cut at a line when possible, never inside a character. */
function clipBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  const lines = text.split("\n");
  const kept: string[] = [];
  let bytes = 0;
  const more = "…";
  for (const line of lines) {
    const size = encoder.encode(`${line}\n`).length;
    if (bytes + size + encoder.encode(more).length > max) break;
    kept.push(line);
    bytes += size;
  }
  return `${kept.join("\n")}\n${more}`;
}

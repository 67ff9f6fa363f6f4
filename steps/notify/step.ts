/**
 * The notify step's work: find the channels, read what the run left, compose the message once,
 * and deliver it to every channel at once, each within the bounded time. Its command
 * (`command.ts`) loads this only when it runs.
 *
 * Delivery never hides the run's outcome: one line per channel says whether it took the message,
 * and the step's own exit status (0 when every channel took it or none is configured; 2, 4 or 3
 * when one had a bad URL or a result file was refused, a channel refused it, or one could not be
 * reached) is notify's alone. `stock-rsi run` ignores it, and on Argo the exit handler's failure
 * leaves the run's phase alone.
 */
import { existsSync } from "node:fs";
import { dateIn, MARKET_TIME_ZONE, type IsoDate } from "../domain/dates.ts";
import { ExitCode, ExitWith, UserError } from "../domain/errors.ts";
import { logLine, printable, type Io } from "../command-line/io.ts";
import { FILE_LIMITS, readBoundedText } from "../files/bounded-read.ts";
import { guardOutputs, type NamedFile } from "../files/output-files.ts";
import { backfillPipeline, pipeline, SETTINGS, type PipelineDefinition } from "../pipeline.ts";
import { parseChannel, scrub, secretsOf, type Channel, type SmtpChannel } from "./channels.ts";
import { deliverWithin, postOnce, type Attempt, type Delivery } from "./delivery.ts";
import { emailMessage, jsonPayload, ntfyMessage, slackMessage } from "./formats.ts";
import { composeNotification, type FinishedRun, type Notification } from "./message.ts";
import { CHANNELS_ENV, CHANNELS_FILE_ENV, SMTP_PASSWORD_ENV, SMTP_PASSWORD_FILE_ENV } from "./names.ts";
import {
  isUnresolvedReference,
  parseBackfillDays,
  parseCrossings,
  parseFailedSymbols,
  parseFailures,
  parseRanking,
  parseTradeDate,
  ResultLineRefused,
  RUN_STATUSES,
  runOutcome,
  type BackfillDay,
  type Crossing,
  type RankedValue,
  type RunStatus,
  type SymbolWithoutValue,
} from "./run-results.ts";

export interface NotifyOptions {
  readonly pipeline: string;
  readonly status: string;
  readonly failures?: string;
  readonly reportLink?: string;
  readonly tradeDate?: string;
  readonly failedSymbols?: string;
  readonly ranking?: string;
  readonly signals?: string;
  readonly report?: string;
  readonly days?: string;
  readonly undeliveredOut?: string;
  readonly asOf?: string;
  readonly firstDay?: string;
  readonly method: string;
  readonly period: number;
  readonly notify?: readonly string[];
  readonly notifyDeadlineSeconds: number;
  readonly runId?: string;
}


const PIPELINES: readonly PipelineDefinition[] = [pipeline, backfillPipeline];

export async function runNotify(options: NotifyOptions, io: Io): Promise<void> {
  const definition = PIPELINES.find((p) => p.name === options.pipeline);
  if (!definition) throw new UserError(`--pipeline ${options.pipeline}: not a pipeline; known: ${PIPELINES.map((p) => p.name).join(", ")}`);
  if (!(RUN_STATUSES as readonly string[]).includes(options.status)) {
    throw new UserError(`--status ${options.status}: expected how the run ended, ${RUN_STATUSES.join(", ")} (Argo's {{workflow.status}})`);
  }
  // Checked at the flag (`SETTINGS.notifyDeadlineSeconds.parse`).
  const boundMs = options.notifyDeadlineSeconds * 1000;

  const listed = channelUrls(options, io);
  const resultFiles = resultFilesOf(options);
  const outputs = guardOutputs({
    reads: [...resultFiles, ...listed.reads],
    outputs: [{ flag: "--undelivered-out", path: options.undeliveredOut }],
  });
  const writeUndelivered = (n: number) => {
    if (options.undeliveredOut) outputs.write(options.undeliveredOut, `${n}\n`);
  };
  // Read first, whether or not a channel is configured: a refused file is bad input either way.
  const results = runResults(options, io);
  /** Ends with bad input when a result file was refused, after the message went without it. */
  const endRefusingResults = () => {
    if (results.refused.length === 0) return;
    io.reportFailure?.(`notify: ${results.refused.join(", ")} refused (said above); the message went without ${results.refused.length === 1 ? "it" : "them"}`);
    throw new ExitWith(ExitCode.badInput);
  };
  if (listed.urls.length === 0) {
    logLine(io, "notify", `no channel is configured (give ${SETTINGS.notify.flag} URL, or set ${CHANNELS_ENV} or ${CHANNELS_FILE_ENV}${listed.note ? `: ${listed.note}` : ""}); nothing sent`);
    writeUndelivered(0);
    endRefusingResults();
    return;
  }

  const channels: Channel[] = [];
  const refusals: string[] = [];
  for (const { url, source } of listed.urls) {
    try {
      channels.push(parseChannel(url, source));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      refusals.push(err.message);
      logLine(io, "notify", `not sent: ${err.message}`);
    }
  }

  const notification = composeNotification(finishedRun(definition, options as NotifyOptions & { status: RunStatus }, results, io));
  logLine(io, "notify", `"${notification.title}" to ${channels.length} ${channels.length === 1 ? "channel" : "channels"}`);
  const reportHtml = channels.some((c) => c.kind === "smtp") ? readResult(options.report, "--report", FILE_LIMITS.report, io) : undefined;
  const deliveries = await Promise.all(channels.map((channel) => deliverTo(channel, notification, reportHtml, boundMs, io)));

  const undelivered = refusals.length + deliveries.filter((d) => !d.delivered).length;
  writeUndelivered(undelivered);
  if (undelivered === 0) return endRefusingResults();
  const code = refusals.length > 0 || results.refused.length > 0 ? ExitCode.badInput : deliveries.some((d) => d.refused) ? ExitCode.refused : ExitCode.unavailable;
  const summary = `notify: ${undelivered} of ${listed.urls.length} channels did not take the message (each is named above)`;
  // The node's message on Argo; no `stock-rsi:` line, so a run's own failure stays its one error line.
  io.reportFailure?.(summary);
  throw new ExitWith(code);
}

/** What the steps' result files say, each read and checked; `refused` names the files left out for what they held. */
interface RunResults {
  readonly tradeDate?: IsoDate;
  readonly ranking?: RankedValue[];
  readonly crossings?: Crossing[];
  readonly withoutValue?: SymbolWithoutValue[];
  readonly days?: BackfillDay[];
  readonly refused: readonly string[];
}

/**
 * Reads each result file the run left. One whose line names a symbol no step would write (not a
 * stored ticker, or one already named) is said in one line naming the file and the line, and the
 * message goes without it, as without a file that cannot be read; notify then ends with bad input.
 */
function runResults(options: NotifyOptions, io: Io): RunResults {
  const refused: string[] = [];
  const read = <T>(path: string | undefined, flag: string, parse: (text: string) => T): T | undefined => {
    const text = readResult(path, flag, FILE_LIMITS.runResult, io);
    if (text === undefined) return undefined;
    try {
      return parse(text);
    } catch (err) {
      if (!(err instanceof ResultLineRefused)) throw err;
      logLine(io, "notify", `${flag} ${path}:${err.line}: ${err.problem}; the message goes without this file`);
      refused.push(`${flag} ${path}`);
      return undefined;
    }
  };
  const tradeDate = read(options.tradeDate, "--trade-date", parseTradeDate);
  const ranking = read(options.ranking, "--ranking", parseRanking);
  const crossings = read(options.signals, "--signals", parseCrossings);
  const withoutValue = read(options.failedSymbols, "--failed-symbols", parseFailedSymbols);
  const days = read(options.days, "--days", parseBackfillDays);
  return {
    ...(tradeDate !== undefined ? { tradeDate } : {}),
    ...(ranking !== undefined ? { ranking } : {}),
    ...(crossings !== undefined ? { crossings } : {}),
    ...(withoutValue !== undefined ? { withoutValue } : {}),
    ...(days !== undefined ? { days } : {}),
    refused,
  };
}

/** The run as the files and flags tell it. */
function finishedRun(definition: PipelineDefinition, options: NotifyOptions & { status: RunStatus }, results: RunResults, io: Io): FinishedRun {
  const failures = parseFailures(options.failures ?? "");
  if (failures === undefined) logLine(io, "notify", "--failures: not a JSON list of failed steps; the message says only that the run failed");
  const { tradeDate: day, ranking, crossings, withoutValue, days } = results;
  const link = options.reportLink?.trim();
  return {
    pipeline: definition.name,
    asOf: options.asOf || dateIn(MARKET_TIME_ZONE, io.now()),
    ...(options.firstDay ? { firstDay: options.firstDay } : {}),
    ...(day !== undefined ? { tradeDate: day } : {}),
    method: options.method,
    period: options.period,
    ...(options.runId ? { runId: options.runId } : {}),
    outcome: runOutcome(options.status, failures, definition.steps.map((s) => s.name)),
    ...(ranking !== undefined ? { ranking } : {}),
    ...(crossings !== undefined ? { crossings } : {}),
    ...(withoutValue !== undefined ? { withoutValue } : {}),
    ...(days !== undefined ? { days } : {}),
    ...(link ? { reportLink: link } : {}),
  };
}

/**
 * A step's result, or undefined when the run did not write it: no such file (the step never ran:
 * locally its flag is left out, on Argo an optional artifact is missing), or a reference Argo
 * could not resolve. A file that cannot be read is said in one line and left out.
 */
function readResult(path: string | undefined, flag: string, limit: number, io: Io): string | undefined {
  if (path === undefined || !existsSync(path)) return undefined;
  let text: string;
  try {
    text = readBoundedText(path, limit);
  } catch (err) {
    logLine(io, "notify", `${flag} ${path}: cannot read it (${(err as Error).message}); the message goes without it`);
    return undefined;
  }
  return isUnresolvedReference(text) ? undefined : text;
}

function resultFilesOf(options: NotifyOptions): NamedFile[] {
  const files: [string, string | undefined][] = [
    ["--trade-date", options.tradeDate],
    ["--failed-symbols", options.failedSymbols],
    ["--ranking", options.ranking],
    ["--signals", options.signals],
    ["--report", options.report],
    ["--days", options.days],
  ];
  return files.flatMap(([flag, path]) => (path === undefined ? [] : [{ path, role: `a result this command reads (${flag})` }]));
}

interface ListedUrls {
  readonly urls: readonly { readonly url: string; readonly source: string }[];
  /** Files the URLs and passwords are read from. */
  readonly reads: readonly NamedFile[];
  /** Why a configured file gave no URL, for the "no channel" line. */
  readonly note?: string;
}

/**
 * Every channel URL, from `--notify` (each in turn), `STOCK_RSI_NOTIFY` (blank-separated) and the
 * file `STOCK_RSI_NOTIFY_FILE` names (one a line, `#` comments), in that order, each once. The
 * file is how a Kubernetes Secret arrives; it may be missing (the Secret is optional), and then
 * gives none.
 */
function channelUrls(options: NotifyOptions, io: Io): ListedUrls {
  const urls: { url: string; source: string }[] = [];
  const add = (url: string, source: string) => {
    if (!urls.some((u) => u.url === url)) urls.push({ url, source });
  };
  (options.notify ?? []).forEach((url, i, all) => add(url, all.length > 1 ? `${SETTINGS.notify.flag} #${i + 1}` : SETTINGS.notify.flag));
  const fromEnv = (io.env[CHANNELS_ENV] ?? "").split(/\s+/).filter((u) => u !== "");
  fromEnv.forEach((url, i) => add(url, fromEnv.length > 1 ? `${CHANNELS_ENV} #${i + 1}` : CHANNELS_ENV));
  const reads: NamedFile[] = [];
  let note: string | undefined;
  const file = io.env[CHANNELS_FILE_ENV];
  if (file) {
    if (!existsSync(file)) note = `${CHANNELS_FILE_ENV}=${file} does not exist`;
    else {
      reads.push({ path: file, role: `the channels file (${CHANNELS_FILE_ENV})` });
      let text: string;
      try {
        text = readBoundedText(file, FILE_LIMITS.channels);
      } catch (err) {
        throw new UserError(`${CHANNELS_FILE_ENV}=${file}: cannot read the channels file (${(err as Error).message})`);
      }
      text.split(/\r?\n/).forEach((line, i) => {
        // A URL may hold a `#` (a fragment), so only a line that starts with one is a comment.
        const entry = line.trim();
        if (entry !== "" && !entry.startsWith("#")) add(entry, `${CHANNELS_FILE_ENV} line ${i + 1}`);
      });
      if (urls.length === 0) note = `${CHANNELS_FILE_ENV}=${file} lists none`;
    }
  }
  const passwordFile = io.env[SMTP_PASSWORD_FILE_ENV];
  if (passwordFile && existsSync(passwordFile)) reads.push({ path: passwordFile, role: `the password file (${SMTP_PASSWORD_FILE_ENV})` });
  return { urls, reads, ...(note ? { note } : {}) };
}

/** Delivers to one channel within the bound, and says how it went in one line. */
async function deliverTo(channel: Channel, n: Notification, reportHtml: string | undefined, boundMs: number, io: Io): Promise<Delivery> {
  let secrets = secretsOf(channel);
  let delivery: Delivery;
  try {
    let send: (timeoutMs: number) => Promise<Attempt>;
    if (channel.kind === "smtp") {
      const password = smtpPassword(channel, io.env);
      secrets = secretsOf(channel, password);
      const mail = emailMessage(n, reportHtml);
      const { sendMailOnce } = await import("./smtp.ts");
      send = (timeoutMs) => sendMailOnce(channel, password, mail, timeoutMs);
    } else {
      const request = httpRequestOf(channel, n);
      send = (timeoutMs) => postOnce(request, timeoutMs);
    }
    delivery = await deliverWithin(boundMs, send);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    delivery = { delivered: false, attempts: 0, elapsedMs: 0, why: err.message, refused: true };
  }
  const where = `${channel.shown} (${channel.source})`;
  const line = delivery.delivered
    ? `delivered to ${where}${delivery.attempts > 1 ? ` at attempt ${delivery.attempts}` : ""}`
    : `not delivered to ${where}: ${delivery.why ?? "unknown"}`;
  // Whatever a server or a library said, no part of the channel's URL or password leaves here.
  logLine(io, "notify", scrub(printable(line), secrets));
  return delivery;
}

function httpRequestOf(channel: Exclude<Channel, SmtpChannel>, n: Notification): { endpoint: string; headers: Record<string, string>; body: string } {
  switch (channel.kind) {
    case "json":
      return { endpoint: channel.endpoint, headers: { "content-type": "application/json" }, body: JSON.stringify(jsonPayload(n)) };
    case "slack":
      return { endpoint: channel.endpoint, headers: { "content-type": "application/json" }, body: JSON.stringify(slackMessage(n)) };
    case "ntfy": {
      const message = ntfyMessage(n);
      const auth: Record<string, string> = channel.basicAuth
        ? { authorization: `Basic ${Buffer.from(`${channel.basicAuth.user}:${channel.basicAuth.password}`).toString("base64")}` }
        : {};
      return { endpoint: channel.endpoint, headers: { "content-type": "text/plain; charset=utf-8", ...message.headers, ...auth }, body: message.body };
    }
  }
}

/**
 * An email channel's password: written in its URL; else the file `SMTP_PASSWORD_FILE` names (a
 * mounted Secret; one trailing newline ignored); else `SMTP_PASSWORD`. Setting both variables is
 * refused, as for MySQL. A channel with a user and no password is refused before it connects.
 */
function smtpPassword(channel: SmtpChannel, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (channel.user === undefined) return undefined;
  if (channel.passwordInUrl !== undefined) return channel.passwordInUrl;
  const file = env[SMTP_PASSWORD_FILE_ENV];
  const value = env[SMTP_PASSWORD_ENV];
  const where = `${channel.shown} (${channel.source})`;
  if (file && value) throw new UserError(`both ${SMTP_PASSWORD_ENV} and ${SMTP_PASSWORD_FILE_ENV} are set; set only one (the file is how a Kubernetes Secret is mounted)`);
  if (file && existsSync(file)) {
    try {
      return readBoundedText(file, FILE_LIMITS.password).replace(/\r?\n$/, "");
    } catch (err) {
      throw new UserError(`${SMTP_PASSWORD_FILE_ENV}=${file}: cannot read the password file (${(err as Error).message})`);
    }
  }
  if (value) return value;
  const missing = file ? ` (${SMTP_PASSWORD_FILE_ENV}=${file} does not exist)` : "";
  throw new UserError(`no password to log in to ${where} as ${channel.user}: set ${SMTP_PASSWORD_FILE_ENV} to a file holding it, or ${SMTP_PASSWORD_ENV}${missing}`);
}

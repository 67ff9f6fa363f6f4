/**
 * A notification channel, read from its URL: the URL's scheme picks how the message is sent.
 *
 * - `https://...` (or `http://`): a JSON POST of the versioned payload (`formats.ts`);
 * - `slack+https://hooks.slack.com/services/...`: a Slack incoming webhook (text and blocks;
 *   Mattermost, Rocket.Chat and Discord's `/slack` endpoint take the same body);
 * - `ntfy+https://HOST/TOPIC`: an ntfy message (title, priority and tags as headers), a phone
 *   push from a server of one's own; a user and password (or `:TOKEN`) in the URL log in;
 * - `smtp://USER@HOST:PORT?from=ADDRESS&to=ADDRESS[,ADDRESS]` (STARTTLS when the server offers
 *   it) and `smtps://...` (TLS from the start, port 465): an email. The password comes from the
 *   URL, `SMTP_PASSWORD_FILE` or `SMTP_PASSWORD`, as MySQL's does (`channel-passwords.ts`).
 * `slack+http` and `ntfy+http` are accepted for a server on one's own network.
 *
 * A channel's URL is a credential (a Slack webhook's path is its secret), so it is never printed:
 * a message names a channel by `shownChannel` (scheme and host), and `secretsOf` lists what a
 * line about it must never contain. Pure: nothing is read or sent here.
 */
import { UserError } from "../domain/errors.ts";
import { PERCENT_ADVICE, percentDecoded, shownChannel } from "../domain/redact.ts";

export type Channel = HttpChannel | SmtpChannel;

interface ChannelBase {
  /** How messages name the channel: scheme and host, e.g. `slack+https://hooks.slack.com`. */
  readonly shown: string;
  /** Where the URL came from, for a refusal: `--notify`, `STOCK_RSI_NOTIFY_FILE line 2`. */
  readonly source: string;
  /** The URL as given: never printed. */
  readonly url: string;
}

/** A channel that takes an HTTP POST: the JSON webhook, Slack, ntfy. */
export interface HttpChannel extends ChannelBase {
  readonly kind: "json" | "slack" | "ntfy";
  /** The URL to POST to (`slack+` and `ntfy+` removed, the user and password too). */
  readonly endpoint: string;
  /** ntfy: the user and password (or an empty user and an access token) from the URL, for HTTP Basic. */
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

export interface SmtpChannel extends ChannelBase {
  readonly kind: "smtp";
  readonly host: string;
  readonly port: number;
  /** `smtps://`: TLS from the first byte; `smtp://`: STARTTLS when the server offers it. */
  readonly implicitTls: boolean;
  /** The account to log in as; none: send without logging in. */
  readonly user?: string;
  /** The password written in the URL, if any (else from SMTP_PASSWORD_FILE or SMTP_PASSWORD). */
  readonly passwordInUrl?: string;
  readonly from: string;
  readonly to: readonly string[];
}

export const SMTP_PORT = 587;
export const SMTPS_PORT = 465;

/** ntfy's own rule for a topic name (its server refuses others). */
const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
/** Enough of an address to refuse a typo at once; the server has the last word. */
const MAIL_ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+$/;

const SCHEMES = "https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, smtp://USER@HOST:PORT?from=...&to=... or smtps://...";

/**
 * The channel a URL names, or a `UserError` naming the channel by scheme and host (never the URL)
 * and what to write instead.
 */
export function parseChannel(url: string, source: string): Channel {
  const shown = shownChannel(url);
  const refuse = (why: string) => new UserError(`${source}: ${shown}: ${why}`);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw refuse(`not a URL; use ${SCHEMES}`);
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (parsed.hostname === "") throw refuse("names no host");
  // Node's HTTP client and the mail library decode a URL's credentials, and throw on a stray "%".
  for (const [part, text] of [["user name", parsed.username], ["password", parsed.password]] as const) {
    if (percentDecoded(text) === undefined) throw refuse(`the ${part} is not valid percent-encoding: ${PERCENT_ADVICE}`);
  }
  const base = { shown, source, url };
  switch (scheme) {
    case "http":
    case "https":
      return { ...base, kind: "json", endpoint: parsed.href };
    case "slack+http":
    case "slack+https": {
      const endpoint = new URL(parsed.href.slice("slack+".length));
      if (endpoint.username || endpoint.password) throw refuse("a Slack webhook takes no user or password; its path is its secret");
      return { ...base, kind: "slack", endpoint: endpoint.href };
    }
    case "ntfy+http":
    case "ntfy+https": {
      const endpoint = new URL(parsed.href.slice("ntfy+".length));
      const topic = endpoint.pathname.replace(/^\/+|\/+$/g, "");
      if (!NTFY_TOPIC.test(topic)) throw refuse("give one topic after the host (letters, digits, - and _, at most 64): ntfy+https://HOST/TOPIC");
      if (endpoint.search !== "" || endpoint.hash !== "") throw refuse("takes no query; write ntfy+https://HOST/TOPIC");
      const user = percentDecoded(endpoint.username)!;
      const password = percentDecoded(endpoint.password)!;
      endpoint.username = "";
      endpoint.password = "";
      return { ...base, kind: "ntfy", endpoint: endpoint.href, ...(user || password ? { basicAuth: { user, password } } : {}) };
    }
    case "smtp":
    case "smtps":
      return smtpChannel(parsed, scheme === "smtps", base, refuse);
    default:
      throw refuse(`unknown scheme ${scheme}:; use ${SCHEMES}`);
  }
}

function smtpChannel(parsed: URL, implicitTls: boolean, base: ChannelBase, refuse: (why: string) => UserError): SmtpChannel {
  const known = new Set(["from", "to"]);
  for (const name of parsed.searchParams.keys()) if (!known.has(name)) throw refuse(`unknown option "${name}"; an email channel takes from= and to=`);
  const from = parsed.searchParams.get("from") ?? "";
  const to = parsed.searchParams.getAll("to").flatMap((list) => list.split(",")).map((a) => a.trim()).filter((a) => a !== "");
  if (!MAIL_ADDRESS.test(from)) throw refuse("give the sender as from=ADDRESS (e.g. from=stock-rsi@example.com)");
  if (to.length === 0) throw refuse("give the recipients as to=ADDRESS (several: to=a@x.com,b@x.com)");
  const badRecipient = to.find((a) => !MAIL_ADDRESS.test(a));
  if (badRecipient !== undefined) throw refuse(`to=: "${badRecipient}" is not an email address`);
  if (parsed.pathname !== "" && parsed.pathname !== "/") throw refuse("takes no path; write smtp://USER@HOST:PORT?from=...&to=...");
  const user = percentDecoded(parsed.username)!;
  const password = percentDecoded(parsed.password)!;
  return {
    ...base,
    kind: "smtp",
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? (implicitTls ? SMTPS_PORT : SMTP_PORT) : Number(parsed.port),
    implicitTls,
    ...(user !== "" ? { user } : {}),
    ...(password !== "" ? { passwordInUrl: password } : {}),
    from,
    to,
  };
}

/**
 * Everything a line about the channel must not contain: the URL, its path and query (a webhook's
 * secret), its user's password or token, and the password it was given from elsewhere. A line is
 * cleaned of them by `scrub` before it is printed, whatever produced it (a server's answer, an
 * error of the network or of the mail library).
 */
export function secretsOf(channel: Channel, password?: string): string[] {
  const secrets = new Set<string>([channel.url, channel.url.trim()]);
  try {
    const parsed = new URL(channel.url.trim());
    const rest = `${parsed.pathname}${parsed.search}`;
    if (rest !== "/" && rest !== "") secrets.add(rest);
    for (const part of parsed.pathname.split("/")) if (part.length >= 6) secrets.add(part);
    for (const value of parsed.searchParams.values()) if (value.length >= 4 && channel.kind !== "smtp") secrets.add(value);
    if (parsed.password) {
      secrets.add(parsed.password);
      secrets.add(percentDecoded(parsed.password) ?? parsed.password);
    }
    if (channel.kind !== "smtp") secrets.add(`${parsed.host}${parsed.pathname}`);
  } catch {
    // An unparsed URL is removed whole.
  }
  if (password) secrets.add(password);
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by `***`, longest first, so a part of a longer secret does not uncover the rest. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join("***");
  return clean;
}

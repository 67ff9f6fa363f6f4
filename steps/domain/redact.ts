/**
 * Text that may be a URL with a password in it, made safe to print: every log line and error that
 * echoes a database URL or a Yahoo mirror goes through `redact`.
 *
 * A well-formed URL is easy: its password is a field. The URLs that end up in an error message are
 * the other kind: mistyped (`mysql:/user:secret@host/db`, `mysql:u:pw@host`, `mysql//u:pw@host`,
 * a leading space), which a URL parser reads as a path, or not at all. So anything that is not a
 * well-formed URL without a password is read by shape, and the redaction errs on the side of
 * hiding:
 * - with an `@`: everything from the colon after the user name to the last `@` goes, so a password
 *   holding an unescaped `@` or `/` is hidden too (`mysql:/user:***@host/db`);
 * - without one: a `user:secret` pair where a `host:port` would be, unless what follows the colon
 *   is a port number (`mysql://user:secret/db` shows as `mysql://user:***` and the path;
 *   `mysql://db:3306/x` stays as it is);
 * - in any case, the value of a query parameter named like a credential (`?password=`, `token=`,
 *   `secret-key=`...).
 *
 * A notification channel's URL is a credential as a whole: a Slack webhook's path *is* its secret,
 * an ntfy topic is readable by whoever knows its name, and a JSON webhook's path or query often
 * holds a token. Such a URL is shown as its scheme and host only (`shownChannel`), and `redact`
 * does the same for any text that starts with a channel's scheme.
 */

/** Scheme names written without `//` in the mistakes seen (`mysql:u:pw@host`). */
const KNOWN_SCHEMES = "mysql|mariadb|sqlite|postgres|postgresql|http|https|file";
/** Leading blanks, a scheme (a known one, or any followed by a slash) and the slashes after it. */
const PREFIX = new RegExp(`^\\s*(?:(?:${KNOWN_SCHEMES}):|[a-z][a-z0-9+.-]*:(?=/))?/*`, "i");
/** After the prefix, with an `@` somewhere: the user name, then what must go. */
const USER_THEN_REST = /^([^:@]*)([\s\S]*)$/;
/** After the prefix, without an `@`: `user:secret` where `host:port` would be. */
const USER_COLON_SECRET = /^([^:/?#\s@]+):([^/?#\s]*)/;
const CREDENTIAL_PARAMETER = /([?&;](?:[a-z0-9_-]*(?:password|passwd|pwd|pass|secret|token|auth)[a-z0-9_-]*|key)=)[^&#\s]*/gi;

export function redact(text: string): string {
  if (CHANNEL_SCHEME.test(text)) return shownChannel(text);
  const query = text.replace(CREDENTIAL_PARAMETER, "$1***");
  if (isWellFormedWithoutPassword(query)) return query;
  const prefix = PREFIX.exec(query)![0];
  const body = query.slice(prefix.length);
  const at = body.lastIndexOf("@");
  if (at >= 0) {
    const [, user, rest] = USER_THEN_REST.exec(body.slice(0, at))!;
    return rest === "" ? query : `${prefix}${user}:***${body.slice(at)}`;
  }
  const pair = USER_COLON_SECRET.exec(body);
  if (!pair || pair[2] === "" || /^\d+$/.test(pair[2]!)) return query;
  return `${prefix}${pair[1]}:***${body.slice(pair[0].length)}`;
}

/** A URL with a host, as typed (no blanks around it), whose user part holds no password. */
function isWellFormedWithoutPassword(text: string): boolean {
  if (text.trim() !== text) return false;
  try {
    const url = new URL(text);
    return url.host !== "" && url.password === "" && !(percentDecoded(url.username) ?? ":").includes(":");
  } catch {
    return false;
  }
}

/** The schemes that only ever name a notification channel (`--notify`): nothing after the host is shown. */
const CHANNEL_SCHEME = /^\s*(slack\+https?|ntfy\+https?|smtps?):/i;

/**
 * A notification channel's URL as it may be printed: its scheme and host (with the port), and
 * nothing else: no user, password, path, query or fragment (`slack+https://hooks.slack.com`,
 * `smtp://mail.example.com:587`). A URL that does not parse is shown by its scheme alone, or not
 * at all.
 */
export function shownChannel(url: string): string {
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  try {
    const parsed = new URL(url.trim());
    if (parsed.host !== "") return `${scheme ?? parsed.protocol.slice(0, -1)}://${parsed.host}`;
  } catch {
    // Shown by its scheme below.
  }
  return scheme && scheme.length <= 16 ? `a ${scheme} URL` : "a URL";
}

/**
 * A URL's user name or password as its owner meant it: percent-escapes decoded, or undefined when
 * a `%` starts no escape (`pa%ss`), which `decodeURIComponent` (and Node's HTTP client, which
 * calls it on a URL's credentials) throws on. Every URL the program reads credentials from
 * (`--db`, `--notify`) checks its parts with this before using them, and refuses in one line.
 */
export function percentDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** How to write what a `%` could not say, for the one-line refusal. */
export const PERCENT_ADVICE = 'a "%" must start an escape such as %40; write a % itself as %25 (and @ as %40, : as %3A, / as %2F)';

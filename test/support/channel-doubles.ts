/**
 * The notification channels' servers, real ones on 127.0.0.1, for tests to deliver to:
 *
 * - `startWebhookServer`: an HTTP server that answers the way Slack's incoming webhooks
 *   (`200 ok`; `404 no_service` for a revoked hook; `429` with `Retry-After`; `500`) and ntfy
 *   (`200` with the message as JSON) answer, one list of answers per path, consumed one per
 *   request, the last one repeated: a status code, a slow answer, a 500 then a 200, or an answer
 *   that never comes. It records every request: method, path, headers, body.
 * - `startMailServer`: an SMTP server (smtp-server, the server half of nodemailer's project) that
 *   receives the mail, optionally only after a login, and keeps each message with its text and
 *   HTML parts decoded.
 *
 * Test code only: nothing under `steps/` imports it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type Answer =
  | { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>>; readonly delayMs?: number }
  | { readonly hang: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WebhookServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** What requests to `path` are answered, in turn; the last answer repeats. */
  answer(path: string, ...answers: Answer[]): void;
  requestsTo(path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** What Slack answers a webhook that took the message; ntfy answers with JSON (`answerLikeNtfy`). */
export const SLACK_OK: Answer = { status: 200, body: "ok", headers: { "content-type": "text/plain" } };

export function ntfyOk(topic: string): Answer {
  return { status: 200, body: JSON.stringify({ id: "hGQ8xK3e2b", time: 1621288800, event: "message", topic }), headers: { "content-type": "application/json" } };
}

export async function startWebhookServer(): Promise<WebhookServer> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, Answer[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      requests.push({ method: req.method ?? "", path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const script = scripts.get(path) ?? [SLACK_OK];
      const answer = script.length > 1 ? script.shift()! : script[0]!;
      if ("hang" in answer) return; // never answers; closed with the server
      const send = () => {
        res.writeHead(answer.status, { ...(answer.headers ?? {}) });
        res.end(answer.body ?? "");
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (path, ...answers) => void scripts.set(path, [...answers]),
    requestsTo: (path) => requests.filter((r) => r.path === path),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** Who logged in, if anyone. */
  readonly user?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly raw: string;
}

export interface MailServer {
  readonly port: number;
  readonly messages: ReceivedMail[];
  /** Logins tried, with the password given: to check that a wrong one is refused. */
  readonly logins: { readonly user: string; readonly password: string; readonly accepted: boolean }[];
  close(): Promise<void>;
}

export interface MailServerOptions {
  /** Accounts that may log in; without them, anyone may send without logging in. */
  readonly users?: Readonly<Record<string, string>>;
  /** TLS from the first byte (smtps), with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** An SMTP reply to give every message instead of taking it, e.g. `{ code: 451, message: "try later" }`, consumed in turn. */
  readonly rejections?: { readonly code: number; readonly message: string }[];
}

export async function startMailServer(options: MailServerOptions = {}): Promise<MailServer> {
  const messages: ReceivedMail[] = [];
  const logins: { user: string; password: string; accepted: boolean }[] = [];
  const rejections = [...(options.rejections ?? [])];
  const server = new SMTPServer({
    logger: false,
    secure: options.tls !== undefined,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    // Plain smtp:// here has no STARTTLS: smtp-server's own certificate is one nobody trusts.
    disabledCommands: options.tls ? [] : ["STARTTLS"],
    authOptional: options.users === undefined,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const accepted = options.users !== undefined && options.users[auth.username ?? ""] === auth.password;
      logins.push({ user: auth.username ?? "", password: auth.password ?? "", accepted });
      if (!accepted) return callback(new Error("Invalid username or password"));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const rejection = rejections.shift();
        if (rejection) return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
        const raw = Buffer.concat(chunks).toString("utf8");
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        messages.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === "string" ? { user: session.user } : {}),
          ...readMime(raw),
          raw,
        });
        callback();
      });
    },
  });
  // A client that gives up mid-handshake (an untrusted certificate) is an error of that connection only.
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, messages, logins, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The subject and the text and HTML parts of a message as nodemailer writes it: a
 * multipart/alternative body whose parts are 7bit, quoted-printable or base64. Enough MIME for
 * that one shape; anything else is a test failure, not a guess.
 */
export function readMime(raw: string): { subject: string; text: string; html: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = unfold(head!);
  const body = rest.join("\r\n\r\n");
  const subject = headers.get("subject") ?? "";
  const type = headers.get("content-type") ?? "";
  const parts: { type: string; content: string }[] = [];
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary) {
    for (const section of body.split(`--${boundary}`).slice(1)) {
      if (section.startsWith("--")) break;
      const [partHead, ...partBody] = section.replace(/^\r?\n/, "").split(/\r?\n\r?\n/);
      const partHeaders = unfold(partHead!);
      parts.push({ type: partHeaders.get("content-type") ?? "", content: decode(partBody.join("\r\n\r\n").replace(/\r?\n$/, ""), partHeaders.get("content-transfer-encoding")) });
    }
  } else parts.push({ type, content: decode(body, headers.get("content-transfer-encoding")) });
  const part = (t: string) => parts.find((p) => p.type.toLowerCase().startsWith(t))?.content ?? "";
  return { subject, text: part("text/plain"), html: part("text/html") };
}

function unfold(head: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) map.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return map;
}

function decode(content: string, encoding: string | undefined): string {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "base64":
      return Buffer.from(content.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable": {
      const bytes = content.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    case "7bit":
    case "8bit":
      return content;
    default:
      throw new Error(`readMime: content-transfer-encoding ${encoding} is not one nodemailer writes here`);
  }
}

/**
 * Sending the notification as an email, through nodemailer (the Node mail library every other
 * one builds on). `smtp://` upgrades to TLS with STARTTLS when the server offers it; `smtps://`
 * speaks TLS from the first byte. Loaded only when a channel is an email, so the other channels
 * never load it.
 *
 * nodemailer is told to read no file and fetch no URL named in a message (`disableFileAccess`,
 * `disableUrlAccess`): the report's HTML goes out as it is. Its logger stays off: the SMTP
 * conversation carries the login.
 */
import { createTransport } from "nodemailer";
import type { SmtpChannel } from "./channels.ts";
import type { Attempt } from "./delivery.ts";
import type { EmailMessage } from "./formats.ts";

interface MailError extends Error {
  readonly code?: string;
  readonly originalCode?: string;
  readonly responseCode?: number;
}

/** One attempt to hand the message to the server, given up after `timeoutMs`. */
export async function sendMailOnce(channel: SmtpChannel, password: string | undefined, mail: EmailMessage, timeoutMs: number): Promise<Attempt> {
  const transport = createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.implicitTls,
    ...(channel.user !== undefined ? { auth: { user: channel.user, pass: password ?? "" } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Attempt>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: "retry", why: `no answer within ${(timeoutMs / 1000).toFixed(1)} s` }), timeoutMs);
  });
  try {
    const sent = transport.sendMail({ from: channel.from, to: [...channel.to], subject: mail.subject, text: mail.text, html: mail.html }).then(
      (): Attempt => ({ outcome: "delivered" }),
      (err: MailError) => mailAttempt(err),
    );
    return await Promise.race([sent, timedOut]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/**
 * What nodemailer's error means: an SMTP reply of 5xx (but 503) is the server refusing for good
 * (RFC 5321, 4.2.1), as are a failed login and a failed TLS handshake; a 4xx reply, a refused or
 * cut connection and a timeout are worth trying again; a host that does not resolve is a typo.
 */
export function mailAttempt(err: MailError): Attempt {
  const reply = err.responseCode;
  const what = err.message.split(/\r?\n/)[0]!.slice(0, 200);
  // A refused login is a reply too (535); it is said as what it is.
  if (err.code === "EAUTH" || err.code === "ENOAUTH") return { outcome: "refused", why: `login failed: ${what}` };
  if (reply !== undefined) {
    const permanent = reply >= 500 && reply < 600 && reply !== 503;
    return permanent ? { outcome: "refused", why: `the server refused it: ${what}` } : { outcome: "retry", why: `the server said later: ${what}` };
  }
  if (err.originalCode === "ENOTFOUND") return { outcome: "refused", why: "its host name does not resolve (ENOTFOUND); check the URL" };
  if (err.code === "ETLS" || /CERT|SELF_SIGNED|HOSTNAME/i.test(err.originalCode ?? "")) return { outcome: "refused", why: `TLS failed: ${what}` };
  if (err.code === "ECONNECTION" || err.code === "ESOCKET" || err.code === "ETIMEDOUT" || err.code === "EDNS") {
    const refused = err.originalCode === "ECONNREFUSED" ? "connection refused (is the server running?)" : what;
    return { outcome: "retry", why: refused };
  }
  return { outcome: "refused", why: what };
}

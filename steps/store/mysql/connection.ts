/**
 * `--db mysql://USER@HOST:PORT/DATABASE?OPTIONS` → where and how to connect.
 *
 * The password does not belong in the URL, where shells, process lists and Argo parameters show
 * it. It comes, in this order, from:
 * 1. the URL itself (`mysql://user:secret@host/db`): works, for a quick try, and is never printed;
 * 2. `MYSQL_PASSWORD_FILE`: the path of a file holding it, which is how a mounted Kubernetes
 *    Secret arrives (one trailing newline is ignored);
 * 3. `MYSQL_PASSWORD`: the value itself, e.g. from a Secret through `secretKeyRef`.
 * Setting both variables is refused, so it is never a guess which one was used.
 *
 * Options (query parameters, named like the `mysql` client's flags):
 * - `ssl-mode=DISABLED|REQUIRED|VERIFY_CA|VERIFY_IDENTITY`: TLS for a remote server. REQUIRED
 *   encrypts without checking the certificate; VERIFY_CA checks it against `ssl-ca`;
 *   VERIFY_IDENTITY also checks that it names the host. Giving `ssl-ca` alone means VERIFY_CA,
 *   as in the MySQL 8 client. The default is DISABLED (a ClusterIP inside the cluster).
 * - `ssl-ca=PATH`, `ssl-cert=PATH`, `ssl-key=PATH`: PEM files (a client certificate is optional);
 *   a file that is not PEM (a DER certificate, say) is refused when the URL is read.
 * - `socket=PATH`: a Unix socket instead of TCP; a path that is there and is not a socket is
 *   refused when the URL is read.
 * - `retry-deadline=SECONDS`: how long transient failures (the server restarting, a lock held by
 *   another session) are retried before the command gives up with exit status 3; default 60.
 *
 * The user name, password and database are percent-decoded, as in any URL: a `%` in a password is
 * written `%25`. One that does not start a `%XX` escape is refused naming the part, never printing
 * the password.
 */
import { X509Certificate } from "node:crypto";
import { connect, isIP, type Socket } from "node:net";
import type { PoolOptions } from "mysql2/promise";
import { UserError } from "../../domain/errors.ts";
import { FILE_LIMITS } from "../../files/bounded-read.ts";
import { PERCENT_ADVICE, percentDecoded, redact } from "../../domain/redact.ts";
import { numberValue, ValueRefused } from "../../domain/values.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../retry.ts";

export const SSL_MODES = ["DISABLED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const DEFAULT_MYSQL_PORT = 3306;

export interface TlsSettings {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Check the server's certificate against `ca` (VERIFY_CA and VERIFY_IDENTITY). */
  readonly rejectUnauthorized: boolean;
  /** Check that the certificate names the host (VERIFY_IDENTITY). */
  readonly verifyIdentity: boolean;
}

export interface MysqlTarget {
  readonly host: string;
  readonly port: number;
  readonly socketPath?: string;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  readonly sslMode: SslMode;
  readonly tls?: TlsSettings;
  readonly retry: RetryPolicy;
  /** The longest one statement waits for a lock another session holds (see `LOCK_WAIT_SECONDS`). */
  readonly lockWaitSeconds: number;
  /** For log lines and errors: `mysql://user@host:port/database`, never the password. */
  readonly description: string;
  /** Where the server is, for messages: `host:port`, `[::1]:port` or `socket PATH`. */
  readonly endpoint: string;
}

/** What reading the URL needs from outside: the environment and a way to read files. */
export interface TargetEdges {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A file's text; refuses (throws) anything but a regular file of at most `limitBytes`. */
  readonly readFile: (path: string, limitBytes: number) => string;
  /**
   * What is at `path` when it is there and is not a socket ("a directory", "a regular file"...);
   * undefined for a socket, and for a path that cannot be looked at (missing, no permission),
   * which the connection then reports, naming it.
   */
  readonly notASocket: (path: string) => string | undefined;
}

/**
 * How long one statement waits for a lock another session holds before the server ends it with
 * ER_LOCK_WAIT_TIMEOUT (1205), which `withRetry` then retries until `retry-deadline`: every
 * connection sets `lock_wait_timeout` (table and metadata locks: `LOCK TABLES`, DDL, a global
 * read lock) and `innodb_lock_wait_timeout` (row locks) to it, for every command alike.
 *
 * The servers' own defaults would wait for ever in practice: `lock_wait_timeout` is a year on
 * MySQL 8.4 and a day on MariaDB 10.11 (see docs/storage.md). stock-rsi's own transactions hold
 * their locks for milliseconds (a 5,000-symbol day takes 0.04 s, docs/benchmarks.md), so a wait of
 * seconds is another session's: a backup under `LOCK TABLES`, a transaction left open in a SQL
 * client. Ten seconds says so soon, to a reader at a terminal as to persist's log, and keeps an
 * `ALTER TABLE` waiting for a lock from holding up the Excel readers queued behind it for long;
 * outlasting a longer holder is the job of the retry loop (`retry-deadline`, 60 s) and then
 * Argo's retries of persist, not of one wait. A shorter `retry-deadline` shortens the wait too.
 */
export const LOCK_WAIT_SECONDS = 10;

const OPTIONS = ["ssl-mode", "ssl-ca", "ssl-cert", "ssl-key", "socket", "retry-deadline"] as const;
const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;
/** A host name (letters, digits, `-`, `.`, and `_` as some internal names have) or an IPv4 address; IPv6 comes in brackets. */
const HOST_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * `edges` absent: the URL's shape only (`checkDatabaseUrl`), without reading the password, the
 * TLS files or the socket's path.
 */
export function parseMysqlUrl(url: string, edges?: TargetEdges): MysqlTarget {
  const shown = redact(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    portNumber(portWritten(url), shown);
    throw new UserError(`--db: "${shown}" is not a URL; use mysql://USER@HOST:PORT/DATABASE`);
  }
  const user = percentDecodedPart(parsed.username, "user name", shown);
  if (user === "") throw new UserError(`--db: "${shown}" names no user; use mysql://USER@HOST:PORT/DATABASE (the pipeline account is stock_rsi)`);
  const bracketed = /^\[.*\]$/.test(parsed.hostname);
  const host = bracketed ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (host === "") throw new UserError(`--db: "${shown}" names no host; use mysql://USER@HOST:PORT/DATABASE`);
  // A mysql: URL's host is opaque to the URL parser, which lets a "%" or a blank through.
  if (!bracketed && !HOST_NAME.test(host)) {
    throw new UserError(`--db: the host "${host}" in "${shown}" is not a host name or an IP address; use mysql://USER@HOST:PORT/DATABASE`);
  }
  const port = parsed.port === "" ? DEFAULT_MYSQL_PORT : portNumber(parsed.port, shown);
  const database = percentDecodedPart(parsed.pathname.replace(/^\//, ""), "database name", shown);
  if (!DATABASE_NAME.test(database)) {
    throw new UserError(`--db: "${shown}" names no database (or an unusual one); use mysql://USER@HOST:PORT/DATABASE, e.g. .../stock_rsi`);
  }

  const options = new Map<string, string>();
  for (const [name, value] of parsed.searchParams) {
    if (!(OPTIONS as readonly string[]).includes(name)) {
      throw new UserError(`--db: unknown option "${name}" in "${shown}"; known options: ${OPTIONS.join(", ")}`);
    }
    options.set(name, value);
  }

  const inUrl = percentDecodedPart(parsed.password, "password", shown);
  const password = edges ? passwordFrom(inUrl, edges) : undefined;
  const sslMode = sslModeOf(options, shown);
  const tls = sslMode === "DISABLED" ? undefined : tlsSettings(sslMode, options, edges);
  const retry = retryPolicyOf(options.get("retry-deadline"), shown);
  const socketPath = options.get("socket");
  if (socketPath !== undefined && edges) checkSocketPath(socketPath, edges.notASocket);

  return {
    host,
    port,
    ...(socketPath ? { socketPath } : {}),
    user,
    ...(password !== undefined ? { password } : {}),
    database,
    sslMode,
    ...(tls ? { tls } : {}),
    retry,
    lockWaitSeconds: Math.max(1, Math.min(LOCK_WAIT_SECONDS, Math.floor(retry.deadlineMs / 1000))),
    endpoint: socketPath ? `socket ${socketPath}` : `${parsed.hostname}:${port}`,
    description: socketPath ? `mysql://${encodeURIComponent(user)}@localhost/${database}?socket=${socketPath}` : `mysql://${encodeURIComponent(user)}@${parsed.hostname}:${port}/${database}`,
  };
}

/** Refuses a `socket=` path that is there and is not a socket: no server can answer at `/dev/null`. */
export function checkSocketPath(path: string, notASocket: TargetEdges["notASocket"]): void {
  const what = notASocket(path);
  if (what) throw new UserError(`--db: socket=${path} is ${what}, not a Unix socket; give the path of the server's socket (e.g. /run/mysqld/mysqld.sock)`);
}

/**
 * The port as written, when the URL parser refused the URL (it refuses one above 65535): digits
 * after the host, before the path. Undefined when there is none to blame.
 */
function portWritten(url: string): string | undefined {
  return /^\s*[a-z][a-z0-9+.-]*:\/\/(?:[^/?#]*@)?(?:\[[^\]]*\]|[^:/?#@]*):(\d+)(?:[/?#]|$)/i.exec(url)?.[1];
}

/** A TCP port a server can listen on, 1 to 65535; 0 asks the system for any free port, which no client can connect to. */
function portNumber(written: string | undefined, shown: string): number {
  const port = Number(written);
  if (written !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new UserError(`--db: port ${written} in "${shown}" is not a TCP port; give one from 1 to 65535 (MySQL's is 3306)`);
  }
  return port;
}

/** A percent-encoded part of the URL, decoded; a `%` that does not start an escape is refused, naming the part (never its text). */
function percentDecodedPart(text: string, part: "user name" | "password" | "database name", shown: string): string {
  const decoded = percentDecoded(text);
  if (decoded === undefined) throw new UserError(`--db: the ${part} in "${shown}" is not valid percent-encoding: ${PERCENT_ADVICE}`);
  return decoded;
}

function passwordFrom(inUrl: string, edges: TargetEdges): string | undefined {
  if (inUrl !== "") return inUrl;
  const file = edges.env.MYSQL_PASSWORD_FILE;
  const value = edges.env.MYSQL_PASSWORD;
  if (file && value) {
    throw new UserError("both MYSQL_PASSWORD and MYSQL_PASSWORD_FILE are set; set only one (the file is how a Kubernetes Secret is mounted)");
  }
  if (file) {
    let text: string;
    try {
      text = edges.readFile(file, FILE_LIMITS.password);
    } catch (err) {
      throw new UserError(`MYSQL_PASSWORD_FILE=${file}: cannot read the password file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return text.replace(/\r?\n$/, "");
  }
  return value ? value : undefined;
}

function sslModeOf(options: ReadonlyMap<string, string>, shown: string): SslMode {
  const given = options.get("ssl-mode");
  if (given === undefined) return options.has("ssl-ca") ? "VERIFY_CA" : "DISABLED";
  const mode = given.toUpperCase();
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new UserError(`--db: ssl-mode "${given}" in "${shown}" is not one of ${SSL_MODES.join(", ")}`);
  }
  if ((mode === "VERIFY_CA" || mode === "VERIFY_IDENTITY") && !options.has("ssl-ca")) {
    throw new UserError(`--db: ssl-mode=${mode} needs ssl-ca=PATH, the CA certificate that signed the server's`);
  }
  return mode as SslMode;
}

function tlsSettings(mode: SslMode, options: ReadonlyMap<string, string>, edges: TargetEdges | undefined): TlsSettings {
  const pem = (name: "ssl-ca" | "ssl-cert" | "ssl-key"): string | undefined => {
    const path = options.get(name);
    if (path === undefined || !edges) return undefined;
    let text: string;
    try {
      text = edges.readFile(path, FILE_LIMITS.pem);
    } catch (err) {
      throw new UserError(`--db: ${name}=${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (name === "ssl-key") checkPemKey(text, path);
    else checkPemCertificates(text, name, path);
    return text;
  };
  const ca = pem("ssl-ca");
  const cert = pem("ssl-cert");
  const key = pem("ssl-key");
  if (options.has("ssl-cert") !== options.has("ssl-key")) throw new UserError("--db: ssl-cert and ssl-key go together; give both or neither");
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    rejectUnauthorized: mode === "VERIFY_CA" || mode === "VERIFY_IDENTITY",
    verifyIdentity: mode === "VERIFY_IDENTITY",
  };
}

/** `retry-deadline=SECONDS`, a number in the grammar of every flag: up to an hour, a fraction allowed. */
const retryDeadlineValue = numberValue({ min: 0, max: 3600, fraction: true, what: "seconds" });

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * A CA bundle or client certificate must be PEM, one or more certificates that parse. Node's TLS
 * reads a DER file, or anything else, as no certificate at all, and the connection would then fail
 * with "self-signed certificate in certificate chain", far from the real cause.
 */
function checkPemCertificates(text: string, name: "ssl-ca" | "ssl-cert", path: string): void {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new UserError(
      `--db: ${name}=${path} is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----" line); convert a DER file with: openssl x509 -inform der -in ${path} -out ${path}.pem`,
    );
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new UserError(`--db: ${name}=${path}: certificate ${i + 1} in the file cannot be read (${(err as Error).message})`);
    }
  });
}

function checkPemKey(text: string, path: string): void {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new UserError(
      `--db: ssl-key=${path} is not a PEM private key file (no "-----BEGIN ... PRIVATE KEY-----" line); convert a DER file with: openssl pkey -inform der -in ${path} -out ${path}.pem`,
    );
  }
}

function retryPolicyOf(given: string | undefined, shown: string): RetryPolicy {
  if (given === undefined) return DEFAULT_RETRY_POLICY;
  try {
    return { ...DEFAULT_RETRY_POLICY, deadlineMs: retryDeadlineValue(given) * 1000 };
  } catch (err) {
    if (!(err instanceof ValueRefused)) throw err;
    throw new UserError(`--db: retry-deadline in "${shown}" is not a number of seconds between 0 and 3600: ${err.message}`);
  }
}

/**
 * How mysql2 reaches the target: where, as whom, and with which TLS settings. The pool's own
 * settings (its size, how values are read) stay with the store.
 */
export function connectionOptions(target: MysqlTarget): PoolOptions {
  return {
    host: target.host,
    port: target.port,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
    user: target.user,
    ...(target.password !== undefined ? { password: target.password } : {}),
    database: target.database,
    ...(target.tls ? { ssl: { ...target.tls } } : {}),
    ...(target.tls?.verifyIdentity && !target.socketPath && isIP(target.host) ? { stream: () => socketVerifiedAs(target.host, target.port) } : {}),
    connectTimeout: 10_000,
  };
}

/**
 * What every connection sets before its first statement, whatever the command: the lock-wait
 * bound (`LOCK_WAIT_SECONDS`) for table and metadata locks and for InnoDB's row locks.
 */
export function sessionSettings(target: Pick<MysqlTarget, "lockWaitSeconds">): string {
  const seconds = Math.trunc(target.lockWaitSeconds);
  return `SET SESSION lock_wait_timeout = ${seconds}, innodb_lock_wait_timeout = ${seconds}`;
}

/**
 * The TCP connection to a server named by its IP address whose certificate must name that address
 * (VERIFY_IDENTITY): an IP address SAN, as `openssl x509 -extfile` writes `subjectAltName=IP:...`.
 *
 * Node checks a server's certificate against, in this order, the `servername` it was given (which
 * it also sends as SNI), the `host`, the socket's `_host` (the name `net.connect` looked up), or
 * else "localhost" (`getSessionServerIdentity` in lib/internal/tls/wrap.js, Node v22 and v24).
 * mysql2 (3.24) passes no servername for an IP address, rightly (RFC 6066 allows no IP address in
 * SNI, and Node warns), and no host; and `net.connect` sets no `_host` when it looks nothing up.
 * So the certificate was checked against "localhost": a correct one was refused ("Host:
 * localhost. is not cert's CN: 127.0.0.1"), and one naming localhost accepted from any address.
 * This socket carries the address as its `_host`, and
 * Node checks it against the certificate's IP addresses. Should a Node release stop reading
 * `_host`, the check falls back to "localhost" and refuses: it fails closed, never open, and the
 * TLS test against MariaDB says so.
 */
function socketVerifiedAs(host: string, port: number): Socket {
  const socket = connect({ host, port, noDelay: true, keepAlive: true });
  (socket as Socket & { _host: string | null })._host = host;
  return socket;
}

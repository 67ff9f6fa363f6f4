/**
 * What a MySQL error means for the user: whether waiting and trying again can help (the server is
 * restarting, a connection was cut, a lock timed out), and one line saying what went wrong and
 * what to do. Codes are the ones MySQL 8.4 and MariaDB 10.11 send (plus MariaDB's own 1927), and
 * the ones Node and mysql2 use for a broken socket.
 *
 * Three kinds, and what each becomes:
 * - **transient** (the lists below): retried in the step until the retry deadline, then exit 3,
 *   which Argo retries too;
 * - **refused**: anything else the server or the connection said. A wrong password (1045), a
 *   missing privilege (1142), an unknown database (1049), a value too long for its column (1406),
 *   a certificate that does not verify, a host name that does not resolve: the same attempt would
 *   get the same answer, so it fails at once, exit 4, and nobody retries it;
 * - anything that is not from MySQL or the socket is a bug, and stays one.
 */
import type { MysqlTarget } from "./connection.ts";

interface MysqlishError {
  readonly code?: string;
  readonly errno?: number;
  readonly message?: string;
  readonly sqlMessage?: string;
}

/** Socket-level failures: nothing reached the server, or the connection broke. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
]);
// Not ENOTFOUND: a host name that does not resolve is a typo in the URL far more often than a
// DNS server restarting (which answers EAI_AGAIN).

/** Server errors that a later attempt can get past. */
const TRANSIENT_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN: the server is shutting down
  1152, // ER_ABORTING_CONNECTION: the connection was aborted
  1158, // ER_NET_READ_ERROR
  1159, // ER_NET_READ_INTERRUPTED
  1160, // ER_NET_ERROR_ON_WRITE
  1161, // ER_NET_WRITE_INTERRUPTED
  1203, // ER_TOO_MANY_USER_CONNECTIONS: the account's connection limit, for now
  1205, // ER_LOCK_WAIT_TIMEOUT
  1213, // ER_LOCK_DEADLOCK: the transaction was rolled back; run it again
  1317, // ER_QUERY_INTERRUPTED: the statement was killed
  1927, // MariaDB ER_CONNECTION_KILLED
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST: lost connection during a query
  4031, // ER_CLIENT_INTERACTION_TIMEOUT: the server closed an idle connection
]);

export function isTransientMysqlError(err: unknown): boolean {
  const e = err as MysqlishError | null;
  if (!e || typeof e !== "object") return false;
  return (e.code !== undefined && TRANSIENT_CODES.has(e.code)) || (e.errno !== undefined && TRANSIENT_ERRNOS.has(e.errno));
}

/** What to do with an error: wait and retry it, fail at once (the user must fix something), or treat it as a bug. */
export function classifyMysqlError(err: unknown): "transient" | "refused" | "bug" {
  if (isTransientMysqlError(err)) return "transient";
  return isMysqlError(err) ? "refused" : "bug";
}

/** True for an error the server or the socket raised, as opposed to a bug in our code. */
export function isMysqlError(err: unknown): boolean {
  const e = err as MysqlishError | null;
  if (!e || typeof e !== "object") return false;
  return typeof e.errno === "number" || (typeof e.code === "string" && /^(E[A-Z]+|PROTOCOL_|ER_|HANDSHAKE_)/.test(e.code)) || /certificate|SSL|TLS/i.test(e.message ?? "");
}

/** One line for the user: what failed and, where we know, what to do. */
export function describeMysqlError(err: unknown, target: Pick<MysqlTarget, "user" | "host" | "socketPath" | "endpoint" | "lockWaitSeconds">): string {
  const e = (err ?? {}) as MysqlishError;
  const text = (e.sqlMessage ?? e.message ?? String(err)).replace(/\s+/g, " ").trim();
  switch (e.errno) {
    case 1045:
      return `access denied for user ${target.user} (${text}); check MYSQL_PASSWORD or MYSQL_PASSWORD_FILE and that the account exists (docs/storage.md, "Storing in MySQL")`;
    case 1044:
    case 1049:
      return `${text}; create the database and grant the pipeline account on it (docs/storage.md, "Storing in MySQL")`;
    case 1142:
    case 1143:
    case 1227:
      return `${text}; the account ${target.user} lacks a privilege stock-rsi needs (docs/storage.md, "Accounts and grants", lists them)`;
    case 1406:
      return `${text}; a column is narrower than stock-rsi's schema made it (check the table's definition)`;
    case 1205:
      // The server's text ("Lock wait timeout exceeded; try restarting transaction") says neither whose lock nor what to do.
      return `a table or row it needs is locked by another session (waited ${target.lockWaitSeconds} s; SHOW PROCESSLIST on the server shows who holds it)`;
  }
  // Over a socket, Node's own text names the path; over TCP, the host and port.
  const socket = target.socketPath;
  switch (e.code) {
    case "ECONNREFUSED":
      return socket ? `connection refused on socket ${socket} (is the server running?)` : `connection refused by ${target.endpoint} (is the server running?)`;
    case "ENOENT":
      if (socket) return `no socket at ${socket} (is the server running, and is this its socket?)`;
      break;
    case "EACCES":
      if (socket) return `permission denied on socket ${socket}`;
      break;
    case "ENOTFOUND":
      return `host ${target.host} not found`;
    case "ETIMEDOUT":
      return `no answer from ${target.endpoint} (timed out)`;
    case "PROTOCOL_CONNECTION_LOST":
      return "the server closed the connection";
  }
  return e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}

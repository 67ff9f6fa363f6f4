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
 * - `ssl-ca=PATH`, `ssl-cert=PATH`, `ssl-key=PATH`: PEM files (a client certificate is optional).
 * - `socket=PATH`: a Unix socket instead of TCP.
 * - `retry-deadline=SECONDS`: how long transient failures (the server restarting) are retried
 *   before the command gives up with exit status 3; default 60.
 */
import { UserError } from "../../domain/errors.ts";
import { FILE_LIMITS } from "../../files/bounded-read.ts";
import { redact } from "../../domain/redact.ts";
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
  /** For log lines and errors: `mysql://user@host:port/database`, never the password. */
  readonly description: string;
}

/** What reading the URL needs from outside: the environment and a way to read files. */
export interface TargetEdges {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A file's text; refuses (throws) anything but a regular file of at most `limitBytes`. */
  readonly readFile: (path: string, limitBytes: number) => string;
}

const OPTIONS = ["ssl-mode", "ssl-ca", "ssl-cert", "ssl-key", "socket", "retry-deadline"] as const;
const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

export function parseMysqlUrl(url: string, edges: TargetEdges): MysqlTarget {
  const shown = redact(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--db: "${shown}" is not a URL; use mysql://USER@HOST:PORT/DATABASE`);
  }
  const user = decodeURIComponent(parsed.username);
  if (user === "") throw new UserError(`--db: "${shown}" names no user; use mysql://USER@HOST:PORT/DATABASE (the pipeline account is stock_rsi)`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new UserError(`--db: "${shown}" names no host; use mysql://USER@HOST:PORT/DATABASE`);
  const port = parsed.port === "" ? DEFAULT_MYSQL_PORT : Number(parsed.port);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
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

  const password = passwordFrom(decodeURIComponent(parsed.password), edges);
  const sslMode = sslModeOf(options, shown);
  const tls = sslMode === "DISABLED" ? undefined : tlsSettings(sslMode, options, edges);
  const retry = retryPolicyOf(options.get("retry-deadline"), shown);
  const socketPath = options.get("socket");

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
    description: socketPath ? `mysql://${encodeURIComponent(user)}@localhost/${database}?socket=${socketPath}` : `mysql://${encodeURIComponent(user)}@${parsed.hostname}:${port}/${database}`,
  };
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

function tlsSettings(mode: SslMode, options: ReadonlyMap<string, string>, edges: TargetEdges): TlsSettings {
  const pem = (name: "ssl-ca" | "ssl-cert" | "ssl-key"): string | undefined => {
    const path = options.get(name);
    if (path === undefined) return undefined;
    try {
      return edges.readFile(path, FILE_LIMITS.pem);
    } catch (err) {
      throw new UserError(`--db: ${name}=${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  const ca = pem("ssl-ca");
  const cert = pem("ssl-cert");
  const key = pem("ssl-key");
  if ((cert === undefined) !== (key === undefined)) throw new UserError("--db: ssl-cert and ssl-key go together; give both or neither");
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

function retryPolicyOf(given: string | undefined, shown: string): RetryPolicy {
  if (given === undefined) return DEFAULT_RETRY_POLICY;
  try {
    return { ...DEFAULT_RETRY_POLICY, deadlineMs: retryDeadlineValue(given) * 1000 };
  } catch (err) {
    if (!(err instanceof ValueRefused)) throw err;
    throw new UserError(`--db: retry-deadline in "${shown}" is not a number of seconds between 0 and 3600: ${err.message}`);
  }
}

/**
 * A throwaway MariaDB server for tests and benchmarks: Debian's `mariadbd`, a fresh data
 * directory made by `mariadb-install-db` in a temp dir, a random TCP port on 127.0.0.1 and a
 * Unix socket in the same temp dir. Starting one takes well under a second; each test file that
 * needs one starts its own in `beforeAll` and destroys it in `afterAll`.
 *
 * Accounts, as on the cluster (`steps/store/mysql/grants.ts`): root only over the socket, for
 * the test's own setup and inspection; the pipeline account `stock_rsi` and the read-only
 * `stock_rsi_reader`, with passwords, over TCP. Each `createDatabase()` makes a fresh database
 * and grants both accounts exactly `grantStatements()` on it, so every test proves those grants
 * are enough.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { DEFAULT_MYSQL_ACCOUNTS, grantStatements } from "../../steps/store/mysql/grants.ts";

export interface MariaDbOptions {
  /** Serve TLS with a throwaway CA (`server.tls.ca` is its certificate file). */
  readonly tls?: boolean;
  /**
   * Production-like durability (flush the redo log at every commit, doublewrite on) and a
   * bigger buffer pool, for benchmarks. Tests trade durability for speed.
   */
  readonly durable?: boolean;
  /**
   * Create the pipeline and reader accounts at start (default). Off for a test of the MySQL init
   * script, which creates them itself.
   */
  readonly accounts?: boolean;
}

export interface TestDatabase {
  readonly name: string;
  /** `mysql://stock_rsi@127.0.0.1:PORT/NAME`: no password in it; pass `env`. */
  readonly url: string;
  /** `{ MYSQL_PASSWORD }` for the pipeline account. */
  readonly env: Record<string, string>;
  readonly readerUrl: string;
  readonly readerEnv: Record<string, string>;
}

export interface MariaDbServer {
  readonly port: number;
  readonly socket: string;
  readonly dataDir: string;
  readonly version: string;
  readonly tls?: { readonly ca: string; readonly otherCa: string };
  readonly pipelinePassword: string;
  /** root over the socket, one connection for the whole file (recreated after a restart). */
  admin(): Promise<Connection>;
  query<T extends RowDataPacket[]>(sql: string, params?: unknown[]): Promise<T>;
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Stops the server (a clean shutdown) and keeps its data directory. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL, as a node failure would: no shutdown, no flush; keeps its data directory. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const SEARCH_PATH = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin", "/usr/libexec"];

function findProgram(name: string): string {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...SEARCH_PATH]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `${name} not found: install Debian's mariadb-server (apt-get install mariadb-server); the *.mariadb.test.ts tests and npm run bench:persist start a throwaway server from it`,
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbServer> {
  const mariadbd = findProgram("mariadbd");
  const installDb = findProgram("mariadb-install-db");
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-mariadb-"));
  const dataDir = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const errorLog = join(dir, "error.log");
  // mariadbd refuses to run as root unless told to; as anyone else it runs as that user.
  const asUser = process.getuid?.() === 0 ? [`--user=${userInfo().username}`] : [];
  // Its own temp dir: a starting mariadbd deletes the `#sql*` files it finds in its tmpdir, which
  // would include those of another test file's server starting at the same moment.
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  const sizing = options.durable
    ? ["--innodb-buffer-pool-size=256M", "--innodb-log-file-size=96M"]
    : ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M"];

  const install = spawnSync(
    installDb,
    ["--no-defaults", `--datadir=${dataDir}`, ...asUser, "--auth-root-authentication-method=normal", "--skip-test-db", `--tmpdir=${tmp}`, ...sizing],
    { encoding: "utf8" },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${install.status}): ${install.stderr || install.stdout}`);
  }

  const tls = options.tls ? makeCertificates(join(dir, "tls")) : undefined;
  const pipelinePassword = `p-${randomBytes(9).toString("base64url")}`;
  const readerPassword = `r-${randomBytes(9).toString("base64url")}`;
  let port = await freePort();
  let child: ChildProcess | undefined;
  let admin: Connection | undefined;
  let version = "";

  const killOnExit = () => child?.kill("SIGKILL");
  process.on("exit", killOnExit);

  async function launch(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const args = [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--tmpdir=${tmp}`,
        `--socket=${socket}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        `--pid-file=${join(dir, "mariadbd.pid")}`,
        `--log-error=${errorLog}`,
        ...asUser,
        "--skip-log-bin",
        "--performance-schema=OFF",
        "--max-connections=100",
        ...sizing,
        ...(options.durable ? [] : ["--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0", "--sync-frm=0"]),
        ...(tls ? [`--ssl-ca=${tls.ca}`, `--ssl-cert=${tls.cert}`, `--ssl-key=${tls.key}`] : []),
      ];
      const proc = spawn(mariadbd, args, { stdio: "ignore" });
      child = proc;
      const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
      const ready = await waitUntilReady(socket, exited, 30_000);
      if (ready === "ready") return;
      const log = existsSync(errorLog) ? readFileSync(errorLog, "utf8") : "";
      if (attempt < 3 && /Address already in use|Bind on TCP\/IP port/.test(log)) {
        port = await freePort();
        continue;
      }
      proc.kill("SIGKILL");
      throw new Error(`mariadbd did not start (${ready}); the end of its log:\n${log.split("\n").slice(-15).join("\n")}`);
    }
  }

  async function connectAdmin(): Promise<Connection> {
    admin ??= await mysql.createConnection({ socketPath: socket, user: "root", multipleStatements: true, dateStrings: true });
    return admin;
  }

  await launch();
  const root = await connectAdmin();
  const [versionRows] = await root.query<RowDataPacket[]>("SELECT VERSION() AS v");
  version = String(versionRows[0]!.v);
  const accounts = DEFAULT_MYSQL_ACCOUNTS;
  if (options.accounts !== false) {
    await root.query(
      `CREATE USER '${accounts.pipelineUser}'@'%' IDENTIFIED BY '${pipelinePassword}';` +
        `CREATE USER '${accounts.readerUser}'@'%' IDENTIFIED BY '${readerPassword}';`,
    );
  }

  let databases = 0;
  const server: MariaDbServer = {
    get port() {
      return port;
    },
    socket,
    dataDir,
    get version() {
      return version;
    },
    ...(tls ? { tls: { ca: tls.ca, otherCa: tls.otherCa } } : {}),
    pipelinePassword,
    admin: connectAdmin,
    async query<T extends RowDataPacket[]>(sql: string, params: unknown[] = []) {
      const [rows] = await (await connectAdmin()).query<T>(sql, params);
      return rows;
    },
    async createDatabase(prefix = "t") {
      const name = `${prefix}_${++databases}_${randomBytes(3).toString("hex")}`;
      const conn = await connectAdmin();
      await conn.query(`CREATE DATABASE \`${name}\``);
      for (const statement of grantStatements({ ...accounts, database: name })) await conn.query(statement);
      return {
        name,
        url: `mysql://${accounts.pipelineUser}@127.0.0.1:${port}/${name}`,
        env: { MYSQL_PASSWORD: pipelinePassword },
        readerUrl: `mysql://${accounts.readerUser}@127.0.0.1:${port}/${name}`,
        readerEnv: { MYSQL_PASSWORD: readerPassword },
      };
    },
    async stop() {
      await admin?.end().catch(() => {});
      admin = undefined;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGTERM");
      await exited;
    },
    async crash() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGKILL");
      await exited;
      admin?.destroy();
      admin = undefined;
    },
    async start() {
      await launch();
    },
    async destroy() {
      await server.stop();
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

async function waitUntilReady(socket: string, exited: Promise<number | null>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  while (Date.now() < deadline) {
    if (gone !== undefined) return `it exited with status ${gone}`;
    if (existsSync(socket)) {
      try {
        const conn = await mysql.createConnection({ socketPath: socket, user: "root" });
        await conn.end();
        return "ready";
      } catch {
        // not accepting yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `not ready after ${timeoutMs / 1000} s`;
}

/**
 * A CA, a server certificate it signed for the IP address 127.0.0.1 and the name localhost (its
 * subjectAltName: what VERIFY_IDENTITY checks), and an unrelated second CA.
 */
function makeCertificates(dir: string): { ca: string; cert: string; key: string; otherCa: string } {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  const ca = (name: string) =>
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.pem`);
  ca("test-ca");
  ca("other-ca");
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509", "-req", "-in", "server.csr", "-CA", "test-ca.pem", "-CAkey", "test-ca.key", "-CAcreateserial", "-days", "2",
    "-out", "server.pem", "-extfile", "san.ext",
  );
  return { ca: join(dir, "test-ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key"), otherCa: join(dir, "other-ca.pem") };
}

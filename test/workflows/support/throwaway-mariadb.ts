/**
 * A throwaway MariaDB server (Debian's mariadb-server) for tests: a temporary data directory, a
 * random TCP port on 127.0.0.1, a socket for root (no password), removed by `stop()`.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ThrowawayMariadb {
  readonly port: number;
  readonly socket: string;
  /** Runs SQL as root over the socket; returns the tab-separated result. */
  root(sql: string): string;
  /** Runs SQL as `user` over TCP; the password travels in MYSQL_PWD, never in argv. */
  as(user: string, password: string, sql: string): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export async function startMariadb(): Promise<ThrowawayMariadb> {
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-mariadb-"));
  const datadir = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  execFileSync("mariadb-install-db", ["--no-defaults", `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db", ...asRoot], {
    stdio: "ignore",
  });
  const port = await freePort();
  const server = spawn(
    "mariadbd",
    ["--no-defaults", `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1", `--pid-file=${join(dir, "pid")}`, ...asRoot],
    { stdio: "ignore" },
  );
  const client = (args: string[], sql: string, env: Record<string, string> = {}) => {
    try {
      const stdout = execFileSync("mariadb", ["--no-defaults", "--batch", "--skip-column-names", ...args, "-e", sql], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }).toString();
      return { code: 0, stdout, stderr: "" };
    } catch (err) {
      const e = err as { status: number; stdout: Buffer; stderr: Buffer };
      return { code: e.status, stdout: e.stdout.toString(), stderr: e.stderr.toString() };
    }
  };
  const root = (sql: string) => {
    const r = client([`--socket=${socket}`, "-uroot"], sql);
    if (r.code !== 0) throw new Error(`mariadb: ${r.stderr}`);
    return r.stdout;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (client([`--socket=${socket}`, "-uroot"], "SELECT 1").code === 0) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("mariadbd did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    socket,
    root,
    as: (user, password, sql) => client(["--protocol=TCP", "-h127.0.0.1", `-P${port}`, `-u${user}`], sql, { MYSQL_PWD: password }),
    stop: async () => {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

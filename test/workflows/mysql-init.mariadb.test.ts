/**
 * The MySQL init script in dist/ (ConfigMap mysql-init), sourced the way the mysql image's
 * entrypoint sources it, against a real server: it creates the database and the two accounts
 * with exactly their privileges, with passwords that would break naive quoting.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifests } from "../synth/support/manifests.ts";
import { tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer } from "../support/mariadb.ts";

const PIPELINE_PASSWORD = `it's a \\"pass\`word\` $HOME; DROP DATABASE x; --`;
const READER_PASSWORD = "reader\\'s\npassword";

let server: MariaDbServer;
let dir: { path: string; cleanup: () => void };

/** The `mariadb` command-line client, as the init script itself uses it. */
function client(args: string[], sql: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
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
}

const db = {
  /** SQL as root over the socket. */
  root(sql: string): string {
    const r = client([`--socket=${server.socket}`, "-uroot"], sql);
    if (r.code !== 0) throw new Error(`mariadb: ${r.stderr}`);
    return r.stdout;
  },
  /** SQL as `user` over TCP; the password travels in MYSQL_PWD, never in argv. */
  as(user: string, password: string, sql: string) {
    return client(["--protocol=TCP", "-h127.0.0.1", `-P${server.port}`, `-u${user}`], sql, { MYSQL_PWD: password });
  },
};

beforeAll(async () => {
  server = await startMariaDb({ accounts: false });
  dir = tempDir("stock-rsi-init-");
  const configMap = loadManifests().find((m) => m.object.kind === "ConfigMap" && m.object.metadata.name === "mysql-init")!.object;
  const [[name, script]] = Object.entries(configMap.data as Record<string, string>) as [[string, string]];
  expect(name).toMatch(/\.sh$/);
  const scriptFile = join(dir.path, name);
  writeFileSync(scriptFile, script);
  // The entrypoint's docker_process_sql runs SQL as root over the socket; so does this stand-in.
  execFileSync("bash", ["-ec", `docker_process_sql() { mariadb --no-defaults -uroot --socket="$SOCKET" "$@"; }; . "$1"`, "init", scriptFile], {
    env: { PATH: process.env.PATH, SOCKET: server.socket, STOCK_RSI_PIPELINE_PASSWORD: PIPELINE_PASSWORD, STOCK_RSI_READER_PASSWORD: READER_PASSWORD },
    stdio: ["ignore", "inherit", "inherit"],
  });
}, 60_000);

afterAll(async () => {
  await server?.destroy();
  dir?.cleanup();
});

describe("the MySQL init script", () => {
  it("creates the stock_rsi database", () => {
    expect(db.root("SHOW DATABASES LIKE 'stock_rsi'").trim()).toBe("stock_rsi");
  });

  it("lets the pipeline account in with its password, to read, write and create tables but not delete", () => {
    const create = db.as("stock_rsi", PIPELINE_PASSWORD, "CREATE TABLE stock_rsi.t (d DATE PRIMARY KEY, v DOUBLE); INSERT INTO stock_rsi.t VALUES ('2021-05-17', 1.5); UPDATE stock_rsi.t SET v = 2; SELECT v FROM stock_rsi.t");
    expect(create).toMatchObject({ code: 0, stdout: "2\n" });
    expect(db.as("stock_rsi", PIPELINE_PASSWORD, "DELETE FROM stock_rsi.t").stderr).toMatch(/DELETE command denied/);
    expect(db.as("stock_rsi", PIPELINE_PASSWORD, "DROP TABLE stock_rsi.t").stderr).toMatch(/DROP command denied/);
    expect(db.as("stock_rsi", PIPELINE_PASSWORD, "SELECT user FROM mysql.user").stderr).toMatch(/denied/);
  });

  it("lets the reader account only read", () => {
    expect(db.as("stock_rsi_reader", READER_PASSWORD, "SELECT COUNT(*) FROM stock_rsi.t")).toMatchObject({ code: 0, stdout: "1\n" });
    expect(db.as("stock_rsi_reader", READER_PASSWORD, "INSERT INTO stock_rsi.t VALUES ('2021-05-18', 3)").stderr).toMatch(/INSERT command denied/);
  });

  it("refuses a wrong password", () => {
    expect(db.as("stock_rsi", "wrong", "SELECT 1").stderr).toMatch(/Access denied/);
  });
});

/**
 * The password reset script in dist/ (ConfigMap mysql-password-reset), run the way
 * docs/deploying.md runs it in MySQL's pod, against a real server whose accounts were made by the
 * init script with the passwords of an earlier Secret: the state after the namespace (and with it
 * the Secret) was deleted and the Secret made anew, when persist exits 4.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifests } from "../synth/support/manifests.ts";
import { tempDir } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer } from "../support/mariadb.ts";

/** The Secret of the first start; the data directory keeps these. */
const OLD = { root: "old-root-0a1b", pipeline: "old-pipeline-2c3d", reader: "old-reader-4e5f" };
/** The Secret made anew; passwords that would break naive quoting. */
const NEW = { root: `new root's \\"pw\` $HOME`, pipeline: "new-pipeline'; DROP DATABASE stock_rsi; --", reader: "new\\reader\npw" };

let server: MariaDbServer;
let dir: { path: string; cleanup: () => void };
let resetScript: string;

function configMapScript(name: string): [string, string] {
  const configMap = loadManifests().find((m) => m.object.kind === "ConfigMap" && m.object.metadata.name === name)!.object;
  return Object.entries(configMap.data as Record<string, string>)[0] as [string, string];
}

/** The `mariadb` client over TCP as `user`; the password travels in MYSQL_PWD, never in argv. */
function loginAs(user: string, password: string, sql = "SELECT CURRENT_USER()"): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("mariadb", ["--no-defaults", "--batch", "--skip-column-names", "--protocol=TCP", "-h127.0.0.1", `-P${server.port}`, `-u${user}`, "-e", sql], {
    env: { ...process.env, MYSQL_PWD: password },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** root over the socket, as the pod's `mysql` client would log in. */
function rootSql(password: string, sql: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("mariadb", ["--no-defaults", "--batch", "--skip-column-names", `--socket=${server.socket}`, "-uroot", "-e", sql], {
    env: { ...process.env, MYSQL_PWD: password },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The reset script as `kubectl exec -i deploy/mysql -- bash /opt/stock-rsi/reset-passwords.sh`: the pod's environment, `stdin` typed in. */
function runReset(secret: typeof NEW, stdin: string) {
  const r = spawnSync("bash", [resetScript], {
    env: {
      PATH: process.env.PATH,
      // Not this machine's ~/.bashrc: bash reads it when its stdin is a socket, as Node's pipes are.
      HOME: dir.path,
      MYSQL_SOCKET: server.socket,
      MYSQL_ROOT_PASSWORD: secret.root,
      STOCK_RSI_PIPELINE_PASSWORD: secret.pipeline,
      STOCK_RSI_READER_PASSWORD: secret.reader,
    },
    input: stdin,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  server = await startMariaDb({ accounts: false });
  dir = tempDir("stock-rsi-reset-");
  // The first start: the entrypoint sets root's password, the init script makes the accounts.
  const [initName, init] = configMapScript("mysql-init");
  const initFile = join(dir.path, initName);
  writeFileSync(initFile, init);
  const initRun = spawnSync("bash", ["-ec", `docker_process_sql() { mariadb --no-defaults -uroot --socket="$SOCKET" "$@"; }; . "$1"`, "init", initFile], {
    env: { PATH: process.env.PATH, HOME: dir.path, SOCKET: server.socket, STOCK_RSI_PIPELINE_PASSWORD: OLD.pipeline, STOCK_RSI_READER_PASSWORD: OLD.reader },
    encoding: "utf8",
  });
  expect(initRun.stderr).toBe("");
  expect(rootSql("", `CREATE TABLE stock_rsi.rsi_values (d DATE PRIMARY KEY); INSERT INTO stock_rsi.rsi_values VALUES ('2021-05-17'); ALTER USER 'root'@'localhost' IDENTIFIED BY '${OLD.root}'`).code).toBe(0);
  const [resetName, reset] = configMapScript("mysql-password-reset");
  resetScript = join(dir.path, resetName);
  writeFileSync(resetScript, reset);
}, 60_000);

afterAll(async () => {
  await server?.destroy();
  dir?.cleanup();
});

describe("the MySQL password reset script", () => {
  it("is needed: with a Secret made anew, the pipeline account is refused", () => {
    expect(loginAs("stock_rsi", NEW.pipeline).stderr).toMatch(/Access denied for user 'stock_rsi'/);
    expect(loginAs("stock_rsi", OLD.pipeline)).toMatchObject({ code: 0, stdout: "stock_rsi@%\n" });
  });

  it("changes nothing when the root password typed in is wrong, and says why", () => {
    const run = runReset(NEW, "not-the-root-password\n");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Access denied for user 'root'@'localhost'/);
    expect(run.stdout + run.stderr).not.toContain(NEW.pipeline);
    expect(loginAs("stock_rsi", OLD.pipeline).code).toBe(0);
    expect(rootSql(OLD.root, "SELECT 1").code).toBe(0);
  });

  it("with the root password MySQL has now, gives root and both accounts the new Secret's passwords, keeping data and grants", () => {
    const run = runReset(NEW, `${OLD.root}\n`);
    expect(run).toMatchObject({ code: 0, stdout: "" });
    expect(run.stderr).toBe("stock-rsi: root@localhost, stock_rsi and stock_rsi_reader now have the passwords of the Secret mysql-credentials\n");
    expect(loginAs("stock_rsi", OLD.pipeline).stderr).toMatch(/Access denied/);
    expect(loginAs("stock_rsi", NEW.pipeline, "INSERT INTO stock_rsi.rsi_values VALUES ('2021-05-18'); SELECT COUNT(*) FROM stock_rsi.rsi_values")).toMatchObject({ code: 0, stdout: "2\n" });
    expect(loginAs("stock_rsi", NEW.pipeline, "DELETE FROM stock_rsi.rsi_values").stderr).toMatch(/DELETE command denied/);
    expect(loginAs("stock_rsi_reader", NEW.reader, "SELECT COUNT(*) FROM stock_rsi.rsi_values")).toMatchObject({ code: 0, stdout: "2\n" });
    expect(rootSql(NEW.root, "SELECT 1")).toMatchObject({ code: 0, stdout: "1\n" });
    expect(rootSql(OLD.root, "SELECT 1").code).not.toBe(0);
  });

  it("run again with the same Secret, needs no password and changes nothing", () => {
    const run = runReset(NEW, "");
    expect(run.code).toBe(0);
    expect(loginAs("stock_rsi", NEW.pipeline).code).toBe(0);
    expect(rootSql(NEW.root, "SELECT 1").code).toBe(0);
  });

  it("when nobody knows the root password, works on a server started with --skip-grant-tables", async () => {
    const lost = { root: "lost-root-9z", pipeline: "lost-pipeline-8y", reader: "lost-reader-7x" };
    // Every password of the data directory is now unknown to the Secret.
    expect(runReset(lost, "a-guess\n").code).not.toBe(0);
    await server.stop();
    await server.start(["--skip-grant-tables"]);
    try {
      const run = runReset(lost, "");
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await server.stop();
      await server.start();
    }
    expect(loginAs("stock_rsi", lost.pipeline, "SELECT COUNT(*) FROM stock_rsi.rsi_values")).toMatchObject({ code: 0, stdout: "2\n" });
    expect(loginAs("stock_rsi_reader", lost.reader).code).toBe(0);
    expect(rootSql(lost.root, "SELECT 1").code).toBe(0);
    expect(loginAs("stock_rsi", NEW.pipeline).stderr).toMatch(/Access denied/);
  }, 60_000);
});

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
import { startMariadb, type ThrowawayMariadb } from "./support/throwaway-mariadb.ts";

const PIPELINE_PASSWORD = `it's a \\"pass\`word\` $HOME; DROP DATABASE x; --`;
const READER_PASSWORD = "reader\\'s\npassword";

let db: ThrowawayMariadb;
let dir: { path: string; cleanup: () => void };

beforeAll(async () => {
  db = await startMariadb();
  dir = tempDir("stock-rsi-init-");
  const configMap = loadManifests().find((m) => m.object.kind === "ConfigMap" && m.object.metadata.name === "mysql-init")!.object;
  const [[name, script]] = Object.entries(configMap.data as Record<string, string>) as [[string, string]];
  expect(name).toMatch(/\.sh$/);
  const scriptFile = join(dir.path, name);
  writeFileSync(scriptFile, script);
  // The entrypoint's docker_process_sql runs SQL as root over the socket; so does this stand-in.
  execFileSync("bash", ["-ec", `docker_process_sql() { mariadb --no-defaults -uroot --socket="$SOCKET" "$@"; }; . "$1"`, "init", scriptFile], {
    env: { PATH: process.env.PATH, SOCKET: db.socket, STOCK_RSI_PIPELINE_PASSWORD: PIPELINE_PASSWORD, STOCK_RSI_READER_PASSWORD: READER_PASSWORD },
    stdio: ["ignore", "inherit", "inherit"],
  });
}, 60_000);

afterAll(async () => {
  await db?.stop();
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

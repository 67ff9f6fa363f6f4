/**
 * `stock-rsi` as the user runs it, a child process, against a real MariaDB as the pipeline
 * account: the whole pipeline into MySQL, its history, and a hostile symbols file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer } from "../support/mariadb.ts";
import { SCHEMA_VERSION } from "../../steps/store/migrations.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-cli-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

describe("stock-rsi run into MySQL", () => {
  it("runs the user's 180 symbols end to end; the stored values and the stocks table match the ranking", async () => {
    const db = await server.createDatabase("e2e");
    const run = () => stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--db", db.url], { env: db.env });
    const first = await run();
    expect(first.stderr).toContain(`persist: mysql://stock_rsi@127.0.0.1:${server.port}/${db.name}: schema migrated from version 0 to ${SCHEMA_VERSION}`);
    expect(first.stderr).toContain(`persist: stored 180 values for 2021-05-17 in mysql://stock_rsi@127.0.0.1:${server.port}/${db.name} (180 new, 0 updated)`);
    expect(first.stderr).toContain("persist: stocks table: wrote the day's row, adding 180 symbol columns (AAGIY, AAPL, ABBV,");
    expect(first.code).toBe(0);
    const ranking = first.stdout.trimEnd().split("\n").map((line) => line.split(" ") as [string, string]);
    expect(ranking).toHaveLength(180);

    const stored = await server.query<RowDataPacket[]>(`SELECT symbol, rsi FROM \`${db.name}\`.rsi_values WHERE trade_date = '2021-05-17'`);
    expect(stored).toHaveLength(180);
    const [wide] = await server.query<RowDataPacket[]>(`SELECT * FROM \`${db.name}\`.stocks WHERE date = '2021-05-17'`);
    for (const [symbol, printed] of ranking) {
      expect(Number(wide![symbol]).toFixed(2)).toBe(printed);
    }

    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain("(0 new, 180 updated)");
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)).toEqual([{ n: 180 }]);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.stocks`)).toEqual([{ n: 1 }]);
    for (const output of [first.stdout, first.stderr, second.stderr]) expect(output).not.toContain(server.pipelinePassword);
  });

  it("run --no-wide-table stores the long table only", async () => {
    const db = await server.createDatabase("nowide");
    const result = await stockRsi(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17", "--db", db.url, "--no-wide-table"], { env: db.env });
    expect(result.code).toBe(0);
    const tables = await server.query<RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [db.name]);
    expect(tables.map((t) => t.t)).toEqual(["rsi_runs", "rsi_values", "schema_migrations"]);
    expect(await server.query(`SELECT COUNT(*) AS n FROM \`${db.name}\`.rsi_values`)).toEqual([{ n: 180 }]);
  });

  it("refuses a hostile symbols file before anything touches the database", async () => {
    const db = await server.createDatabase("hostile");
    const symbols = join(dir.path, "hostile-symbols");
    writeFileSync(symbols, "AAPL\nMSFT\nX`FLOAT);DROP\n");
    const connectionsBefore = await connections();
    const result = await stockRsi(["run", symbols, "--source", "sample", "--db", db.url], { env: db.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stock-rsi: ${symbols}:3: "X\`FLOAT);DROP" has characters a ticker cannot have; use only letters, digits and . - ^ =`);
    expect(result.stdout).toBe("");
    expect(await connections()).toBe(connectionsBefore);
    expect(await server.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [db.name])).toEqual([]);
  });
});

describe("stock-rsi history and migrate on MySQL", () => {
  it("migrate prepares a new database; history --json prints the values as {symbol, date, rsi}", async () => {
    const db = await server.createDatabase("history");
    const migrate = await stockRsi(["migrate", "--db", db.url], { env: db.env });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toBe("");
    expect(migrate.stderr).toContain("migrate: applied v1: rsi_values");
    const imported = await stockRsi(["import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "--db", db.url], { env: db.env });
    expect(imported.code).toBe(0);

    // The reader account, as Excel's ODBC connection would use.
    const history = await stockRsi(["history", "AAPL", "EBKDY", "--from", "2021-05-13", "--to", "2021-05-14", "--db", db.readerUrl, "--json"], { env: db.readerEnv });
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([
      { symbol: "AAPL", date: "2021-05-13", rsi: 34.83 },
      { symbol: "AAPL", date: "2021-05-14", rsi: 40.86 },
      { symbol: "EBKDY", date: "2021-05-13", rsi: 71.87 },
      { symbol: "EBKDY", date: "2021-05-14", rsi: 73.25 },
    ]);
    expect(history.stderr).toContain("history: 4 values for 2 of 2 symbols (seed, period 14)");

    // The reader account also lists the missed days and draws the chart.
    const gaps = await stockRsi(["history", "--gaps", "--from", "2021-04-20", "--to", "2021-05-17", "--db", db.readerUrl], { env: db.readerEnv });
    expect(gaps).toMatchObject({ code: 0, stdout: "2021-04-26\n2021-04-30\n2021-05-03\n" });
    const svg = join(dir.path, "ebkdy.svg");
    const chart = await stockRsi(["history", "EBKDY", "--from", "2021-04-20", "--chart", svg, "--db", db.readerUrl], { env: db.readerEnv });
    expect(chart.code).toBe(0);
    expect(readFileSync(svg, "utf8")).toContain('data-symbol="EBKDY"');
  });
});

async function connections(): Promise<number> {
  const rows = await server.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Connections'");
  return Number(rows[0]!.Value);
}

/**
 * `ranking` and `status` on a real MariaDB with the reader account (Excel's), and what a renamed
 * or dropped symbol does to the stores and the user's wide `stocks` table (docs/storage.md).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { SCHEMA_VERSION } from "../../steps/store/migrations.ts";
import { captureIo, REPO_ROOT, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";

let server: MariaDbServer;
const dir = tempDir("stock-rsi-stored-views-mysql-");
beforeAll(async () => {
  server = await startMariaDb();
});
afterAll(async () => {
  await server?.destroy();
  dir.cleanup();
});

/** The evening of Monday 2021-05-17 in New York. */
const NOW = new Date("2021-05-17T22:00:00Z");

async function cli(env: Record<string, string>, ...argv: string[]) {
  const io = captureIo({ now: NOW, env });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const asPipeline = (db: TestDatabase, ...argv: string[]) => cli(db.env, ...argv, "--db", db.url);
const asReader = (db: TestDatabase, ...argv: string[]) => cli(db.readerEnv, ...argv, "--db", db.readerUrl);

describe("ranking and status with the reader account", () => {
  it("ranking prints what run printed; status shows the imported history and the stocks table", async () => {
    const db = await server.createDatabase("views");
    expect((await asPipeline(db, "import-legacy", "--dump", join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"))).code).toBe(0);
    // The imported day, ranked as the original program's values: two decimals.
    const friday = await asReader(db, "ranking", "--as-of", "2021-05-16");
    expect(friday.code).toBe(0);
    expect(friday.stdout.split("\n").slice(0, 3)).toEqual(["ALL 79.43", "UPS 75.19", "EBKDY 73.25"]);

    const run = await asPipeline(db, "run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-17");
    expect(run.code).toBe(0);
    const monday = await asReader(db, "ranking");
    expect(monday).toMatchObject({ code: 0, stdout: run.stdout });
    expect(monday.stderr).toContain(`ranking: 180 symbols for 2021-05-17 (seed, period 14) from ${db.readerUrl}`);

    const status = await asReader(db, "status");
    expect(status.code).toBe(0);
    expect(status.stdout.split("\n").length).toBeLessThanOrEqual(25);
    expect(status.stdout).toContain(`${db.readerUrl}: schema version ${SCHEMA_VERSION}\nseed, period 14:\n  days      145, 2020-10-21 to 2021-05-17`);
    // The stocks table: the dump's 145 rows (the run's day among them), the dump's 185 columns and the run's new symbols.
    const [counted] = await server.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'stocks' AND COLUMN_NAME <> 'date'",
      [db.name],
    );
    const columns = Number(counted!.n);
    expect(status.stdout).toContain(`\nstocks table: 145 rows, 2020-10-21 to 2021-05-17, ${columns} symbol columns\n`);
    const json = JSON.parse((await asReader(db, "status", "--json")).stdout);
    expect(json.stocksTable).toEqual({ symbolColumns: columns, rows: 145, firstDay: "2020-10-21", lastDay: "2021-05-17" });
    expect(json.series[0].lastRun).toMatchObject({ tradeDate: "2021-05-17", source: "sample", ranked: 180, failed: 0 });
    expect(json.series[0].lastRun.writtenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const output of [friday, monday, status].flatMap((r) => [r.stdout, r.stderr])) expect(output).not.toContain(server.pipelinePassword);
  });

  it("status says a database without the stocks table has none", async () => {
    const db = await server.createDatabase("nowide");
    const symbols = join(dir.path, "two");
    writeFileSync(symbols, "AAPL\nMSFT\n");
    expect((await asPipeline(db, "run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-wide-table")).code).toBe(0);
    const status = await asReader(db, "status");
    expect(status.stdout).toContain("\nstocks table: none (persist creates it; --no-wide-table leaves it out)\n");
    expect(JSON.parse((await asReader(db, "status", "--json")).stdout).stocksTable).toBeNull();
  });
});

describe("a renamed or dropped symbol", () => {
  it("keeps its column and its history; a day without it is NULL there; the new name is a new column; status names the old one stopped", async () => {
    const db = await server.createDatabase("renamed");
    const before = join(dir.path, "symbols-2021-05-14");
    const after = join(dir.path, "symbols-2021-05-17");
    writeFileSync(before, "AAPL\nMSFT\nFB\nATVI\n");
    // FB became META; ATVI was delisted: the user edits the symbols file.
    writeFileSync(after, "AAPL\nMSFT\nMETA\n");
    for (const asOf of ["2021-05-13", "2021-05-14"]) expect((await asPipeline(db, "run", before, "--source", "sample", "--as-of", asOf)).code).toBe(0);
    const monday = await asPipeline(db, "run", after, "--source", "sample", "--as-of", "2021-05-17");
    expect(monday.code).toBe(0);
    expect(monday.stderr).toContain("persist: stocks table: wrote the day's row, adding 1 symbol columns (META)");

    const wide = await server.query<RowDataPacket[]>(`SELECT date, FB, ATVI, META FROM \`${db.name}\`.stocks ORDER BY date`);
    const stored = await server.query<RowDataPacket[]>(`SELECT trade_date AS date, symbol, rsi FROM \`${db.name}\`.rsi_values WHERE symbol IN ('FB', 'ATVI') ORDER BY symbol, trade_date`);
    const value = (symbol: string, date: string) => Math.round(stored.find((r) => r.symbol === symbol && r.date === date)!.rsi * 100) / 100;
    expect(wide).toEqual([
      { date: "2021-05-13", FB: value("FB", "2021-05-13"), ATVI: value("ATVI", "2021-05-13"), META: null },
      { date: "2021-05-14", FB: value("FB", "2021-05-14"), ATVI: value("ATVI", "2021-05-14"), META: null },
      { date: "2021-05-17", FB: null, ATVI: null, META: expect.any(Number) },
    ]);
    // No merge: FB's history is its own, META's starts on its first day.
    const history = await asReader(db, "history", "FB", "META", "--json");
    expect(JSON.parse(history.stdout).map((r: { symbol: string; date: string }) => `${r.symbol} ${r.date}`)).toEqual(["FB 2021-05-13", "FB 2021-05-14", "META 2021-05-17"]);

    const status = JSON.parse((await asReader(db, "status", "--json")).stdout);
    expect(status.series[0]).toMatchObject({
      symbols: 5,
      onLastDay: 3,
      stopped: [
        { symbol: "ATVI", lastDay: "2021-05-14" },
        { symbol: "FB", lastDay: "2021-05-14" },
      ],
    });
    expect((await asReader(db, "status")).stdout).toContain("  symbols   5, 3 on 2021-05-17; 2 stopped appearing (last day):\n            ATVI FB (2021-05-14)\n");
  });
});

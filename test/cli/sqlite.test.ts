/**
 * history, import-legacy and migrate on the embedded SQLite store, in-process.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { captureIo, REPO_ROOT, tempDir } from "../support/cli.ts";
import { writeValidated } from "../steps/persist/validated-artifact.ts";
import { elements, parseXml, subpaths } from "../steps/report/xml.ts";

const DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");
const dir = tempDir("stock-rsi-sqlite-cli-");
afterAll(() => dir.cleanup());
let n = 0;
const freshDb = () => `sqlite:${join(dir.path, `rsi-${++n}.db`)}`;

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("history on SQLite", () => {
  it("prints SYMBOL DATE VALUE lines, or --json [{symbol, date, rsi}] at full precision", async () => {
    const db = freshDb();
    for (const [date, aapl] of [["2021-05-14", 40.8612], ["2021-05-17", 46.895]] as const) {
      const artifact = writeValidated(dir.path, { tradeDate: date, values: { AAPL: aapl, MSFT: 60.125 } }, `${date}.json`);
      expect((await cli("persist", "--in", artifact, "--db", db)).code).toBe(0);
    }
    const lines = await cli("history", "aapl", "MSFT", "--db", db);
    expect(lines.code).toBe(0);
    expect(lines.stdout).toBe("AAPL 2021-05-14 40.86\nAAPL 2021-05-17 46.90\nMSFT 2021-05-14 60.12\nMSFT 2021-05-17 60.12\n");
    const json = await cli("history", "AAPL", "NVDA", "--from", "2021-05-15", "--db", db, "--json");
    expect(JSON.parse(json.stdout)).toEqual([{ symbol: "AAPL", date: "2021-05-17", rsi: 46.895 }]);
    expect(json.stderr).toContain("history: no stored values for NVDA (seed, period 14) in that range");
    expect(json.stderr).toContain(`history: 1 values for 1 of 2 symbols (seed, period 14) from ${db}`);
    expect((await cli("history", "AAPL", "--method", "wilder", "--db", db, "--json")).stdout).toBe("[]\n");
  });

  it("refuses a symbol that is not a ticker, dates in the wrong order, and a database that is not there", async () => {
    expect(await cli("history", "AAPL;DROP", "--db", freshDb())).toMatchObject({ code: 2, stderr: 'stock-rsi: history: "AAPL;DROP" has characters a ticker cannot have; use only letters, digits and . - ^ =\n' });
    expect(await cli("history", "AAPL", "--from", "2021-05-17", "--to", "2021-05-14", "--db", freshDb())).toMatchObject({
      code: 2,
      stderr: "stock-rsi: history: --from 2021-05-17 is after --to 2021-05-14\n",
    });
    const missing = freshDb();
    expect(await cli("history", "AAPL", "--db", missing)).toMatchObject({
      code: 2,
      stderr: `stock-rsi: ${missing}: no such database file; nothing is stored there yet (stock-rsi run stores into sqlite:stock-rsi.db by default)\n`,
    });
    expect(existsSync(missing.slice("sqlite:".length))).toBe(false);
  });
});

describe("history --gaps and --chart on the user's imported history", () => {
  const imported = freshDb();
  const ready = cli("import-legacy", "--dump", DUMP, "--db", imported);

  it("lists the six trading days the old program missed, and none of the exchange's holidays", async () => {
    expect((await ready).code).toBe(0);
    const gaps = await cli("history", "--gaps", "--from", "2020-10-21", "--to", "2021-05-17", "--db", imported);
    expect(gaps.code).toBe(0);
    expect(gaps.stdout).toBe("2020-12-11\n2021-02-19\n2021-03-31\n2021-04-26\n2021-04-30\n2021-05-03\n");
    expect(gaps.stderr).toBe(`history: 6 trading days without a stored value from 2020-10-21 to 2021-05-17 (seed, period 14) in ${imported}\n`);
    // Named symbols: a day on which none of them has a value. ABNB was listed from December 2020.
    const abnb = await cli("history", "ABNB", "--gaps", "--from", "2020-12-01", "--to", "2020-12-31", "--db", imported, "--json");
    const days = JSON.parse(abnb.stdout) as string[];
    expect(days).toContain("2020-12-11");
    expect(days.every((d) => d >= "2020-12-01" && d <= "2020-12-31")).toBe(true);
  });

  it("draws a chart whose line breaks on a missed day instead of bridging it", async () => {
    expect((await ready).code).toBe(0);
    const svg = join(dir.path, "aapl.svg");
    const drawn = await cli("history", "AAPL", "MSFT", "--from", "2021-02-10", "--to", "2021-02-26", "--chart", svg, "--db", imported);
    expect(drawn.code).toBe(0);
    expect(drawn.stderr).toContain(`history: drew 2 series over `);
    const doc = parseXml(readFileSync(svg, "utf8"));
    const lines = elements(doc, "g").filter((g) => g.getAttribute("class")?.split(" ").includes("series"));
    expect(lines.map((g) => g.getAttribute("data-symbol"))).toEqual(["AAPL", "MSFT"]);
    // 2021-02-19 was never stored: each line is two pieces, before and after it.
    for (const g of lines) expect(subpaths(elements(g, "path")[0]!.getAttribute("d")!)).toHaveLength(2);
    // The printed lines are unchanged by --chart.
    expect(drawn.stdout.split("\n")[0]).toMatch(/^AAPL 2021-02-10 \d+\.\d\d$/);
  });

  it("refuses --gaps with --chart, and values without a symbol", async () => {
    expect(await cli("history", "--db", imported)).toMatchObject({ code: 2, stderr: expect.stringContaining("history: name at least one symbol") });
    expect(await cli("history", "AAPL", "--gaps", "--chart", "x.svg", "--db", imported)).toMatchObject({ code: 2 });
  });
});

describe("import-legacy on SQLite", () => {
  it("imports the user's dump once; a second import changes nothing", async () => {
    const db = freshDb();
    const first = await cli("import-legacy", "--dump", DUMP, "--db", db, "--json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      days: { imported: 145, skipped: 0 },
      symbols: { imported: 185, skipped: 0 },
      values: { imported: 23296, alreadyStored: 0, empty: 3529, invalid: 0 },
    });
    const file = db.slice("sqlite:".length);
    const before = readFileSync(file);
    const second = await cli("import-legacy", "--dump", DUMP, "--db", db, "--json");
    expect(JSON.parse(second.stdout).values).toEqual({ imported: 0, alreadyStored: 23296, empty: 3529, invalid: 0 });
    expect(readFileSync(file).equals(before)).toBe(true);
    expect((await cli("history", "EBKDY", "--from", "2021-05-14", "--db", db)).stdout).toBe("EBKDY 2021-05-14 73.25\nEBKDY 2021-05-17 80.58\n");
  });

  it("refuses a damaged dump by line before the database is created", async () => {
    const damaged = join(dir.path, "damaged.sql");
    const text = readFileSync(DUMP, "utf8");
    writeFileSync(damaged, text.replace("('2021-05-17',58.42,", "('2021-05-17',"));
    const db = freshDb();
    const result = await cli("import-legacy", "--dump", damaged, "--db", db);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`stock-rsi: ${damaged}:230: a row has 185 values but the table has 186 columns; the dump is damaged or cut short\n`);
    expect(existsSync(db.slice("sqlite:".length))).toBe(false);
  });

  it("asks for exactly one source, and --from-table only on MySQL", async () => {
    expect(await cli("import-legacy", "--db", freshDb())).toMatchObject({ code: 2, stderr: "stock-rsi: import-legacy: give exactly one of --dump FILE or --from-table TABLE\n" });
    const db = freshDb();
    expect(await cli("import-legacy", "--from-table", "stocks", "--db", db)).toMatchObject({
      code: 2,
      stderr: `stock-rsi: --from-table reads a table in a MySQL database, and ${db} is not one; use --dump FILE\n`,
    });
  });
});

describe("migrate on SQLite", () => {
  it("creates the schema once and says so; the second time there is nothing to do", async () => {
    const db = freshDb();
    expect((await cli("migrate", "--db", db)).stderr).toBe(
      "migrate: applied v1: rsi_values (one row per trading day, symbol, method and period) and rsi_runs (one row per stored run)\n" +
        "migrate: applied v2: rsi_runs keyed by trading day, method, period and run id, so a run id used again on another day keeps both records\n" +
        `migrate: ${db}: migrated from version 0 to 2\n`,
    );
    expect((await cli("migrate", "--db", db)).stderr).toBe(`migrate: ${db}: the schema is at version 2, nothing to do\n`);
  });
});

/**
 * Every file a command writes passes one guard (`steps/files/output-files.ts`): an output is never
 * the store (by any spelling: the same path, `./x.db`, a symbolic link, a hard link, SQLite's
 * journal beside it), never a file the same command reads, never another output of it, and never
 * anything but a regular file or a new path (a directory, a FIFO, a device). Each refusal is one
 * line with exit 2, before anything is written; the store stays byte for byte what it was.
 * `report --out -` and `history --chart -` write to stdout.
 *
 * Devices are made with mknod in a temporary directory, never /dev/null itself: a regression
 * would replace the machine's /dev/null for every other program on it. A device made with mknod
 * (char 1,3 is what /dev/null is) takes the same path through the code.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, type Stats } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { parseXml } from "../steps/report/xml.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-output-guard-");
afterAll(() => dir.cleanup());
const at = (name: string) => join(dir.path, name);
const SYMBOLS_TEXT = "AAPL\nMSFT\n";
const symbols = at("symbols");
const seed = at("seed.db");
const artifacts = at("artifacts");
let seedBytes: Buffer;
const isRoot = process.getuid?.() === 0;

beforeAll(async () => {
  writeFileSync(symbols, SYMBOLS_TEXT);
  const seeded = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${seed}`, "--artifacts-dir", artifacts]);
  expect(seeded.code, seeded.stderr).toBe(0);
  seedBytes = readFileSync(seed);
});

/** A fresh copy of a file for one test to aim at, so a command that wrongly writes it spoils no other test. */
function copyOf(source: string, name: string): string {
  copyFileSync(source, at(name));
  return at(name);
}

/** A store of its own for one test, holding the seeded day, with a symbolic and a hard link to it. */
function storeFor(name: string): { path: string; db: string; symlink: string; hardLink: string; intact: () => void } {
  const path = copyOf(seed, `${name}.db`);
  symlinkSync(path, at(`${name}.symlink`));
  linkSync(path, at(`${name}.hardlink`));
  return {
    path,
    db: `sqlite:${path}`,
    symlink: at(`${name}.symlink`),
    hardLink: at(`${name}.hardlink`),
    intact: () => expect(readFileSync(path).equals(seedBytes), `the store ${path} changed`).toBe(true),
  };
}

function fifo(name: string): string {
  execFileSync("mkfifo", [at(name)]);
  return at(name);
}

/** A character device like /dev/null (1,3), in the temporary directory. */
function nullDevice(name: string): string {
  execFileSync("mknod", [at(name), "c", "1", "3"]);
  return at(name);
}

/** Runs the command in the temporary directory, so that a regression writing a file named `-` leaves it there. */
async function refused(args: readonly string[], line: string | RegExp, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await stockRsi(args, { cwd: dir.path, ...options });
  expectRefusal(result, { code: 2, line });
  return result;
}

const VALIDATED = () => join(artifacts, "validated.json");
const theStore = (flag: string, path: string, db: string) => `${flag} ${path}: that is the database (--db ${db}); give another file`;

describe.concurrent("an output is never the store, however it is spelled", () => {
  it("report --out the store's own path", async () => {
    const store = storeFor("report-same");
    await refused(["report", "--db", store.db, "--out", store.path], theStore("--out", store.path, store.db));
    store.intact();
  });

  it("report --out ./x.db, relative, with --db sqlite:x.db", async () => {
    const store = storeFor("relative");
    await refused(["report", "--db", "sqlite:relative.db", "--out", "./relative.db"], "--out ./relative.db: that is the database (--db sqlite:relative.db); give another file", { cwd: dir.path });
    store.intact();
  });

  it("report --out a symbolic link to the store", async () => {
    const store = storeFor("report-symlink");
    await refused(["report", "--db", store.db, "--out", store.symlink], theStore("--out", store.symlink, store.db));
    store.intact();
    expect(lstatSync(store.symlink).isSymbolicLink()).toBe(true);
  });

  it("report --out a hard link to the store", async () => {
    const store = storeFor("report-hardlink");
    await refused(["report", "--db", store.db, "--out", store.hardLink], theStore("--out", store.hardLink, store.db));
    store.intact();
    expect(statSync(store.hardLink).ino).toBe(statSync(store.path).ino);
  });

  it("report --out the journal SQLite keeps beside the store", async () => {
    const store = storeFor("report-journal");
    await refused(["report", "--db", store.db, "--out", `${store.path}-journal`], `--out ${store.path}-journal: that is a file SQLite keeps beside the database (--db ${store.db}); give another file`);
    store.intact();
    expect(() => lstatSync(`${store.path}-journal`)).toThrow();
  });

  it("history --chart the store, and a symbolic link to it", async () => {
    const store = storeFor("chart");
    await refused(["history", "AAPL", "--db", store.db, "--chart", store.path], theStore("--chart", store.path, store.db));
    await refused(["history", "AAPL", "--db", store.db, "--chart", store.symlink], theStore("--chart", store.symlink, store.db));
    store.intact();
  });

  it("run --report the store, and a hard link to it: refused before any step runs", async () => {
    const store = storeFor("run-report");
    const run = ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", store.db, "--report"];
    const direct = await refused([...run, store.path], theStore("--report", store.path, store.db));
    expect(direct.stderr).not.toContain("fetch: ");
    await refused([...run, store.hardLink], theStore("--report", store.hardLink, store.db));
    store.intact();
  });

  it("run --artifacts-dir holding the store under an artifact's name", async () => {
    const shared = at("shared-artifacts");
    mkdirSync(shared);
    const storeThere = copyOf(seed, "shared-artifacts/validated.json");
    await refused(
      ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${storeThere}`, "--artifacts-dir", shared],
      `${storeThere} (in --artifacts-dir): that is the database (--db sqlite:${storeThere}); give another file`,
    );
    expect(readFileSync(storeThere).equals(seedBytes)).toBe(true);
  });

  it("persist --ranking-out, --signals-out and --report-out the store", async () => {
    const store = storeFor("persist");
    const persist = ["persist", "--in", VALIDATED(), "--db", store.db];
    await refused([...persist, "--ranking-out", store.path], theStore("--ranking-out", store.path, store.db));
    await refused([...persist, "--signals-out", store.symlink], theStore("--signals-out", store.symlink, store.db));
    await refused([...persist, "--report-out", store.hardLink], theStore("--report-out", store.hardLink, store.db));
    store.intact();
  });

  it("backfill --days-out the store", async () => {
    const store = storeFor("backfill");
    await refused(
      ["backfill", symbols, "--from", "2021-05-10", "--to", "2021-05-14", "--source", "sample", "--db", store.db, "--days-out", store.path],
      theStore("--days-out", store.path, store.db),
    );
    store.intact();
  });
});

describe.concurrent("an output is never a file the same command reads, nor another of its outputs", () => {
  it("fetch --out the symbols file", async () => {
    const list = copyOf(symbols, "fetch-symbols");
    await refused(["fetch", "--symbols", list, "--out", list, "--source", "sample", "--as-of", "2021-05-17"], `--out ${list}: that is the symbols file (--symbols); give another file`);
    expect(readFileSync(list, "utf8")).toBe(SYMBOLS_TEXT);
  });

  it("compute-rsi --out its own --in", async () => {
    const prices = copyOf(join(artifacts, "prices.json"), "compute-prices.json");
    const before = readFileSync(prices);
    await refused(["compute-rsi", "--in", prices, "--out", prices], `--out ${prices}: that is the artifact this step reads (--in); give another file`);
    expect(readFileSync(prices).equals(before)).toBe(true);
  });

  it("validate --out and --failures-out its own --in", async () => {
    const rsi = copyOf(join(artifacts, "rsi.json"), "validate-rsi.json");
    const before = readFileSync(rsi);
    await refused(["validate", "--in", rsi, "--out", rsi], `--out ${rsi}: that is the artifact this step reads (--in); give another file`);
    await refused(["validate", "--in", rsi, "--out", at("v.json"), "--failures-out", rsi], `--failures-out ${rsi}: that is the artifact this step reads (--in); give another file`);
    expect(readFileSync(rsi).equals(before)).toBe(true);
  });

  it("validate --failures-out the same file as --out", async () => {
    const out = at("same-twice.json");
    await refused(["validate", "--in", join(artifacts, "rsi.json"), "--out", out, "--failures-out", out], `--failures-out ${out}: --out writes the same file; give each output its own file`);
    expect(() => lstatSync(out)).toThrow();
  });

  it("persist --report-out its own --in", async () => {
    const store = storeFor("persist-in");
    const validated = copyOf(VALIDATED(), "persist-validated.json");
    const before = readFileSync(validated);
    await refused(["persist", "--in", validated, "--db", store.db, "--report-out", validated], `--report-out ${validated}: that is the artifact this step reads (--in); give another file`);
    expect(readFileSync(validated).equals(before)).toBe(true);
    store.intact();
  });

  it("persist --ranking-out the MySQL password file: refused before connecting, the password never printed", async () => {
    const secret = "Pw-out-guard-7";
    const passwordFile = at("password");
    writeFileSync(passwordFile, `${secret}\n`);
    const result = await stockRsi(["persist", "--in", VALIDATED(), "--db", "mysql://stock_rsi@127.0.0.1:9/stock_rsi?retry-deadline=0", "--ranking-out", passwordFile], {
      env: { MYSQL_PASSWORD_FILE: passwordFile },
    });
    expectRefusal(result, { code: 2, line: `--ranking-out ${passwordFile}: that is the password file (MYSQL_PASSWORD_FILE); give another file`, secrets: [secret] });
    expect(readFileSync(passwordFile, "utf8")).toBe(`${secret}\n`);
  });

  it("run: the symbols file is where --artifacts-dir would put the ranking", async () => {
    const shared = at("symbols-in-artifacts");
    mkdirSync(shared);
    const list = copyOf(symbols, "symbols-in-artifacts/ranking.txt");
    await refused(["run", list, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--artifacts-dir", shared], `${list} (in --artifacts-dir): that is the symbols file; give another file`);
    expect(readFileSync(list, "utf8")).toBe(SYMBOLS_TEXT);
  });

  it("backfill --days-out the symbols file", async () => {
    const store = storeFor("backfill-symbols");
    const list = copyOf(symbols, "backfill-symbols");
    await refused(
      ["backfill", list, "--from", "2021-05-10", "--to", "2021-05-14", "--source", "sample", "--db", store.db, "--days-out", list],
      `--days-out ${list}: that is the symbols file; give another file`,
    );
    expect(readFileSync(list, "utf8")).toBe(SYMBOLS_TEXT);
    store.intact();
  });

  it("import-legacy --db sqlite: the dump it imports: refused before the dump is read", async () => {
    const dump = at("prod-db.sql");
    const text = "CREATE TABLE `stocks` (\n  `date` date NOT NULL,\n  `AAPL` float DEFAULT NULL\n);\nINSERT INTO `stocks` VALUES ('2021-05-14',40.86);\n";
    writeFileSync(dump, text);
    await refused(["import-legacy", "--dump", dump, "--db", `sqlite:${dump}`], `--db sqlite:${dump}: that is the dump being imported (--dump); give another file`);
    expect(readFileSync(dump, "utf8")).toBe(text);
  });

  it("run --db sqlite: the symbols file: refused before fetch, the list kept", async () => {
    const list = copyOf(symbols, "symbols-as-store");
    const result = await refused(["run", list, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${list}`], `--db sqlite:${list}: that is the symbols file; give another file`);
    expect(result.stderr).not.toContain("fetch: ");
    expect(readFileSync(list, "utf8")).toBe(SYMBOLS_TEXT);
  });
});

describe.concurrent("an output that is not a regular file or a new path is refused and left as it was", () => {
  const expectFifo = (path: string) => expect(lstatSync(path).isFIFO(), `${path} is no longer a FIFO`).toBe(true);
  const expectNullDevice = (path: string) => {
    const stat: Stats = lstatSync(path);
    expect(stat.isCharacterDevice(), `${path} is no longer a device`).toBe(true);
    expect(stat.rdev).toBe(statSync("/dev/null").rdev);
  };
  const notRegular = (named: string, what: string, stdout = false) =>
    `${named}: it is ${what}, not a regular file; give a regular file or a new path${stdout ? " (or - for stdout)" : ""}`;

  it("report --out a directory", async () => {
    const store = storeFor("report-directory");
    const directory = at("a-directory");
    mkdirSync(directory);
    await refused(["report", "--db", store.db, "--out", directory], notRegular(`--out ${directory}`, "a directory", true));
    expect(statSync(directory).isDirectory()).toBe(true);
  });

  it("report --out a FIFO", async () => {
    const store = storeFor("report-fifo");
    const path = fifo("report.fifo");
    await refused(["report", "--db", store.db, "--out", path], notRegular(`--out ${path}`, "a FIFO", true));
    expectFifo(path);
  });

  it.skipIf(!isRoot)("report --out a device like /dev/null (mknod needs root)", async () => {
    const store = storeFor("report-null");
    const path = nullDevice("report.null");
    await refused(["report", "--db", store.db, "--out", path], notRegular(`--out ${path}`, "a device", true));
    expectNullDevice(path);
  });

  it("report --out a symbolic link to nothing", async () => {
    const store = storeFor("report-dangling");
    const link = at("dangling");
    symlinkSync(at("nowhere/report.html"), link);
    await refused(
      ["report", "--db", store.db, "--out", link],
      `--out ${link}: it is a symbolic link to a missing file (${at("nowhere/report.html")}); give a regular file or a new path (or - for stdout)`,
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("history --chart a FIFO", async () => {
    const store = storeFor("chart-fifo");
    const path = fifo("chart.fifo");
    await refused(["history", "AAPL", "--db", store.db, "--chart", path], notRegular(`--chart ${path}`, "a FIFO", true));
    expectFifo(path);
  });

  it("run --report a FIFO: refused before any step runs", async () => {
    const store = storeFor("run-fifo");
    const path = fifo("run-report.fifo");
    const result = await refused(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", store.db, "--report", path], notRegular(`--report ${path}`, "a FIFO"));
    expect(result.stderr).not.toContain("fetch: ");
    expectFifo(path);
    store.intact();
  });

  it("run --artifacts-dir holding a FIFO where the prices artifact goes", async () => {
    const store = storeFor("artifacts-fifo");
    const shared = at("fifo-artifacts");
    mkdirSync(shared);
    const path = fifo("fifo-artifacts/prices.json");
    await refused(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", store.db, "--artifacts-dir", shared], notRegular(`${path} (in --artifacts-dir)`, "a FIFO"));
    expectFifo(path);
    store.intact();
  });

  it.skipIf(!isRoot)("validate --failures-out and persist --signals-out a device (mknod needs root)", async () => {
    const store = storeFor("steps-null");
    const device = nullDevice("steps.null");
    await refused(["validate", "--in", join(artifacts, "rsi.json"), "--out", at("v-dev.json"), "--failures-out", device], notRegular(`--failures-out ${device}`, "a device"));
    await refused(["persist", "--in", VALIDATED(), "--db", store.db, "--signals-out", device], notRegular(`--signals-out ${device}`, "a device"));
    expectNullDevice(device);
    store.intact();
  });

  it("validate --out a FIFO", async () => {
    const path = fifo("validate.fifo");
    await refused(["validate", "--in", join(artifacts, "rsi.json"), "--out", path], notRegular(`--out ${path}`, "a FIFO"));
    expectFifo(path);
  });

  it("the store itself: --db sqlite: a FIFO is refused, not opened", async () => {
    const path = fifo("store.fifo");
    await refused(["migrate", "--db", `sqlite:${path}`], `--db sqlite:${path}: it is a FIFO, not a regular file; give a database file or a new path`);
    expectFifo(path);
    expect(() => lstatSync(`${path}-journal`)).toThrow();
  });

  it("- where stdout is not an output: a step's file outputs", async () => {
    const cwd = at("step-stdout");
    mkdirSync(cwd);
    await refused(
      ["validate", "--in", join(artifacts, "rsi.json"), "--out", at("v-stdout.json"), "--failures-out", "-"],
      "--failures-out -: this output is a file; give a path (only report --out and history --chart write to stdout)",
      { cwd },
    );
    expect(() => lstatSync(join(cwd, "-"))).toThrow();
  });
});

describe.concurrent("report --out - and history --chart - write to stdout, and nothing else does", () => {
  it("report --out - pipes the same valid HTML the file gets, and writes no file named -", async () => {
    const store = storeFor("report-stdout");
    const cwd = at("report-stdout");
    mkdirSync(cwd);
    const piped = await stockRsi(["report", "--db", store.db, "--out", "-"], { cwd });
    expect(piped.code, piped.stderr).toBe(0);
    const file = at("report-stdout.html");
    const written = await stockRsi(["report", "--db", store.db, "--out", file]);
    expect(written.code, written.stderr).toBe(0);
    expect(piped.stdout).toBe(readFileSync(file, "utf8"));
    expect(piped.stdout.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(parseXml(piped.stdout.replace(/^<!DOCTYPE html>/, "")).documentElement?.nodeName).toBe("html");
    expect(piped.stderr).toMatch(/: stdout\n$/);
    expect(() => lstatSync(join(cwd, "-"))).toThrow();
    store.intact();
  });

  it("history --chart - prints the SVG alone, without the value lines", async () => {
    const store = storeFor("chart-stdout");
    const piped = await stockRsi(["history", "AAPL", "MSFT", "--db", store.db, "--chart", "-"], { cwd: dir.path });
    expect(piped.code, piped.stderr).toBe(0);
    const file = at("chart.svg");
    const written = await stockRsi(["history", "AAPL", "MSFT", "--db", store.db, "--chart", file]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toMatch(/^AAPL 2021-05-17 \d+\.\d\d$/m);
    expect(piped.stdout).toBe(readFileSync(file, "utf8"));
    expect(parseXml(piped.stdout).documentElement?.nodeName).toBe("svg");
    expect(() => lstatSync(join(dir.path, "-"))).toThrow();
  });

  it("history --chart - with --json: refused, stdout has room for one", async () => {
    const store = storeFor("chart-json");
    await refused(["history", "AAPL", "--db", store.db, "--chart", "-", "--json"], "history: --chart - puts the SVG on stdout, where --json would go too; leave out one of them");
  });
});

describe("a failed run --report", () => {
  it("says the file there is an earlier run's report, and leaves it", async () => {
    const store = storeFor("failed-run");
    const report = at("daily.html");
    writeFileSync(report, "<p>yesterday</p>");
    const result = await stockRsi(["run", symbols, "--source", `file:${at("no-such-prices.json")}`, "--as-of", "2021-05-17", "--db", store.db, "--report", report]);
    expectRefusal(result, { code: 2, line: /no-such-prices\.json: cannot read/ });
    expect(result.stderr).toMatch(
      new RegExp(`^run: the run failed at fetch \\(exit 2\\); no report was written: ${report} is still an earlier run's report \\(written \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)$`, "m"),
    );
    expect(readFileSync(report, "utf8")).toBe("<p>yesterday</p>");
    store.intact();
  });
});

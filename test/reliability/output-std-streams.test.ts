/**
 * An output named by the command's own standard output or error is refused, never replaced. A
 * cron line `stock-rsi run ... --report /dev/stdout >> cron.log 2>&1` once followed /dev/stdout to
 * cron.log and renamed the report over it: the log's earlier days were gone, exit 0. backfill
 * `--days-out /dev/stdout >> bf.log` ended in exit 70 with a stack trace (`lstat 'bf.log
 * (deleted)'`) after its first day. The guard (`steps/files/output-files.ts`) now refuses, with
 * exit 2 and one line, before anything is written or stored:
 * - a path that goes through an open file descriptor's link (`/dev/stdout`, `/dev/fd/1`,
 *   `/proc/self/fd/1`, `/proc/PID/fd/N`), whatever it is open on;
 * - a file that is where the command's stdin, stdout or stderr is (`--report cron.log >> cron.log`).
 *
 * Each child gets a real file as its stdout (and stderr where the case says), opened for
 * appending as a shell's `>>` does.
 */
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-output-std-streams-");
afterAll(() => dir.cleanup());
const at = (name: string) => join(dir.path, name);
const symbols = at("symbols");
const seed = at("seed.db");
const artifacts = at("artifacts");
const VALIDATED = () => join(artifacts, "validated.json");
const OLD_LOG = "2026-12-03 run: 2 of 2 symbols stored\n";
let seedBytes: Buffer;

beforeAll(async () => {
  writeFileSync(symbols, "AAPL\nMSFT\n");
  const seeded = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${seed}`, "--artifacts-dir", artifacts]);
  expect(seeded.code, seeded.stderr).toBe(0);
  seedBytes = readFileSync(seed);
});

/** A copy of the seeded store for one case, and a check that it is still byte for byte the seed. */
function storeFor(name: string): { db: string; intact: () => void } {
  const path = at(`${name}.db`);
  copyFileSync(seed, path);
  return { db: `sqlite:${path}`, intact: () => expect(readFileSync(path).equals(seedBytes), `the store ${path} changed`).toBe(true) };
}

/**
 * Runs the command with a log that already holds a line as its stdout (`>> log`), and with its
 * stderr there too when `bothStreams` (`>> log 2>&1`). Returns the result and what the log holds after.
 */
async function intoLog(name: string, args: readonly string[], options: { bothStreams?: boolean; stdin?: string } = {}): Promise<{ result: CliResult; log: string; path: string }> {
  const path = at(`${name}.log`);
  writeFileSync(path, OLD_LOG);
  const fd = openSync(path, "a");
  const stdin = options.stdin === undefined ? undefined : openSync(options.stdin, "r");
  try {
    const result = await stockRsi(args, { cwd: dir.path, stdout: fd, ...(options.bothStreams ? { stderr: fd } : {}), ...(stdin !== undefined ? { stdin } : {}) });
    return { result, log: readFileSync(path, "utf8"), path };
  } finally {
    closeSync(fd);
    if (stdin !== undefined) closeSync(stdin);
  }
}

const DESCRIPTOR_LINKS = ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] as const;
const standardOutput = (named: string, stdout: boolean) =>
  `${named}: it is this command's standard output (file descriptor 1), not a file that can be replaced; give a file name${stdout ? " (or - for stdout)" : ""}`;

/** Each command with an output, aimed at `path`; `after` checks nothing was stored. */
const COMMANDS: { name: string; flag: string; stdout: boolean; args: (path: string, name: string) => { args: string[]; after: () => void } }[] = [
  {
    name: "run",
    flag: "--report",
    stdout: false,
    args: (path, name) => {
      const db = at(`${name}.db`);
      return {
        args: ["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${db}`, "--artifacts-dir", at(`${name}-artifacts`), "--report", path],
        after: () => {
          expect(existsSync(db), "run stored the day").toBe(false);
          // The directory itself is made before the outputs are checked; no artifact is written in it.
          expect(existsSync(at(`${name}-artifacts`)) ? readdirSync(at(`${name}-artifacts`)) : [], "run wrote artifacts").toEqual([]);
        },
      };
    },
  },
  {
    name: "report",
    flag: "--out",
    stdout: true,
    args: (path, name) => {
      const store = storeFor(name);
      return { args: ["report", "--db", store.db, "--out", path], after: store.intact };
    },
  },
  {
    name: "backfill",
    flag: "--days-out",
    stdout: false,
    args: (path, name) => {
      const db = at(`${name}.db`);
      return {
        args: ["backfill", symbols, "--source", "sample", "--from", "2021-05-10", "--to", "2021-05-14", "--db", `sqlite:${db}`, "--days-out", path],
        after: () => expect(existsSync(db), "backfill stored days").toBe(false),
      };
    },
  },
  {
    name: "persist",
    flag: "--report-out",
    stdout: false,
    args: (path, name) => {
      const store = storeFor(name);
      return { args: ["persist", "--in", VALIDATED(), "--db", store.db, "--report-out", path], after: store.intact };
    },
  },
  {
    name: "history",
    flag: "--chart",
    stdout: true,
    args: (path, name) => {
      const store = storeFor(name);
      return { args: ["history", "AAPL", "--db", store.db, "--chart", path], after: store.intact };
    },
  },
];

describe.concurrent("an output through the link of the command's own stdout is refused, the file stdout goes to kept", () => {
  for (const command of COMMANDS) {
    for (const [i, link] of DESCRIPTOR_LINKS.entries()) {
      it(`${command.name} ${command.flag} ${link} >> log`, async () => {
        const name = `${command.name}-${i}`;
        const { args, after } = command.args(link, name);
        const { result, log } = await intoLog(name, args);
        expectRefusal(result, { code: 2, line: standardOutput(`${command.flag} ${link}`, command.stdout) });
        expect(log).toBe(OLD_LOG);
        after();
      });
    }
  }

  it("run --report /dev/stdout >> cron.log 2>&1, as cron runs it: the log keeps its lines and gains the one refusal", async () => {
    const { args, after } = COMMANDS[0]!.args("/dev/stdout", "cron");
    const { result, log } = await intoLog("cron", args, { bothStreams: true });
    expect(result.code).toBe(2);
    expect(log).toBe(`${OLD_LOG}stock-rsi: ${standardOutput("--report /dev/stdout", false)}\n`);
    after();
  });

  it("report --out /dev/stderr 2>> log: stderr's link is refused as well", async () => {
    const store = storeFor("stderr");
    const { result, log } = await intoLog("stderr", ["report", "--db", store.db, "--out", "/dev/stderr"], { bothStreams: true });
    expect(result.code).toBe(2);
    expect(log).toBe(`${OLD_LOG}stock-rsi: --out /dev/stderr: it is this command's standard error (file descriptor 2), not a file that can be replaced; give a file name (or - for stdout)\n`);
    store.intact();
  });

  it("report --out /proc/PID/fd/N, another process's descriptor on the log: refused, the log kept", async () => {
    const store = storeFor("other-process");
    const log = at("other-process.log");
    writeFileSync(log, OLD_LOG);
    const fd = openSync(log, "a");
    try {
      const path = `/proc/${process.pid}/fd/${fd}`;
      const result = await stockRsi(["report", "--db", store.db, "--out", path]);
      expectRefusal(result, { code: 2, line: `--out ${path}: it is file descriptor ${fd} of process ${process.pid}, not a file that can be replaced; give a file name (or - for stdout)` });
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log, "utf8")).toBe(OLD_LOG);
    store.intact();
  });

  it("report --out /dev/stdout through a pipe: the same refusal", async () => {
    const store = storeFor("pipe");
    const result = await stockRsi(["report", "--db", store.db, "--out", "/dev/stdout"]);
    expectRefusal(result, { code: 2, line: standardOutput("--out /dev/stdout", true) });
    store.intact();
  });

  it("run --artifacts-dir /dev/fd: the directory of descriptors is no place for artifacts", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--artifacts-dir", "/dev/fd"]);
    expectRefusal(result, {
      code: 2,
      line: /^\/dev\/fd\/prices\.json \(in --artifacts-dir\): it is in \/proc\/\d+\/fd, a directory of open file descriptors, not a file that can be replaced; give a file name$/,
    });
  });

  it("--db sqlite:/dev/fd/1 >> log: the store is not put in the log either", async () => {
    const { result, log } = await intoLog("store", ["migrate", "--db", "sqlite:/dev/fd/1"]);
    expectRefusal(result, { code: 2, line: "--db sqlite:/dev/fd/1: it is this command's standard output (file descriptor 1), not a file that can be replaced; give a database file or a new path" });
    expect(log).toBe(OLD_LOG);
  });
});

describe.concurrent("an output that is the file the command's stdin, stdout or stderr is on is refused, however it is named", () => {
  it("run --report cron.log >> cron.log", async () => {
    const { args, after } = COMMANDS[0]!.args(at("by-name.log"), "by-name");
    const { result, log } = await intoLog("by-name", args);
    expectRefusal(result, { code: 2, line: `--report ${at("by-name.log")}: that is the file this command's standard output goes to; give another file` });
    expect(log).toBe(OLD_LOG);
    after();
  });

  it("history --chart log >> log 2>&1: refused on stdout's account, the one line appended", async () => {
    const store = storeFor("chart-by-name");
    const { result, log, path } = await intoLog("chart-by-name", ["history", "AAPL", "--db", store.db, "--chart", "chart-by-name.log"], { bothStreams: true });
    expect(result.code).toBe(2);
    expect(path).toBe(at("chart-by-name.log"));
    expect(log).toBe(`${OLD_LOG}stock-rsi: --chart chart-by-name.log: that is the file this command's standard output goes to; give another file (or - for stdout)\n`);
    store.intact();
  });

  it("report --out page.html < page.html: stdin's file is not replaced", async () => {
    const store = storeFor("stdin");
    const page = at("stdin-page.html");
    writeFileSync(page, "<p>kept</p>");
    const { result } = await intoLog("stdin", ["report", "--db", store.db, "--out", page], { stdin: page });
    expectRefusal(result, { code: 2, line: `--out ${page}: that is the file this command's standard input comes from; give another file (or - for stdout)` });
    expect(readFileSync(page, "utf8")).toBe("<p>kept</p>");
    store.intact();
  });
});

/**
 * `npm run bench:import-legacy`: how long `stock-rsi import-legacy --dump` takes, and its peak
 * memory, on mysqldump files of about 100 MB generated in a temporary directory, each imported
 * into a fresh SQLite store by the package's bin as a user runs it:
 *
 * - **the user's table among others**: the user's own `prod-db.sql` (145 days × 185 symbols)
 *   followed by a `logs` table of ~100 MB in mysqldump's extended INSERTs of ~1 MB each, whose
 *   text holds `;`, `\'`, `''` and escaped newlines: the file is large, the table small;
 * - **one wide table**: a `stocks` table of 1,000 symbols × one row per weekday from 1970, every
 *   cell a two-decimal value: the file is large because the table is.
 * - **the user's dump** as it is, for scale.
 *
 * Wall time, CPU (user + system) and peak RSS come from GNU time (`/usr/bin/time`, Debian's
 * `time` package). Nothing is asserted; figures depend on the machine and its load.
 *
 *     npm run bench:import-legacy
 *     npm run bench:import-legacy -- --mb 50
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BIN, REPO_ROOT, tempDir } from "../test/support/cli.ts";

const { values: args } = parseArgs({ options: { mb: { type: "string", default: "100" } } });
const targetBytes = Number(args.mb) * 1024 * 1024;
const USER_DUMP = join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql");

/** Writes a file in pieces, never holding it whole. */
function writer(path: string) {
  const fd = openSync(path, "w");
  let bytes = 0;
  return {
    write(text: string) {
      bytes += writeSync(fd, text);
    },
    get bytes() {
      return bytes;
    },
    close: () => closeSync(fd),
  };
}

/** The user's dump, then ~`target` bytes of another table, as mysqldump writes a `logs` table. */
function userTableAmongOthers(path: string, target: number): void {
  const out = writer(path);
  out.write(readFileSync(USER_DUMP, "utf8"));
  out.write(
    "\nDROP TABLE IF EXISTS `logs`;\nCREATE TABLE `logs` (\n  `id` int NOT NULL,\n  `at` datetime NOT NULL,\n  `message` text,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n" +
      "LOCK TABLES `logs` WRITE;\n",
  );
  let id = 0;
  while (out.bytes < target) {
    const rows: string[] = [];
    let length = 0;
    while (length < 1024 * 1024) {
      id++;
      const row = `(${id},'2021-05-14 16:0${id % 10}:00','run ${id}: fetched AAPL; it\\'s ''fine''\\nnext line; ${"x".repeat(id % 200)}')`;
      rows.push(row);
      length += row.length + 1;
    }
    out.write(`INSERT INTO \`logs\` VALUES ${rows.join(",")};\n`);
  }
  out.write("UNLOCK TABLES;\n");
  out.close();
}

/** A `stocks` table of `symbols` columns, a row per weekday from 1970 until ~`target` bytes. */
function oneWideTable(path: string, target: number, symbols: number): number {
  const out = writer(path);
  const columns = Array.from({ length: symbols }, (_, i) => `  \`S${String(i).padStart(4, "0")}\` float DEFAULT NULL,\n`).join("");
  out.write(`DROP TABLE IF EXISTS \`stocks\`;\nCREATE TABLE \`stocks\` (\n  \`date\` date NOT NULL,\n${columns}  PRIMARY KEY (\`date\`)\n) ENGINE=InnoDB;\nLOCK TABLES \`stocks\` WRITE;\n`);
  let day = Date.UTC(1970, 0, 1);
  const today = Date.now() - 2 * 86_400_000;
  let rows = 0;
  let batch: string[] = [];
  const flush = () => {
    if (batch.length > 0) out.write(`INSERT INTO \`stocks\` VALUES ${batch.join(",")};\n`);
    batch = [];
  };
  while (out.bytes < target && day < today) {
    const date = new Date(day);
    day += 86_400_000;
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    let row = `('${date.toISOString().slice(0, 10)}'`;
    for (let s = 0; s < symbols; s++) row += `,${(10 + ((s * 7919 + rows * 104_729) % 8000) / 100).toFixed(2)}`;
    batch.push(`${row})`);
    rows++;
    // mysqldump cuts its extended INSERTs at about 1 MB (net_buffer_length).
    if (batch.length * row.length > 1024 * 1024) flush();
  }
  flush();
  out.write("UNLOCK TABLES;\n");
  out.close();
  return rows;
}

interface Measure {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMiB: number;
  readonly imported: string;
}

function importUnderTime(dump: string, db: string): Measure {
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, BIN, "import-legacy", "--dump", dump, "--db", `sqlite:${db}`], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`import-legacy exited ${result.status}:\n${result.stderr.slice(-3000)}`);
  const lines = result.stderr.trim().split("\n");
  const [wall, user, system, rssKiB] = lines.at(-1)!.split(" ").map(Number) as [number, number, number, number];
  const imported = /imported (\d+) values \((\d+) days, (\d+) symbols\)/.exec(result.stderr);
  return { wall, cpu: user + system, rssMiB: rssKiB / 1024, imported: imported ? `${Number(imported[1]).toLocaleString("en-US")} (${imported[2]} days × ${imported[3]} symbols)` : "?" };
}

const dir = tempDir("stock-rsi-bench-import-");
try {
  const version = execFileSync(process.execPath, ["--version"], { encoding: "utf8" }).trim();
  console.log(`Node ${version}; load average before: ${loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
  const cases: [string, string][] = [];
  const amongOthers = join(dir.path, "user-table-among-others.sql");
  userTableAmongOthers(amongOthers, targetBytes);
  cases.push(["the user's table among others", amongOthers]);
  const wide = join(dir.path, "one-wide-table.sql");
  oneWideTable(wide, targetBytes, 1000);
  cases.push(["one wide table (1,000 symbols, a row per weekday)", wide]);
  cases.push(["the user's dump", USER_DUMP]);

  console.log("| dump | size | values imported | wall | CPU | peak RSS |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  cases.forEach(([name, dump], i) => {
    const m = importUnderTime(dump, join(dir.path, `store-${i}.db`));
    const mib = statSync(dump).size / 1024 / 1024;
    console.log(`| ${name} | ${mib.toFixed(1)} MiB | ${m.imported} | ${m.wall.toFixed(2)} s | ${m.cpu.toFixed(2)} s | ${m.rssMiB.toFixed(0)} MiB |`);
  });
} finally {
  dir.cleanup();
}

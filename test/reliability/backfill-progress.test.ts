/**
 * `backfill` tells each day as it is stored (issue 17, the smaller items). It printed its
 * per-day lines only at the end, so a backfill killed half-way had stored days and said nothing
 * of them. Now each day's line goes to stdout when the day is decided, stderr carries a line per
 * day in a log (a progress bar on a terminal), and `--days-out` holds every day so far.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import type { Io } from "../../steps/command-line/io.ts";
import { captureIo, stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { querySqlite } from "../support/sqlite.ts";

const dir = tempDir("stock-rsi-backfill-progress-");
afterAll(() => dir.cleanup());

/** The trading days with stored values, in order; none while the file is not there yet. */
function storedDays(db: string): string[] {
  if (!existsSync(db)) return [];
  try {
    return querySqlite<{ d: string }>(db, "SELECT DISTINCT trade_date AS d FROM rsi_values ORDER BY d").map((r) => r.d);
  } catch {
    return []; // the schema is still being created
  }
}

/** The days a text says were stored: `2021-05-17 stored 180` lines, after `prefix`. */
function daysSaidStored(text: string, prefix = ""): string[] {
  return [...text.matchAll(new RegExp(`^${prefix}(\\d{4}-\\d\\d-\\d\\d) stored \\d+`, "gm"))].map((m) => m[1]!);
}

/**
 * What a terminal shows after `text`: a carriage return goes back to the line's start, ESC [ K
 * erases to its end, a newline starts the next line, and a character overwrites the one under
 * the cursor. stdout and stderr are the same terminal here, as they are for a user.
 */
function screen(text: string): string[] {
  const lines = [""];
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const row = lines.length - 1;
    if (ch === "\r") col = 0;
    else if (ch === "\n") {
      lines.push("");
      col = 0;
    } else if (ch === "\u001b" && text.startsWith("\u001b[K", i)) {
      lines[row] = lines[row]!.slice(0, col);
      i += 2;
    } else {
      lines[row] = lines[row]!.slice(0, col) + ch + lines[row]!.slice(col + 1);
      col++;
    }
  }
  return lines.filter((line, i) => line !== "" || i < lines.length - 1);
}

describe("backfill says each day as it is stored", () => {
  it("killed with SIGKILL half-way, it has said on stderr and in --days-out every day it stored (but the one being told)", async () => {
    const db = join(dir.path, "killed.db");
    const daysOut = join(dir.path, "killed-days.txt");
    let stderrSeen = "";
    const result = await stockRsi(
      ["backfill", USER_SYMBOLS, "--from", "2021-01-04", "--to", "2021-05-14", "--source", "sample", "--db", `sqlite:${db}`, "--days-out", daysOut],
      {
        timeoutMs: 180_000,
        onStart: (child) => {
          // Killed once three days are stored: seen on stderr (as told) or in the store itself.
          const kill = () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
          };
          child.stderr!.on("data", (d: Buffer) => {
            stderrSeen += d.toString();
            if (daysSaidStored(stderrSeen, "backfill: ").length >= 3) kill();
          });
          const poll = setInterval(() => {
            if (storedDays(db).length >= 3) kill();
          }, 10);
          child.on("exit", () => clearInterval(poll));
        },
      },
    );
    expect(result.code, "ended by the kill").toBe(-1);
    const stored = storedDays(db);
    const total = Number(/^backfill: 2021-01-04 stored 180 \(1 of (\d+) days\)$/m.exec(result.stderr)?.[1]);
    expect(total, "the first day's line, with the number of days").toBeGreaterThan(80);
    expect(stored.length, "killed half-way").toBeGreaterThanOrEqual(3);
    expect(stored.length).toBeLessThan(total);

    const told = daysSaidStored(result.stderr, "backfill: ");
    const inFile = daysSaidStored(readFileSync(daysOut, "utf8"));
    // What was said is true: each day told was stored, the file no later than stderr.
    for (const day of told) expect(inFile).toContain(day);
    for (const day of inFile) expect(stored).toContain(day);
    // And what was stored was said: every day but, at most, the one committed as the kill came.
    const untold = stored.filter((day) => !told.includes(day));
    expect(untold.length, `stored but never told: ${untold.join(" ")}`).toBeLessThanOrEqual(1);
  });

  it("on a terminal: each day's line stays on the screen above a bar of days done", async () => {
    const db = join(dir.path, "tty.db");
    const stored = await runCli(["run", USER_SYMBOLS, "--source", "sample", "--as-of", "2021-05-12", "--db", `sqlite:${db}`], captureIo({ now: new Date("2021-06-01T22:00:00Z") }));
    expect(stored).toBe(0);
    let terminal = "";
    const io: Io = { ...captureIo({ tty: true, now: new Date("2021-06-01T22:00:00Z") }), out: (t) => void (terminal += t), err: (t) => void (terminal += t) };
    const code = await runCli(["backfill", USER_SYMBOLS, "--from", "2021-05-11", "--to", "2021-05-13", "--source", "sample", "--db", `sqlite:${db}`], io);
    expect(code).toBe(0);
    const shown = screen(terminal);
    const days = shown.indexOf("2021-05-11 stored 180");
    expect(days, shown.join("\n")).toBeGreaterThan(0);
    expect(shown.slice(days)).toEqual([
      "2021-05-11 stored 180",
      "2021-05-12 skipped",
      "2021-05-13 stored 180",
      "[*************100%*************] 3 of 3 completed",
      "backfill: 3 trading days: 2 stored, 1 already stored and skipped, 0 refused by validation",
    ]);
  });

  it("in a log: one stderr line per day, with how far it has come", async () => {
    const db = join(dir.path, "log.db");
    const io = captureIo({ now: new Date("2021-06-01T22:00:00Z") });
    expect(await runCli(["backfill", USER_SYMBOLS, "--from", "2021-05-11", "--to", "2021-05-13", "--source", "sample", "--db", `sqlite:${db}`], io)).toBe(0);
    expect(io.stderr().split("\n").filter((l) => l.startsWith("backfill: 2021-"))).toEqual([
      "backfill: 2021-05-11 stored 180 (1 of 3 days)",
      "backfill: 2021-05-12 stored 180 (2 of 3 days)",
      "backfill: 2021-05-13 stored 180 (3 of 3 days)",
    ]);
    expect(io.stdout()).toBe("2021-05-11 stored 180\n2021-05-12 stored 180\n2021-05-13 stored 180\n");
  });
});

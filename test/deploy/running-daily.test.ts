/**
 * The daily run without Kubernetes (docs/running-daily.md): the systemd units as systemd itself
 * reads them (`systemd-analyze`, Debian's systemd package), and the crontab line of the docs run
 * through `sh` as cron would run it.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadAllCommands } from "../../cli/program.ts";
import { defaultConfig } from "../../synth/config.ts";
import { captureIo, REPO_ROOT, tempDir } from "../support/cli.ts";

const UNITS = join(REPO_ROOT, "deploy/systemd");
const dir = tempDir("stock-rsi-running-daily-");
afterAll(() => dir.cleanup());

const systemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
if (!systemdAnalyze && !process.env.CI) console.warn("skipping the systemd checks: systemd-analyze not found (Debian's systemd package has it)");

function run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { encoding: "utf8", env: env ?? process.env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `KEY=value` lines of a unit file's section, in order. */
function settings(unit: string, section: string): [string, string][] {
  const text = readFileSync(join(UNITS, unit), "utf8");
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? "";
  return body
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]);
}
const setting = (unit: string, section: string, key: string) => settings(unit, section).filter(([k]) => k === key).map(([, v]) => v);

/** The words after the stock-rsi program, as `run`'s parser sees them: which flags it does not know. */
async function unknownRunFlags(words: readonly string[]): Promise<string[]> {
  const factory = (await loadAllCommands()).find((f) => f(captureIo(), async () => 0).name() === "run")!;
  const command = factory(captureIo(), async () => 0);
  const { unknown } = command.parseOptions([...words]);
  return unknown;
}

/**
 * A root for `systemd-analyze verify --root`: the host's own unit files (targets the units
 * depend on), the shipped units in /etc/systemd/system, and an executable where ExecStart points.
 */
function scratchRoot(withExecutable: boolean): string {
  const root = join(dir.path, `root-${withExecutable}`);
  const hostUnits = "/usr/lib/systemd/system";
  mkdirSync(join(root, "usr/lib/systemd/system"), { recursive: true });
  for (const name of readdirSync(hostUnits)) {
    const path = join(hostUnits, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isFile()) copyFileSync(path, join(root, "usr/lib/systemd/system", name));
  }
  mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
  for (const unit of ["stock-rsi.service", "stock-rsi.timer"]) copyFileSync(join(UNITS, unit), join(root, "etc/systemd/system", unit));
  const [program] = setting("stock-rsi.service", "Service", "ExecStart")[0]!.split(" ");
  if (withExecutable) {
    mkdirSync(join(root, program!, ".."), { recursive: true });
    writeFileSync(join(root, program!), "#!/bin/sh\n");
    chmodSync(join(root, program!), 0o755);
  }
  return root;
}

describe.runIf(systemdAnalyze || process.env.CI)("the systemd units", () => {
  it("pass systemd-analyze verify, without a warning", () => {
    const verify = run("systemd-analyze", ["verify", `--root=${scratchRoot(true)}`, "stock-rsi.service", "stock-rsi.timer"]);
    expect(verify).toEqual({ code: 0, stdout: "", stderr: "" });
    // The check is real: without the program ExecStart names, the same units fail it.
    const missing = run("systemd-analyze", ["verify", `--root=${scratchRoot(false)}`, "stock-rsi.service", "stock-rsi.timer"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("stock-rsi.service: Command /opt/stock-rsi/bin/stock-rsi.mjs is not executable");
  });

  it("start stock-rsi run with flags run knows, the password from a credential, and the project's Node first on PATH", async () => {
    const [execStart] = setting("stock-rsi.service", "Service", "ExecStart");
    const [program, subcommand, ...words] = execStart!.split(" ");
    expect([program, subcommand]).toEqual(["/opt/stock-rsi/bin/stock-rsi.mjs", "run"]);
    expect(await unknownRunFlags(words)).toEqual([]);
    expect(setting("stock-rsi.service", "Service", "LoadCredential")).toEqual(["stock-rsi-mysql-password"]);
    expect(setting("stock-rsi.service", "Service", "Environment")).toContain("MYSQL_PASSWORD_FILE=%d/stock-rsi-mysql-password");
    expect(setting("stock-rsi.service", "Service", "Environment")).toContain("PATH=/opt/stock-rsi/node_modules/.bin:/usr/local/bin:/usr/bin:/bin");
    expect(readFileSync(join(UNITS, "stock-rsi.service"), "utf8")).not.toMatch(/password=|MYSQL_PASSWORD=/i);
  });

  it("fire at the CronWorkflow's time, 17:30 in New York on weekdays, across both daylight-saving changes", () => {
    const [onCalendar] = setting("stock-rsi.timer", "Timer", "OnCalendar");
    // The cluster's schedule, "30 17 * * 1-5" in America/New_York, is the laptop's.
    const [minute, hour, , , weekdays] = defaultConfig.schedule.crons[0]!.split(" ");
    expect([minute, hour, weekdays, defaultConfig.schedule.timeZone]).toEqual(["30", "17", "1-5", "America/New_York"]);
    expect(onCalendar).toBe(`Mon..Fri ${hour}:${minute} ${defaultConfig.schedule.timeZone}`);

    for (const base of ["2026-03-05 12:00 UTC", "2026-10-29 12:00 UTC"]) {
      const calendar = run("systemd-analyze", ["calendar", "--iterations=8", `--base-time=${base}`, onCalendar!], { ...process.env, TZ: "UTC" });
      expect(calendar.code, calendar.stderr).toBe(0);
      const elapses = [...calendar.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d):00 UTC/g)].map((m) => m[1]!);
      expect(elapses).toEqual(weekdayCloses(base.slice(0, 10), 8));
    }
  });
});

/** The next `count` weekdays' 17:30 in New York from `from` on, as UTC `YYYY-MM-DD HH:MM`. */
function weekdayCloses(from: string, count: number): string[] {
  const times: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); times.length < count; day = new Date(day.getTime() + 86_400_000)) {
    if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
    const date = day.toISOString().slice(0, 10);
    // 17:30 in New York is 21:30 UTC in summer, 22:30 in winter: the one New York reads as 17:30.
    const utc = ["21:30", "22:30"].find((t) => newYork(new Date(`${date}T${t}:00Z`)) === `${date} 17:30`)!;
    times.push(`${date} ${utc}`);
  }
  return times;
}

function newYork(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe("the crontab of docs/running-daily.md", () => {
  const block = /```crontab\n([\s\S]*?)```/.exec(readFileSync(join(REPO_ROOT, "docs/running-daily.md"), "utf8"))![1]!;
  const lines = block.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  const env = Object.fromEntries(lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const jobs = lines.filter((l) => !/^[A-Z_]+=/.test(l));
  const [minute, hour, dayOfMonth, month, dayOfWeek, ...rest] = jobs[0]!.split(/\s+/);
  // cron's own processing of the command (crontab(5)): `\%` is a literal %, an unescaped % ends it.
  const command = jobs[0]!.replace(/^(\S+\s+){5}/, "");
  const asShellRuns = command.replace(/\\%/g, "%");

  it("is one job of five time fields and a command without an unescaped %, with the password from a file", () => {
    expect(jobs).toHaveLength(1);
    expect([minute, hour, dayOfMonth, month, dayOfWeek]).toEqual(["30", "*", "*", "*", "*"]);
    expect(rest.length).toBeGreaterThan(0);
    expect(command).not.toMatch(/(^|[^\\])%/);
    expect(Object.keys(env).sort()).toEqual(["MYSQL_PASSWORD_FILE", "PATH"]);
    expect(env.PATH!.split(":")[0]).toBe("/opt/stock-rsi/node_modules/.bin");
    expect(block).not.toMatch(/MYSQL_PASSWORD=/);
  });

  it("runs stock-rsi run with flags run knows", async () => {
    const words = asShellRuns.slice(asShellRuns.indexOf("stock-rsi run ") + "stock-rsi run ".length).split(" ");
    const flags = words.slice(0, words.findIndex((w) => w.startsWith(">")));
    expect(flags[0]).toBe("symbols");
    expect(await unknownRunFlags(flags)).toEqual([]);
  });

  it("goes on exactly once each weekday, at 17:xx in New York, on a machine in UTC or in India, on both sides of the daylight-saving changes", () => {
    const gate = asShellRuns.slice(0, asShellRuns.indexOf(" && cd "));
    expect(gate).toContain("TZ=America/New_York date");
    // A stand-in `date` that reads the clock from FAKE_NOW (seconds since 1970), as the real one would read it at that moment.
    const bin = join(dir.path, "bin");
    mkdirSync(bin, { recursive: true });
    const realDate = run("sh", ["-c", "command -v date"]).stdout.trim();
    writeFileSync(join(bin, "date"), `#!/bin/sh\nexec ${realDate} -d "@$FAKE_NOW" "$@"\n`);
    chmodSync(join(bin, "date"), 0o755);

    // Friday to Tuesday around the US changes to and from daylight saving in 2026 (Sunday March 8, Sunday November 1).
    for (const [from, to] of [["2026-03-06", "2026-03-11"], ["2026-10-30", "2026-11-04"]] as const) {
      for (const zone of ["UTC", "Asia/Kolkata"]) {
        const fires = fireTimes(from, to, zone);
        const script = `for t in ${fires.join(" ")}; do FAKE_NOW=$t; export FAKE_NOW; if ${gate}; then echo $t; fi; done`;
        const passed = run("sh", ["-c", script], { PATH: `${bin}:/usr/bin:/bin` });
        expect(passed.code, passed.stderr).toBe(0);
        const runs = passed.stdout.trim().split("\n").map((t) => newYork(new Date(Number(t) * 1000)));
        const weekdays = [...new Set(runs.map((r) => r.slice(0, 10)))];
        expect(runs, `${zone}, ${from} to ${to}`).toHaveLength(weekdays.length);
        expect(weekdays).toEqual(nyWeekdays(from, to));
        for (const r of runs) expect(r.slice(11, 13)).toBe("17");
      }
    }
  });
});

/** When cron fires `30 * * * *` on a machine in `zone`: minute 30 of its every hour, in seconds since 1970. */
function fireTimes(from: string, to: string, zone: string): number[] {
  const minuteOf = new Intl.DateTimeFormat("en-GB", { timeZone: zone, minute: "2-digit" });
  const times: number[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms < Date.parse(`${to}T00:00:00Z`); ms += 15 * 60_000) {
    if (minuteOf.format(new Date(ms)) === "30") times.push(ms / 1000);
  }
  return times;
}

/** The weekdays in New York whose 17:00 to 18:00 falls between `from` and `to` (UTC midnights). */
function nyWeekdays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms < Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) {
    const date = new Date(ms).toISOString().slice(0, 10);
    const weekday = new Date(ms).getUTCDay();
    // 17:30 in New York is before the next UTC midnight all year.
    if (weekday >= 1 && weekday <= 5) days.push(date);
  }
  return days;
}

/**
 * `stock-rsi` lists its subcommands without loading them: what the list in cli/program.ts shows of
 * each must be what the subcommand itself says, and `--help` must read the same either way. A
 * subcommand's `--help` loads its flags, not its work: no database driver, artifact contract,
 * Yahoo client or mailer.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS, loadAllCommands, runCli } from "../../cli/program.ts";
import { runCommandLine } from "../../steps/command-line/program.ts";
import { BIN, captureIo, exec, REPO_ROOT, tempDir } from "../support/cli.ts";

/** What commander's help shows of a command in a list: name|alias, [options], arguments. */
function term(command: Command): string {
  return command.createHelp().subcommandTerm(command);
}

describe("the lazily loaded subcommands", () => {
  it("are listed as they describe themselves", async () => {
    const loaded = await loadAllCommands();
    expect(loaded).toHaveLength(COMMANDS.length);
    // A failure here means a subcommand changed its name, description or arguments: say the same
    // in its entry in cli/program.ts.
    COMMANDS.forEach((listed, i) => {
      const command = loaded[i]!(captureIo(), async () => 0);
      expect(command.name()).toBe(listed.name);
      expect(command.aliases()).toEqual(listed.aliases ?? []);
      expect(command.description()).toBe(listed.description);
      expect(term(command)).toBe([listed.name, ...(listed.aliases ?? []).slice(0, 1)].join("|") + ` ${listed.usage}`);
    });
  });

  it("give the same --help, and the same refusals, as the loaded commands", async () => {
    const loaded = await loadAllCommands();
    for (const argv of [["--help"], ["help", "run"], ["validate", "--help"], ["valdate"], ["compute", "--in", "x"]]) {
      const lazy = captureIo();
      const eager = captureIo();
      const lazyCode = await runCli(argv, lazy);
      const eagerCode = await runCommandLine(argv, eager, loaded);
      expect([lazyCode, lazy.stdout(), lazy.stderr()], argv.join(" ")).toEqual([eagerCode, eager.stdout(), eager.stderr()]);
    }
  });
});

const loads = tempDir("stock-rsi-loads-");
afterAll(() => loads.cleanup());

/**
 * The source files and packages `stock-rsi ARGS` loads, run by the real bin, relative to the
 * repository root (`steps/fetch/command.ts`, `node_modules/zod/...`). A chunk of the built command
 * line stands for the sources esbuild put in it (its metafile says which); run from the sources
 * through tsx (a stale build), each source file is itself.
 */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const file = join(loads.path, `${args.length}-${args[0]}.txt`);
  const recorder = pathToFileURL(join(REPO_ROOT, "test/support/record-loads.mjs")).href;
  const result = await exec(process.execPath, ["--import", recorder, BIN, ...args], {
    env: { ...process.env, ARGO_PROGRESS_FILE: undefined, STOCK_RSI_TEST_LOADS: file },
  });
  expect(result.code, result.stderr).toBe(0);
  const build = join(REPO_ROOT, "build/cli");
  const metafile = existsSync(join(build, "metafile.json"))
    ? (JSON.parse(readFileSync(join(build, "metafile.json"), "utf8")) as { outputs: Record<string, { inputs: Record<string, unknown> }> })
    : { outputs: {} };
  // Keyed by the path inside build/cli: esbuild names the outputs in the directory it built into.
  const chunks = new Map(Object.entries(metafile.outputs).map(([output, { inputs }]) => [output.replace(/^.*?\/cli[^/]*\//, ""), Object.keys(inputs)]));
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file:"))
    .flatMap((url) => {
      const path = relative(REPO_ROOT, fileURLToPath(url));
      return path.startsWith("build/cli/") ? (chunks.get(path.slice("build/cli/".length)) ?? [path]) : [path];
    });
}

/** What a subcommand does, as against what it is: the npm packages a `--help` has no use for. */
const WORK_PACKAGES = /node_modules\/(zod|yahoo-finance2|better-sqlite3|mysql2|nodemailer)\//;

/** The recorder hooks module loading with `module.registerHooks`, which Node has from 22.15 (engines allow 22.12). */
const canRecord = typeof (await import("node:module")).registerHooks === "function";
if (!canRecord) console.warn(`skipping what a --help loads: Node ${process.version} has no module.registerHooks (Node 22.15 or later has)`);

describe.runIf(canRecord)("a subcommand's --help", () => {
  it.each([
    // [command, its own module (loaded), modules of its work (not loaded)]
    ["fetch", "steps/fetch/command.ts", ["steps/fetch/step.ts", "steps/domain/artifacts.ts", "steps/fetch/sources/yahoo.ts"]],
    ["run", "cli/run/command.ts", ["cli/run/local-run.ts", "steps/store/open-store.ts", "steps/domain/artifacts.ts", "steps/notify/channels.ts"]],
    ["history", "cli/history.ts", ["steps/store/open-store.ts", "steps/store/sqlite.ts", "steps/report/history-chart.ts"]],
    ["migrate", "cli/migrate.ts", ["steps/store/open-store.ts", "steps/store/sqlite.ts"]],
    ["ranking", "cli/ranking.ts", ["steps/store/open-store.ts", "steps/store/sqlite.ts"]],
    ["status", "cli/status.ts", ["steps/store/open-store.ts", "steps/store/sqlite.ts"]],
  ])("stock-rsi %s --help loads its flags, not its work", async (command, own, work) => {
    const loaded = await modulesLoadedBy([command, "--help"]);
    // Seen loaded: the recording works and this is the subcommand's help.
    expect(loaded).toContain(own);
    expect(loaded).toContain("steps/pipeline.ts");
    expect(loaded.filter((path) => WORK_PACKAGES.test(path))).toEqual([]);
    expect(loaded.filter((path) => work.includes(path))).toEqual([]);
  });

  it("is told apart from a run, which the same recording sees load the work", async () => {
    // So an empty list above means "not loaded", not "not seen".
    writeFileSync(join(loads.path, "symbols"), "AAPL\nMSFT\n");
    const run = [join(loads.path, "symbols"), "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${join(loads.path, "run.db")}`];
    const loaded = await modulesLoadedBy(["run", ...run]);
    expect(loaded.filter((path) => WORK_PACKAGES.test(path)).map((path) => path.split("/")[1])).toEqual(expect.arrayContaining(["zod", "better-sqlite3"]));
    expect(loaded).toEqual(expect.arrayContaining(["cli/run/local-run.ts", "steps/fetch/step.ts", "steps/domain/artifacts.ts", "steps/store/open-store.ts"]));
  });
});

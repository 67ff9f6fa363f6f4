/**
 * What the README and docs/ say the program takes and does, held to the program itself: the
 * flags of each step in docs/pipeline.md, the Argo parameters in docs/deploying.md, `run`'s flags
 * and the exit statuses in the README, every flag any page names, and the Debian packages CI
 * installs. Each list is read from the page and compared with what the commands, the pipeline
 * definition or dist/ hold, so neither side can change alone.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { loadAllCommands } from "../cli/program.ts";
import { localRetries } from "../cli/run/executor.ts";
import { ExitCode } from "../steps/domain/errors.ts";
import { backfillPipeline, pipeline } from "../steps/pipeline.ts";
import { captureIo, REPO_ROOT } from "./support/cli.ts";
import { loadManifests } from "./synth/support/manifests.ts";

/** A page's text, with link targets left out (`[why](decisions.md#--price-field-...)` names no flag). */
const read = (page: string) => readFileSync(join(REPO_ROOT, page), "utf8").replace(/\]\([^)\s]*\)/g, "]");
const pages = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Every `stock-rsi` subcommand by each of its names (`compute` is `compute-rsi`). */
const commands = new Map<string, Command>();
for (const factory of await loadAllCommands()) {
  const command = factory(captureIo(), async () => 0);
  for (const name of [command.name(), ...command.aliases()]) commands.set(name, command);
}
/** A command's flags; `--help`, which every command has, only when asked. */
const flagsOf = (command: Command, help: "with --help" | "" = ""): string[] => [...command.options.map((o) => o.long!), ...(help ? ["--help"] : [])];
const flagsIn = (text: string): string[] => [...new Set([...text.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** The lines of `page` from the first that starts with `start` to the first blank line after it. */
function paragraph(page: string, start: string): string {
  const text = read(page);
  const at = text.indexOf(start);
  expect(at, `${page}: no paragraph starting "${start}"`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf("\n\n", at);
  return text.slice(at, end < 0 ? undefined : end);
}

/** A Markdown table's rows as cells, from the table that follows the line starting with `after`. */
function tableAfter(page: string, after: string): string[][] {
  const rest = read(page).slice(read(page).indexOf(after));
  const lines = rest.split("\n").slice(1);
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows = lines.slice(first, lines.findIndex((l, i) => i > first && !l.startsWith("|")));
  // The header row and the |---| row.
  return rows.slice(2).map((row) => row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

describe("docs/pipeline.md's list of the steps' commands", () => {
  /** Each `stock-rsi STEP ...` entry of the first sh block after the heading, with its continuation lines. */
  function synopsis(): Map<string, string> {
    const text = read("docs/pipeline.md");
    const block = /## The steps and their artifacts[\s\S]*?```sh\n([\s\S]*?)```/.exec(text)![1]!;
    const entries = new Map<string, string>();
    let current: string | undefined;
    for (const line of block.split("\n")) {
      const named = /^stock-rsi ([a-z-]+)/.exec(line);
      if (named) entries.set((current = named[1]!), line);
      else if (current && /^\s/.test(line)) entries.set(current, `${entries.get(current)!}\n${line}`);
    }
    return entries;
  }

  it("shows every step of both DAGs and their exit step, each with exactly the flags its command takes", () => {
    const entries = synopsis();
    const exitSteps = [pipeline.onExit, backfillPipeline.onExit].filter((s) => s !== undefined);
    const steps = new Set([...pipeline.steps, ...backfillPipeline.steps, ...exitSteps].map((s) => s.name));
    expect(sorted(entries.keys())).toEqual(sorted(steps));
    for (const step of steps) expect(sorted(flagsIn(entries.get(step)!)), `stock-rsi ${step}`).toEqual(sorted(flagsOf(commands.get(step)!)));
  });
});

describe("docs/deploying.md's Argo parameters", () => {
  const templates = new Map(
    loadManifests()
      .filter((m) => m.object.kind === "WorkflowTemplate")
      .map((m) => {
        const spec = m.object.spec as { arguments: { parameters: { name: string }[] } };
        return [m.object.metadata.name, spec.arguments.parameters.map((p) => p.name)] as const;
      }),
  );

  it("are every parameter of the daily WorkflowTemplate in dist/, and no other", () => {
    // The names in backticks outside parentheses (which hold examples and values), in the list's sentence.
    let text = paragraph("docs/deploying.md", "Parameters (`-p NAME=VALUE`)");
    for (let before = ""; before !== text; ) [before, text] = [text, text.replace(/\([^()]*\)/g, "")];
    const sentence = text.slice(0, text.indexOf(". "));
    const named = new Set([...sentence.matchAll(/`([a-z][a-z-]*)`/g)].map((m) => m[1]!));
    expect(sorted(named)).toEqual(sorted(templates.get(pipeline.name)!));
  });

  it("of the backfill template are the daily ones with a range for as-of, as the page says, which names the range", () => {
    const daily = templates.get(pipeline.name)!.filter((name) => name !== "as-of");
    expect(sorted(templates.get(backfillPipeline.name)!)).toEqual(sorted([...daily, "from", "to", "overwrite"]));
    const backfill = read("docs/deploying.md").split("### Filling the days a run missed")[1]!.split("\n## ")[0]!;
    for (const name of ["from", "to", "overwrite"]) expect(backfill).toContain(`-p ${name}=`);
    expect(backfill).toContain("The daily run's parameters");
  });
});

describe("the README's run flags and exit statuses", () => {
  const RUN_FLAGS = "`run` takes every run parameter and setting";

  it("list every flag of run in its table, and no other", () => {
    const table = tableAfter("README.md", RUN_FLAGS);
    expect(sorted(table.flatMap((row) => flagsIn(row[0]!)))).toEqual(sorted(flagsOf(commands.get("run")!)));
  });

  it("name each flag a step takes that run does not, other than the files run names itself", () => {
    const run = new Set(flagsOf(commands.get("run")!));
    const files = new Set<string>(pipeline.steps.flatMap((s) => [...s.inputs, ...s.outputs, ...s.outputParameters].map((f) => f.flag)));
    const stepOnly = pipeline.steps.flatMap((s) => flagsOf(commands.get(s.name)!)).filter((f) => !run.has(f) && !files.has(f));
    expect(stepOnly.length).toBeGreaterThan(0);
    expect(sorted(flagsIn(paragraph("README.md", RUN_FLAGS).split("\n")[0]!))).toEqual(sorted(new Set(stepOnly)));
  });

  const exitTable = () => new Map(tableAfter("README.md", "Exit statuses, the same for every command").map((row) => [Number(row[0]!.replace(/`/g, "")), row]));

  it("give every exit status there is, and each command's --help lists only those", () => {
    const table = exitTable();
    expect(sorted([...table.keys()].map(String))).toEqual(sorted(Object.values(ExitCode).map(String)));
    for (const [name, command] of commands) {
      let after = "";
      command.configureOutput({ writeOut: (s) => void (after += s), writeErr: () => undefined });
      command.outputHelp();
      const listed = [...after.slice(after.indexOf("Exit status:")).matchAll(/^ {2}(\d+) +(.*)$/gm)];
      expect(listed.length, `${name} --help:\n${after}`).toBeGreaterThan(0);
      for (const [, code, meaning] of listed) {
        expect(table.has(Number(code)), `${name}: exit ${code}`).toBe(true);
        expect(meaning, `${name}: exit ${code}`).not.toBe("?");
      }
    }
  });

  it("say which steps Argo retries on exit 3, and what a local run does then, from the pipeline's retry definitions", () => {
    const table = exitTable();
    const retried = new Set([...pipeline.steps, ...backfillPipeline.steps].filter((s) => s.retry).map((s) => s.name));
    const [, meaning, argo] = table.get(ExitCode.unavailable)!;
    expect(meaning).toContain(`a local \`run\` ${localRetries(pipeline)}`);
    expect(sorted(argo!.replace(/\*\*yes\*\*:?/, "").split(/,\s*/).map((s) => s.trim()))).toEqual(sorted(retried));
    for (const [code, row] of table) if (code !== ExitCode.unavailable) expect(row[2], `exit ${code}`).toMatch(/^(no)?$/);
  });

  it("run --help says what it does after an exit 3", () => {
    let help = "";
    const run = commands.get("run")!;
    run.configureOutput({ writeOut: (s) => void (help += s), writeErr: () => undefined });
    run.outputHelp();
    expect(help.replace(/\s+/g, " ")).toContain(`When a step exits 3, run ${localRetries(pipeline)}`);
  });
});

describe("every page", () => {
  /** Flags of other programs the pages show, by the program. */
  const OTHER_PROGRAMS: Readonly<Record<string, string>> = {
    "--from-literal": "kubectl create secret",
    "--server-side": "kubectl apply",
    "--timeout": "kubectl rollout status",
    "--watch": "argo submit",
    "--force": "argo delete",
    "--target": "docker build",
    "--build-arg": "docker build",
    "--secret": "docker build",
    "--builder": "npm run images",
    "--push": "npm run images",
    "--insecure": "npm run images",
    "--sizes": "npm run bench:compute",
    "--runs": "npm run bench:compute",
    "--node": "npm run bench:compute",
    "--noEmit": "tsc",
    "--system": "useradd",
    "--home-dir": "useradd",
    "--now": "systemctl enable",
    "--platform": "npm run images",
    "--registry": "npm run images",
    "--tag": "npm run images",
    "--auth-mode": "argo server",
    "--skip-grant-tables": "mysqld",
    "--init-file": "mysqld",
    "--duration": "kubectl create token",
    "--service-account-max-token-expiration": "kube-apiserver",
    "--type": "kubectl patch",
    "--for": "kubectl wait",
    "--user": "mysql",
    "--execute": "mysql",
    "--password": "mysql",
    "--digestfile": "buildah push",
    "--metadata-file": "docker buildx build",
    "--use": "docker buildx create",
    "--from-file": "kubectl create secret",
    "--dry-run": "kubectl create secret",
    "--databases": "mysqldump",
    "--all-databases": "mysqldump",
    "--replace": "mysqldump",
    "--insert-ignore": "mysqldump",
    "--skip-extended-insert": "mysqldump",
    "--complete-insert": "mysqldump",
    "--mb": "npm run bench:import-legacy",
  };

  it("names only flags that exist", () => {
    const known = new Set([...commands.values()].flatMap((c) => flagsOf(c, "with --help")));
    const unknown = pages.flatMap((page) =>
      flagsIn(read(page).replace(/--noEmit/g, ""))
        .filter((flag) => !known.has(flag) && !(flag in OTHER_PROGRAMS))
        .map((flag) => `${page}: ${flag}`),
    );
    expect(unknown).toEqual([]);
  });

  it("gives a stock-rsi command only flags that command takes", () => {
    const wrong: string[] = [];
    for (const page of pages) {
      const text = read(page);
      const inline = [...text.matchAll(/`([^`\n]*stock-rsi [^`\n]*)`/g)].map((m) => m[1]!);
      const codeLines = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));
      for (const line of [...inline, ...codeLines]) {
        const use = /stock-rsi ([a-z][a-z-]*)(.*)/.exec(line);
        const command = use && commands.get(use[1]!);
        if (!command) continue;
        // The command's own words end at a comment or a pipe.
        const words = use[2]!.split(/\s#|\|/)[0]!;
        const takes = new Set(flagsOf(command, "with --help"));
        for (const flag of flagsIn(words)) if (!takes.has(flag)) wrong.push(`${page}: stock-rsi ${use[1]} ${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("names only exit statuses there are, or a signal's as a shell reports it (128 + its number: 130, 137, 143)", () => {
    // 64 is Argo's executor's, in deploying.md's table of failures.
    const statuses = new Set<number>([...Object.values(ExitCode), 64]);
    const bySignal = (status: number) => status > 128 && status <= 128 + 64;
    const unknown = pages.flatMap((page) =>
      [...read(page).matchAll(/\b(?:exit(?:s|ed)?(?: status| code)?|status) (\d+)\b/gi)]
        .filter((m) => !statuses.has(Number(m[1])) && !bySignal(Number(m[1])))
        .map((m) => `${page}: ${m[0]}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe("docs/images-and-ci.md", () => {
  it("lists the Debian packages .ci/run installs", () => {
    const installed = /^for pkg in ([^;]+); do$/m.exec(read(".ci/run"))![1]!.split(/\s+/);
    const item = /^1\. the Debian packages the tests need \(([^)]*)\)/m.exec(read("docs/images-and-ci.md"))![1]!;
    expect(sorted([...item.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))).toEqual(sorted(installed));
  });
});

/**
 * One grammar for every number a run is configured with (issue 17, item 12): plain decimal,
 * digits and, where a fraction makes sense, a point and more digits. `--max-failed-share 0x1`,
 * `' 0.5'` and `1e-400` were taken (as 1, 0.5 and 0) while the whole-number flags refused `0x10`
 * and `1e3`; and no integer flag had an upper bound.
 *
 * The table is walked, not written: every option of every `stock-rsi` command whose parser gives
 * a number, so a numeric flag added to `steps/pipeline.ts` (or to a command of its own) is in it
 * the day it is added. The Argo side is walked in `dist/`: every `--flag {{inputs.parameters.X}}`
 * a WorkflowTemplate's container is started with gets the same texts, through the step's own
 * command line, which is where Argo's parameter values are checked.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { loadAllCommands, runCli } from "../../cli/program.ts";
import { UserError } from "../../steps/domain/errors.ts";
import type { NumberRange } from "../../steps/domain/values.ts";
import { MAX_TIMER_MS } from "../../steps/fetch/scheduler.ts";
import { backfillPipeline, pipeline } from "../../steps/pipeline.ts";
import { parseMysqlUrl } from "../../steps/store/mysql/connection.ts";
import { renderPipelineSpec, type PipelineDeployment } from "../../workflows/pipeline-template.ts";
import { captureIo, REPO_ROOT } from "../support/cli.ts";
import { loadManifests } from "../synth/support/manifests.ts";
import { expectPrintable } from "./support.ts";

/** Texts no numeric flag may take: each was read as some number, or is one a typo makes. */
const NOT_PLAIN_DECIMAL = [
  "0x1",
  "0x10",
  "0b1",
  "0o7",
  " 0.5",
  "0.5 ",
  " 1",
  "1\t",
  "1e3",
  "1e-400",
  "1E2",
  "+1",
  "-1",
  "-0",
  "",
  "1_000",
  "1,5",
  ".5",
  "5.",
  "1..2",
  "Infinity",
  "NaN",
  "١",
  "１",
  "½",
  "1\n2\u001b[31m",
];
/** Plain decimal in form, but past every bound: each numeric flag has one. */
const PAST_EVERY_BOUND = ["99999999999999999999", `1${"0".repeat(400)}`];
/** A non-zero value written without an exponent that a double reads as 0. */
const UNDERFLOW = `0.${"0".repeat(400)}1`;

interface NumericFlag {
  readonly command: string;
  readonly flag: string;
  readonly range: NumberRange | undefined;
  readonly parse: (text: string) => unknown;
}

const commands: Command[] = (await loadAllCommands()).map((factory) => factory(captureIo(), async () => 0));

/** Whether an option's parser gives a number for some plain number: then it is a numeric flag. */
function givesNumber(option: Option): boolean {
  const parse = option.parseArg as ((text: string, previous: unknown) => unknown) | undefined;
  if (!parse) return false;
  return ["0", "1", "2", "5", "14", "60", "0.5"].some((text) => {
    try {
      return typeof parse(text, undefined) === "number";
    } catch {
      return false;
    }
  });
}

const numericFlags: NumericFlag[] = commands.flatMap((command) =>
  command.options.filter(givesNumber).map((option) => ({
    command: command.name(),
    flag: option.long!,
    range: (option.parseArg as { range?: NumberRange }).range,
    parse: (text: string) => option.parseArg!(text, undefined),
  })),
);

/** Runs one command line in-process and returns its exit status and what it printed on stderr. */
async function stockRsiInProcess(argv: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, stderr: io.stderr(), stdout: io.stdout() };
}

/** A refused flag value: exit 2, one line naming the flag and quoting what it was given, nothing else. */
function expectFlagRefused(result: { code: number; stderr: string; stdout: string }, flag: string, text: string): void {
  const where = `${flag} ${JSON.stringify(text)}`;
  expect(result.code, `${where}\n${result.stderr}`).toBe(2);
  expect(result.stdout, where).toBe("");
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines, where).toHaveLength(1);
  expectPrintable(result.stderr);
  expect(lines[0], where).toMatch(new RegExp(`^error: option '${flag} [<[][a-z|]+[>\\]]' argument '.*' is invalid\\. `, "s"));
  expect(lines[0], where).toContain(`got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)}`);
}

describe("every numeric flag of every command", () => {
  it("is found by walking the commands, and each has a range (bounds, fraction or not) the tests and docs can read", () => {
    const names = numericFlags.map((f) => `${f.command} ${f.flag}`);
    // The walk finds the pipeline's numeric run parameters on the commands that take them,
    // and report's own --days: proof that it reaches flags outside steps/pipeline.ts too.
    for (const parameter of backfillPipeline.parameters.concat(pipeline.parameters)) {
      if (!("range" in parameter.parse)) continue;
      expect(names).toContain(`run ${parameter.flag}`.replace("run --from", "backfill --from"));
    }
    expect(names).toContain("report --days");
    expect(names).toContain("backfill --period");
    for (const flag of numericFlags) expect(flag.range, `${flag.command} ${flag.flag} has no range`).toBeDefined();
  });

  describe.each(numericFlags.map((f) => [`${f.command} ${f.flag}`, f] as const))("%s", (_name, numeric) => {
    it.each(NOT_PLAIN_DECIMAL)("refuses %j with exit 2 and one line naming the flag", async (text) => {
      expectFlagRefused(await stockRsiInProcess([numeric.command, numeric.flag, text]), numeric.flag, text);
    });

    it("refuses a value past its bound, and a non-zero value too small to tell from 0", async () => {
      for (const text of [...PAST_EVERY_BOUND, UNDERFLOW]) {
        expectFlagRefused(await stockRsiInProcess([numeric.command, numeric.flag, text]), numeric.flag, text);
      }
    });

    it("takes its bounds and plain digits, and refuses one past either bound", () => {
      const { min, max, fraction } = numeric.range!;
      expect(numeric.parse(String(min))).toBe(min);
      expect(numeric.parse(String(max))).toBe(max);
      expect(numeric.parse(`0${max}`), "a leading zero is still plain digits").toBe(max);
      expect(() => numeric.parse(String(max + 1))).toThrow(/expected .* to .*, got/);
      if (min > 0) expect(() => numeric.parse(String(min - 1))).toThrow(/expected .* to .*, got/);
      if (fraction) expect(numeric.parse("0.25")).toBe(0.25);
      else expect(() => numeric.parse("1.0")).toThrow(/whole number in plain digits/);
    });

    it("reads a value as written or refuses it: never a nearby number a longer text rounds to", () => {
      const { max, fraction } = numeric.range!;
      if (!fraction) return;
      expect(() => numeric.parse(`${max}.0000000000000000001`)).toThrow(`which has more digits than a number holds and would be read as ${max}`);
      expect(() => numeric.parse(`0.${"3".repeat(20)}`)).toThrow(/more digits than a number holds/);
      expect(numeric.parse(`0.${"3".repeat(15)}`)).toBe(Number(`0.${"3".repeat(15)}`));
      expect(numeric.parse("0.25000000000000000000"), "trailing zeros change no digit").toBe(0.25);
      expect(numeric.parse("0.0000001")).toBe(1e-7);
    });
  });
});

describe("the documented bounds", () => {
  it("docs/pipeline.md's table lists every numeric flag with the range its parser holds", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/pipeline.md"), "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| `(?:[a-z-]+ )?(--[a-z-]+)` \| ([0-9.]+)–([0-9.]+) \|/gm)].map((m) => [m[1]!, { min: Number(m[2]), max: Number(m[3]) }]),
    );
    for (const { command, flag, range } of numericFlags) {
      expect(rows.get(flag), `${command} ${flag} in docs/pipeline.md`).toEqual({ min: range!.min, max: range!.max });
    }
  });
});

describe("every numeric Argo parameter", () => {
  /** Each `--flag {{inputs.parameters.NAME}}` pair a WorkflowTemplate in dist/ starts a container with. */
  const templated = loadManifests()
    .filter((m) => m.object.kind === "WorkflowTemplate")
    .flatMap((m) => {
      const spec = m.object.spec as { templates: { name: string; container?: { args: string[] } }[] };
      return spec.templates.flatMap((template) => {
        const args = template.container?.args ?? [];
        return args.flatMap((word, i) =>
          /^\{\{inputs\.parameters\.[a-z-]+\}\}$/.test(word) ? [{ workflow: m.object.metadata.name, template: template.name, args, index: i, flag: args[i - 1]! }] : [],
        );
      });
    });
  const defaults = new Map([...pipeline.parameters, ...backfillPipeline.parameters].map((p) => [`{{inputs.parameters.${p.name}}}`, p.default]));
  const defaultOf = (word: string): string | undefined => defaults.get(word);
  const numericTemplated = templated.filter(({ template, flag }) => numericFlags.some((f) => f.command === template && f.flag === flag));

  it("is checked by the step's own flag: each template passes them as flags of its command", () => {
    const numericParameters = [...pipeline.parameters, ...backfillPipeline.parameters].filter((p) => "range" in p.parse).map((p) => p.name);
    const passed = new Set(numericTemplated.map((t) => t.args[t.index]!.slice("{{inputs.parameters.".length, -"}}".length)));
    expect([...passed].sort()).toEqual([...new Set(numericParameters)].sort());
  });

  it.each(numericTemplated.map((t) => [`${t.workflow}: ${t.template} ${t.flag}`, t] as const))(
    "%s: a value in another grammar is refused when the step starts",
    async (_name, { args, index, flag }) => {
      for (const text of ["0x10", "1e3", " 0.5", "1e-400", "99999999999999999999"]) {
        // The other parameters as Argo fills them by default; this one as someone typed it.
        const argv = args.map((word, i) => (i === index ? text : (defaultOf(word) ?? word)));
        expectFlagRefused(await stockRsiInProcess(argv), flag, text);
      }
    },
  );

  it("a deployment's default in another grammar fails synth, naming the parameter", () => {
    const deployment: PipelineDeployment = {
      serviceAccountName: "sa",
      artifactGcServiceAccountName: "sa-gc",
      inputSources: { symbols: { configMap: "inputs", key: "symbols" } },
      parameterDefaults: { "max-failed-share": "0x1" },
      settings: { db: "sqlite:x.db", "run-id": "{{workflow.name}}" },
      settingNeeds: {},
      imageFor: (step) => `registry/${step}:1`,
      runAsUser: 1000,
    };
    expect(() => renderPipelineSpec(pipeline, deployment)).toThrow(
      'deployment config: parameters.max-failed-share: expected a plain decimal number such as 0.25 (digits, optionally a point and more digits; no sign, exponent or spaces), got "0x1"',
    );
  });
});

describe("numbers elsewhere and timers", () => {
  it("a MySQL URL's retry-deadline takes the same grammar", () => {
    const refused = (text: string) => {
      try {
        parseMysqlUrl(`mysql://u@db/x?retry-deadline=${encodeURIComponent(text)}`, { env: {}, readFile: () => "", notASocket: () => undefined });
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      throw new Error(`retry-deadline=${JSON.stringify(text)} was taken`);
    };
    for (const text of ["0x10", "1e3", " 5", "5 ", "-1", "Infinity", "3601", UNDERFLOW, "2.0000000000000000001"]) {
      expect(refused(text), text).toMatch(/^--db: retry-deadline in ".*" is not a number of seconds between 0 and 3600: /);
    }
    expect(parseMysqlUrl("mysql://u@db/x?retry-deadline=2.5", { env: {}, readFile: () => "", notASocket: () => undefined }).retry.deadlineMs).toBe(2500);
  });

  it("no flag that sets a timer can ask for more than a Node timer can wait (2^31 - 1 ms)", () => {
    const msPerUnit: Record<string, number> = { "--fetch-deadline-seconds": 1000, "--request-interval-ms": 1, "--notify-deadline-seconds": 1000 };
    const timerFlags = numericFlags.filter((f) => f.flag in msPerUnit);
    expect(new Set(timerFlags.map((f) => f.flag))).toEqual(new Set(Object.keys(msPerUnit)));
    for (const f of timerFlags) expect(f.range!.max * msPerUnit[f.flag]!, `${f.command} ${f.flag}`).toBeLessThanOrEqual(MAX_TIMER_MS);
  });
});

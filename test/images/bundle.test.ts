/**
 * Each step's bundle holds only the code that step runs: the source that talks to Yahoo is only
 * in fetch, the database drivers and the native addon only in persist.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_DIR, BUNDLE_FILE, bundleStep, COMMAND_PATH, launcher, type StepBundle } from "../../images/bundle.ts";
import { pipeline, type StepName } from "../../steps/pipeline.ts";
import { computeCommand } from "../../steps/compute-rsi/command.ts";
import { fetchCommand } from "../../steps/fetch/command.ts";
import { persistCommand } from "../../steps/persist/command.ts";
import { validateCommand } from "../../steps/validate/command.ts";
import { captureIo, tempDir } from "../support/cli.ts";

const out = tempDir("stock-rsi-bundles-");
const bundles = {} as Record<StepName, StepBundle>;
const packagesOf = (step: StepName) => bundles[step].packages.map((p) => p.name);
/** Each step's subcommand, told apart by the description only its command module holds. */
const io = captureIo();
const descriptions: Record<StepName, string> = {
  fetch: fetchCommand(io).description(),
  "compute-rsi": computeCommand(io).description(),
  validate: validateCommand(io).description(),
  persist: persistCommand(io).description(),
};

beforeAll(async () => {
  for (const { name } of pipeline.steps) bundles[name] = await bundleStep(name, { outDir: out.path });
});
afterAll(() => out.cleanup());

describe("the step bundles", () => {
  it("put yahoo-finance2 in fetch only", () => {
    expect(packagesOf("fetch")).toContain("yahoo-finance2");
    for (const step of ["compute-rsi", "validate", "persist"] as const) expect(packagesOf(step), step).not.toContain("yahoo-finance2");
  });

  it("put the database drivers and the native addon in persist only", () => {
    expect(packagesOf("persist")).toContain("better-sqlite3");
    expect(packagesOf("persist")).toContain("mysql2");
    expect(bundles.persist.nativeAddons).toEqual(["better_sqlite3.node"]);
    for (const step of ["fetch", "compute-rsi", "validate"] as const) {
      expect(packagesOf(step), step).not.toContain("better-sqlite3");
      expect(packagesOf(step), step).not.toContain("mysql2");
      expect(bundles[step].nativeAddons, step).toEqual([]);
    }
  });

  it("never carry tsx, esbuild or the other steps' commands", () => {
    for (const { name } of pipeline.steps) {
      expect(packagesOf(name), name).not.toContain("tsx");
      expect(packagesOf(name), name).not.toContain("esbuild");
      const code = readFileSync(join(bundles[name].root, BUNDLE_DIR, BUNDLE_FILE), "utf8");
      for (const [step, description] of Object.entries(descriptions)) {
        if (step === name) expect(code, `${name} bundle`).toContain(description);
        else expect(code, `${name} bundle`).not.toContain(description);
      }
    }
  });

  it("come with an executable stock-rsi whose shebang is the image's node", () => {
    for (const { name } of pipeline.steps) {
      const command = join(bundles[name].root, COMMAND_PATH);
      expect(statSync(command).mode & 0o111, name).not.toBe(0);
      expect(readFileSync(command, "utf8")).toBe(launcher("/nodejs/bin/node"));
      expect(launcher("/nodejs/bin/node")).toMatch(/^#!\/nodejs\/bin\/node\n/);
    }
  });
});

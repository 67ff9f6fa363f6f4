/**
 * Each step's bundle holds only the code that step runs: the source that talks to Yahoo is only
 * in fetch, the database drivers and the native addon only in persist.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleStep, COMMAND_PATH, launcher, type StepBundle } from "../../images/bundle.ts";
import { pipeline, type StepName } from "../../steps/pipeline.ts";
import { tempDir } from "../support/cli.ts";

const out = tempDir("stock-rsi-bundles-");
const bundles = {} as Record<StepName, StepBundle>;
const packagesOf = (step: StepName) => bundles[step].packages.map((p) => p.name);

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
    const commandOf = (step: string) => `steps/${step}/command.ts`;
    for (const { name } of pipeline.steps) {
      expect(packagesOf(name), name).not.toContain("tsx");
      expect(packagesOf(name), name).not.toContain("esbuild");
      expect(bundles[name].sources, name).toContain(commandOf(name));
      for (const other of pipeline.steps.filter((s) => s.name !== name)) expect(bundles[name].sources, name).not.toContain(commandOf(other.name));
      expect(bundles[name].sources.filter((f) => f.startsWith("cli/")), name).toEqual([]);
    }
  });

  it("let the persist image run backfill from a replayed prices file, without a Yahoo client", () => {
    expect(bundles.persist.sources).toContain("steps/persist/backfill.ts");
    expect(bundles.persist.sources).toContain("steps/fetch/sources/file.ts");
    expect(bundles.persist.sources).not.toContain("steps/fetch/sources/yahoo.ts");
  });

  it("let the persist image run the exit handler's notify, with the mail library, which no other step carries", () => {
    expect(bundles.persist.sources).toContain("steps/notify/command.ts");
    expect(packagesOf("persist")).toContain("nodemailer");
    for (const step of ["fetch", "compute-rsi", "validate"] as const) {
      expect(bundles[step].sources, step).not.toContain("steps/notify/command.ts");
      expect(packagesOf(step), step).not.toContain("nodemailer");
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

/**
 * `run --notify-deadline-seconds` was checked only by notify, after the run had stored its day:
 * `abc`, `-5`, `0x10` and `2147484` (past Node's timer) were taken with exit 0 (issue 17, item 12,
 * second round). A setting's value is now checked at the flag by the setting's own parser
 * (`SETTINGS.notifyDeadlineSeconds.parse` in `steps/pipeline.ts`: the one number grammar, 1 to
 * 3600), in `run` and `notify` alike, and in the deployment config at synth.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipeline, settingValues } from "../../steps/pipeline.ts";
import { stockRsi, tempDir, type CliResult } from "../support/cli.ts";
import { expectPrintable } from "./support.ts";

const dir = tempDir("stock-rsi-notify-deadline-");
afterAll(() => dir.cleanup());
const at = (name: string) => join(dir.path, name);
const symbols = at("symbols");
const seeded = at("seeded.db");
let seededBytes: Buffer;

beforeAll(async () => {
  writeFileSync(symbols, "AAPL\nMSFT\n");
  const run = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-14", "--db", `sqlite:${seeded}`]);
  expect(run.code, run.stderr).toBe(0);
  seededBytes = readFileSync(seeded);
});

/** The values that were taken, and the bounds either side. */
const REFUSED = ["abc", "-5", "0x10", "2147484", "0", "3601", "1e3", " 30", "30.0", ""];

/** Refused at the flag: exit 2, one line naming it, nothing on stdout. */
function expectFlagRefused(result: CliResult, text: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.split("\n").filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: option '--notify-deadline-seconds <seconds>' argument '.*' is invalid\. expected /);
  expect(lines[0]).toContain(`got ${JSON.stringify(text)}`);
  expectPrintable(result.stderr);
}

describe.concurrent("run --notify-deadline-seconds is checked before the run starts", () => {
  it.each(REFUSED)("%j: exit 2, one line, no day stored in a new store or an existing one", async (text) => {
    const fresh = at(`fresh-${REFUSED.indexOf(text)}.db`);
    expectFlagRefused(await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${fresh}`, "--notify-deadline-seconds", text]), text);
    expect(existsSync(fresh), "a store was created").toBe(false);

    const existing = at(`existing-${REFUSED.indexOf(text)}.db`);
    copyFileSync(seeded, existing);
    expectFlagRefused(await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--db", `sqlite:${existing}`, "--notify-deadline-seconds", text]), text);
    expect(readFileSync(existing).equals(seededBytes), "the store changed").toBe(true);
  });

  it("notify refuses the same values at its flag", async () => {
    for (const text of ["abc", "2147484"]) expectFlagRefused(await stockRsi(["notify", "--status", "Succeeded", "--notify-deadline-seconds", text]), text);
  });

  it("its bounds are taken: 1 and 3600", async () => {
    for (const text of ["1", "3600"]) {
      const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--notify-deadline-seconds", text]);
      expect(result.code, result.stderr).toBe(0);
    }
  });
});

describe("the setting in a deployment config", () => {
  it("is checked by the same parser when synth renders it", () => {
    expect(() => settingValues(pipeline, { "notify-deadline-seconds": "0x10" }, "deployment config: settings")).toThrow(
      'deployment config: settings: notify-deadline-seconds: expected a whole number in plain digits (no sign, point, exponent or spaces), got "0x10"',
    );
    expect(settingValues(pipeline, { "notify-deadline-seconds": "3600" }, "here")["notify-deadline-seconds"]).toBe("3600");
  });
});

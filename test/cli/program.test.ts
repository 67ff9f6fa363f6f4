import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/program.ts";
import { captureIo, tempDir } from "../support/cli.ts";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe("runCli", () => {
  it("reports a refused input as the one line a pod's termination message (the Argo node message) shows", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "AAPL\nBAD$\n");
    const reported: string[] = [];
    const io = { ...captureIo(), reportFailure: (line: string) => void reported.push(line) };
    const code = await runCli(["fetch", "--symbols", symbols, "--out", join(dir.path, "p.json"), "--source", "sample"], io);
    expect(code).toBe(2);
    expect(reported).toEqual([`${symbols}:2: "BAD$" has characters a ticker cannot have; use only letters, digits and . - ^ =`]);
    expect(io.stderr()).toBe(`stock-rsi: ${reported[0]}\n`);
  });

  it("returns a usage error as exit 2 without a report (commander has printed it)", async () => {
    const reported: string[] = [];
    const io = { ...captureIo(), reportFailure: (line: string) => void reported.push(line) };
    expect(await runCli(["compute", "--in", "x"], io)).toBe(2);
    expect(io.stderr()).toContain("error: required option '--out <file>' not specified");
    expect(reported).toEqual([]);
  });
});

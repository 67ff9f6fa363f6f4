/**
 * A Node the project does not support (package.json engines) gets one line from the bin, saying
 * which Node it needs and how to get it, and exit status 2, before anything native loads: under
 * Node 20, better-sqlite3 13 loads and then crashes the process with a segmentation fault.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeRequirement, projectNodeRequirement } from "../../bin/supported-node.mjs";
import { expectRefusal } from "../reliability/support.ts";
import { BIN, exec, REPO_ROOT, tempDir, USER_SYMBOLS } from "../support/cli.ts";

/** Debian 12's own Node, 20: what a newcomer on the machines this project runs on has. */
const SYSTEM_NODE = "/usr/bin/node";
const engines = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
// Decided without the code under test: the major lines engines names.
const supportedMajors = engines.split("||").map((range) => Number(/\^(\d+)\./.exec(range)![1]));
const systemVersion = existsSync(SYSTEM_NODE) ? execFileSync(SYSTEM_NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).trim() : undefined;
const systemNodeUnsupported = systemVersion !== undefined && !supportedMajors.includes(Number(systemVersion.split(".")[0]));
if (!systemNodeUnsupported) {
  console.warn(`skipping the bin under an unsupported Node: ${SYSTEM_NODE} is ${systemVersion ?? "missing"}, not a Node package.json refuses (Debian 12's is 20)`);
}

describe.skipIf(!systemNodeUnsupported)(`the bin run by ${SYSTEM_NODE} (Node ${systemVersion})`, () => {
  const dir = tempDir("stock-rsi-old-node-");
  afterAll(() => dir.cleanup());
  const needs = /^this is Node \d+\.\d+\.\d+, and stock-rsi needs Node 22 \(22\.12\.0 or later\) or 24: (?=.*https:\/\/nodejs\.org\/en\/download)(?=.*npx stock-rsi)/;

  it("refuses a run in one line naming the Node it needs and how to get it, exit 2, before the store is opened", async () => {
    const db = join(dir.path, "stock-rsi.db");
    const result = await exec(SYSTEM_NODE, [BIN, "run", USER_SYMBOLS, "--source", "sample", "--db", `sqlite:${db}`]);
    const message = expectRefusal(result, { code: 2, line: needs });
    expect(message).toContain(`this is Node ${systemVersion},`);
    expect(existsSync(db)).toBe(false);
  });

  it("refuses even --help, which loads no subcommand: the check comes first", async () => {
    expectRefusal(await exec(SYSTEM_NODE, [BIN, "--help"]), { code: 2, line: needs });
  });
});

describe("the Node versions the project supports", () => {
  it("are package.json's engines, read where the bin and npm ci read them", () => {
    expect(projectNodeRequirement(REPO_ROOT).range).toBe(engines);
  });

  it("are 22.12.0 and later 22s, and any 24: not 20, an older 22, 23 or 25", () => {
    const node = nodeRequirement("^22.12.0 || ^24.0.0");
    for (const version of ["22.12.0", "v22.12.0", "22.20.1", "24.0.0", "v24.22.3"]) expect(node.accepts(version), version).toBe(true);
    for (const version of ["v20.20.2", "18.20.8", "22.11.0", "22.0.0", "23.11.1", "25.0.0", "v26.1.0"]) expect(node.accepts(version), version).toBe(false);
    expect(node.described).toBe("22 (22.12.0 or later) or 24");
    expect(node.newest).toBe(24);
  });

  it("are written as caret ranges; another form in package.json is a mistake, not a guess", () => {
    expect(() => nodeRequirement(">=22")).toThrow(/engines\.node ">=22": only \^MAJOR\.MINOR\.PATCH ranges/);
    expect(nodeRequirement("^20.0.0 || ^22.12.0 || ^24.0.0").described).toBe("20, 22 (22.12.0 or later) or 24");
  });
});

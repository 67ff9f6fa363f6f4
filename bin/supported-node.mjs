// Which Node stock-rsi runs on: package.json's `engines.node`, the one place it is written. Read by
// the bin before it loads anything else, and by setup/node.mjs while npm ci runs, so it is plain
// JavaScript that any Node able to start npm can parse: on an older Node the project's packages
// install but do not work (better-sqlite3 13 loads under Node 20 and crashes the process), and
// a user should meet one line saying so instead.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where to get a supported Node, named in every refusal. */
export const NODE_DOWNLOAD_URL = "https://nodejs.org/en/download";

/**
 * The Node versions `engines.node` accepts: caret ranges joined by `||` (`^22.12.0 || ^24.0.0`),
 * the only form the project writes. Any other form is a mistake in package.json and throws.
 */
export function nodeRequirement(range) {
  const lines = range.split("||").map((part) => {
    const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`package.json engines.node "${range}": only ^MAJOR.MINOR.PATCH ranges joined by || are understood`);
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  });
  const newest = Math.max(...lines.map((l) => l.major));
  const named = lines.map((l) => (l.minor || l.patch ? `${l.major} (${l.major}.${l.minor}.${l.patch} or later)` : `${l.major}`));
  return {
    range,
    /** The newest major line named: the one to install. */
    newest,
    /** For a person: "22 (22.12.0 or later) or 24". */
    described: named.length === 1 ? named[0] : `${named.slice(0, -1).join(", ")} or ${named[named.length - 1]}`,
    /** Whether `version` (`v20.20.2` or `20.20.2`) is one of them. */
    accepts(version) {
      const [major, minor, patch] = version.replace(/^v/, "").split(/[.-]/).map(Number);
      return lines.some((l) => major === l.major && (minor > l.minor || (minor === l.minor && patch >= l.patch)));
    },
  };
}

/** The requirement of the project at `repoRoot`, from its package.json. */
export function projectNodeRequirement(repoRoot) {
  const { engines } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  return nodeRequirement(engines.node);
}

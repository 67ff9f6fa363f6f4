// Whether the built command line (build/cli, made by cli/build.ts) may run: only while every
// source file that went into it is unchanged. Plain JavaScript: it runs before anything can
// compile TypeScript.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The URL of the build's entry point under `buildDir`, or undefined when there is no build or a
 * source changed since it was made (then the sources must run instead). About 100 `stat` calls:
 * well under a millisecond.
 */
export function freshBuild(repoRoot, buildDir = join(repoRoot, "build/cli")) {
  let inputs;
  try {
    ({ inputs } = JSON.parse(readFileSync(join(buildDir, "inputs.json"), "utf8")));
  } catch {
    return undefined;
  }
  for (const input of inputs) {
    let stat;
    try {
      stat = statSync(join(repoRoot, input.path));
    } catch {
      return undefined;
    }
    if (stat.size !== input.size || stat.mtimeMs !== input.mtimeMs) return undefined;
  }
  return pathToFileURL(join(buildDir, "main.mjs")).href;
}

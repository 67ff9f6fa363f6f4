/**
 * `npm run synth` with a synth/image-digests.json it cannot use: missing, empty, not JSON, not an
 * object, an entry for an image synth does not render, an image named twice (JSON.parse would keep
 * the second digest without a word), or a value that is not a registry's digest. Each ends with
 * one line naming the file (and the entry's line) and what to do, exit 2, no stack trace, and
 * dist/ exactly as it was: no file of it removed, rewritten or added.
 *
 * The command runs as the docs tell a user to, in a copy of the parts of the repository synth
 * reads, so the repository's own dist/ and digests file are never touched.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, REPO_ROOT, tempDir, type CliResult } from "../support/cli.ts";

const HEX = "0123456789abcdef".repeat(4);
const FETCH = "localhost:5000/stock-rsi/fetch:0.1.0";
const FILE = "synth/image-digests.json";

const dir = tempDir("stock-rsi-synth-digests-");
const copy = join(dir.path, "repo");
let committedDist: Map<string, string>;

beforeAll(() => {
  mkdirSync(copy);
  for (const part of ["steps", "workflows", "synth", "dist", "symbols", "package.json", "tsconfig.json", "cdk8s.yaml"]) {
    cpSync(join(REPO_ROOT, part), join(copy, part), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
  committedDist = filesOf(join(copy, "dist"));
});
afterAll(() => dir.cleanup());

function filesOf(path: string): Map<string, string> {
  return new Map(readdirSync(path).sort().map((name) => [name, readFileSync(join(path, name), "utf8")]));
}

/** `npm run synth` in the copy with this digests file (undefined: none at all). */
async function synthWith(digests: string | undefined): Promise<CliResult> {
  rmSync(join(copy, FILE), { force: true });
  if (digests !== undefined) writeFileSync(join(copy, FILE), digests);
  return exec("npm", ["run", "synth"], { cwd: copy, env: { ...process.env, NO_COLOR: "1" } });
}

function expectDistUntouched(): void {
  expect(filesOf(join(copy, "dist"))).toEqual(committedDist);
  // Nothing half-rendered left beside it either.
  expect(readdirSync(copy).filter((name) => name.startsWith(".dist"))).toEqual([]);
}

describe("npm run synth with a digests file it cannot use", () => {
  it.each([
    ["missing", undefined, /^synth\/image-digests\.json: no such file; `npm run images -- --push` writes it; \{\} when no image was pushed$/],
    ["empty", "", /^synth\/image-digests\.json: the file is empty; `npm run images -- --push` writes it/],
    ["not JSON", `{\n  "${FETCH}": "sha256:${HEX}",\n`, /^synth\/image-digests\.json: not valid JSON \(.*line 3.*\); `npm run images -- --push` writes it/],
    ["a JSON array", `["sha256:${HEX}"]\n`, /^synth\/image-digests\.json: holds an array, not an object of image name → digest; /],
    [
      "an image synth does not render",
      `{\n  "${FETCH}": "sha256:${HEX}",\n  "localhost:5000/stock-rsi/fetch:0.0.9": "sha256:${HEX}"\n}\n`,
      /^synth\/image-digests\.json:3: "localhost:5000\/stock-rsi\/fetch:0\.0\.9": not an image synth renders \(localhost:5000\/stock-rsi\/fetch:0\.1\.0, .*\); remove the entry, or set images\.registry and images\.tag in synth\/config\.ts/,
    ],
    ["a digest too short", `{\n  "${FETCH}": "sha256:abc"\n}\n`, /^synth\/image-digests\.json:2: "localhost:5000\/stock-rsi\/fetch:0\.1\.0": "sha256:abc" is not a digest, sha256:<64 lower-case hex>; put the digest/],
    ["a digest of another algorithm", `{"${FETCH}": "md5:${HEX.slice(0, 32)}"}`, /^synth\/image-digests\.json:1: "localhost:5000\/stock-rsi\/fetch:0\.1\.0": "md5:[0-9a-f]{32}" is not a digest/],
    ["a digest in upper-case hex", `{\n  "${FETCH}": "sha256:${HEX.toUpperCase()}"\n}\n`, /^synth\/image-digests\.json:2: .* is not a digest, sha256:<64 lower-case hex> \(registries write the hex in lower case\); /],
    [
      "the same image named twice, with two digests",
      `{\n  "${FETCH}": "sha256:${HEX}",\n  "localhost:5000/stock-rsi/compute-rsi:0.1.0": "sha256:${HEX}",\n  "${FETCH}": "sha256:${"f".repeat(64)}"\n}\n`,
      /^synth\/image-digests\.json:4: "localhost:5000\/stock-rsi\/fetch:0\.1\.0": named a second time \(first on line 2\); keep one entry for the image, with the digest its last push gave/,
    ],
    [
      "the same image named twice, spelled once with an escape",
      `{"${FETCH}": "sha256:${HEX}",\n"localhost:5000/stock-rsi/\\u0066etch:0.1.0": "sha256:${HEX}"}`,
      /^synth\/image-digests\.json:2: "localhost:5000\/stock-rsi\/fetch:0\.1\.0": named a second time \(first on line 1\); /,
    ],
    ["a digest that is not a string", `{"${FETCH}": null}`, /^synth\/image-digests\.json:1: "localhost:5000\/stock-rsi\/fetch:0\.1\.0": null is not a digest/],
  ])("%s: one line naming the file, exit 2, dist/ as it was", async (_case, digests, line) => {
    const result = await synthWith(digests);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split("\n").filter(Boolean), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(/^synth: /);
    expect(result.stderr.slice("synth: ".length).trimEnd()).toMatch(line);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expectDistUntouched();
  });

  it("a usable file: dist/ names the image by its digest, and only that changed", async () => {
    const result = await synthWith(`{\n  "${FETCH}": "sha256:${HEX}"\n}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("synth: wrote 5 manifests to dist/\n");
    const rendered = filesOf(join(copy, "dist"));
    expect([...rendered.keys()]).toEqual([...committedDist.keys()]);
    const changed = [...rendered].filter(([name, text]) => committedDist.get(name) !== text).map(([name]) => name);
    expect(changed).toEqual(["0003-pipeline.k8s.yaml"]);
    expect(rendered.get("0003-pipeline.k8s.yaml")).toContain(`image: ${FETCH}@sha256:${HEX}`);
    expect(readdirSync(copy).filter((name) => name.startsWith(".dist"))).toEqual([]);
  });
});

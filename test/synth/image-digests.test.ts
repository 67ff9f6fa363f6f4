/**
 * synth/image-digests.json, the record of what each step image was last pushed as: what
 * `npm run images -- --push` writes and synth reads (synth/image-digests.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IMAGE_DIGESTS_FILE, readImageDigests, recordImageDigests } from "../../synth/image-digests.ts";
import { tempDir } from "../support/cli.ts";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
let dir: { path: string; cleanup: () => void };
let file: string;

beforeEach(() => {
  dir = tempDir("stock-rsi-digests-");
  file = join(dir.path, "image-digests.json");
  writeFileSync(file, "{}\n");
});
afterEach(() => dir.cleanup());

describe("the image digests record", () => {
  it("is committed, and holds digests only", () => {
    const committed = readImageDigests(IMAGE_DIGESTS_FILE);
    for (const [name, digest] of Object.entries(committed)) expect(`${name}@${digest}`).toMatch(/^[^@\s]+:[\w][\w.-]*@sha256:[0-9a-f]{64}$/);
  });

  it("keeps the last push of each image: another tag of the same image is replaced, other images kept", () => {
    recordImageDigests({ "localhost:5000/stock-rsi/fetch:0.1.0": A, "localhost:5000/stock-rsi/persist:0.1.0": A }, file);
    recordImageDigests({ "localhost:5000/stock-rsi/fetch:0.2.0": B }, file);
    expect(readImageDigests(file)).toEqual({ "localhost:5000/stock-rsi/fetch:0.2.0": B, "localhost:5000/stock-rsi/persist:0.1.0": A });
    expect(readFileSync(file, "utf8")).toBe(`{\n  "localhost:5000/stock-rsi/fetch:0.2.0": "${B}",\n  "localhost:5000/stock-rsi/persist:0.1.0": "${A}"\n}\n`);
  });

  it("refuses a file synth could not trust, naming it and the entry", () => {
    writeFileSync(file, `{"localhost:5000/stock-rsi/fetch:0.1.0": "sha256:abc"}`);
    expect(() => readImageDigests(file)).toThrow('synth/image-digests.json:1: "localhost:5000/stock-rsi/fetch:0.1.0": "sha256:abc" is not a digest, sha256:<64 lower-case hex>');
    writeFileSync(file, "[]");
    expect(() => readImageDigests(file)).toThrow("synth/image-digests.json: holds an array, not an object of image name → digest");
    writeFileSync(file, "{");
    expect(() => readImageDigests(file)).toThrow(/^synth\/image-digests\.json: not valid JSON .*`npm run images -- --push` writes it/);
  });
});

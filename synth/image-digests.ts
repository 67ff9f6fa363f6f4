/**
 * The digest of each step image as last pushed, by the name it was pushed under
 * (`<registry>/<step>:<tag>`). `npm run images -- --push` records them in
 * `synth/image-digests.json` (committed beside this file), and `synth/config.ts` hands them to
 * the manifests, so `dist/` names each image by the exact build that was pushed: a rebuild under
 * the same tag gets a new digest, hence a new reference, and every node pulls it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const IMAGE_DIGESTS_FILE = resolve(import.meta.dirname, "image-digests.json");

/** A manifest (or image index) digest, as a registry names it. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The recorded digests; refuses a file that is not an object of name → `sha256:<64 hex>`. */
export function readImageDigests(file: string = IMAGE_DIGESTS_FILE): Record<string, string> {
  const where = "synth/image-digests.json";
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}; \`npm run images -- --push\` writes it, {} when nothing was pushed`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${where}: expected an object of image name → digest`);
  for (const [name, digest] of Object.entries(parsed)) {
    if (typeof digest !== "string" || !DIGEST.test(digest)) throw new Error(`${where}: "${name}": ${JSON.stringify(digest)} is not a sha256:<64 hex> digest`);
  }
  return parsed as Record<string, string>;
}

/**
 * Records the digests just pushed. An entry for another tag of the same image is dropped: the
 * file holds what each image was last pushed as.
 */
export function recordImageDigests(pushed: Readonly<Record<string, string>>, file: string = IMAGE_DIGESTS_FILE): void {
  const repository = (name: string) => name.slice(0, name.lastIndexOf(":"));
  const kept = Object.entries(readImageDigests(file)).filter(([name]) => !Object.keys(pushed).some((p) => repository(p) === repository(name)));
  const all = Object.fromEntries([...kept, ...Object.entries(pushed)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

/**
 * The digest of each step image as last pushed, by the name it was pushed under
 * (`<registry>/<step>:<tag>`). `npm run images -- --push` records them in
 * `synth/image-digests.json` (committed beside this file), and `synth/main.ts` hands them to
 * the manifests, so `dist/` names each image by the exact build that was pushed: a rebuild under
 * the same tag gets a new digest, hence a new reference, and every node pulls it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../steps/domain/errors.ts";

export const IMAGE_DIGESTS_FILE = resolve(import.meta.dirname, "image-digests.json");
const NAMED = "synth/image-digests.json";
const REMEDY = "`npm run images -- --push` writes it; {} when no image was pushed";

/**
 * A manifest (or image index) digest, as a registry names it: the OCI image spec's registered
 * `sha256` algorithm, whose encoded part is 64 lower-case hex characters
 * (opencontainers/image-spec descriptor.md, v1.1.0, "Digests").
 */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The recorded digests; refuses, with one line naming the file (and the line of the entry), a
 * file that is missing, empty, not JSON, or not an object of name → `sha256:<64 hex>`.
 */
export function readImageDigests(file: string = IMAGE_DIGESTS_FILE): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${NAMED}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (err as Error).message})`}; ${REMEDY}`);
  }
  if (text.trim() === "") throw new UserError(`${NAMED}: the file is empty; ${REMEDY}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${NAMED}: not valid JSON (${(err as Error).message}); ${REMEDY}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    const holds = Array.isArray(parsed) ? "an array" : parsed === null ? "null" : `a ${typeof parsed}`;
    throw new UserError(`${NAMED}: holds ${holds}, not an object of image name → digest; ${REMEDY}`);
  }
  refuseNamedTwice(text);
  for (const [name, digest] of Object.entries(parsed)) {
    if (typeof digest !== "string" || !DIGEST.test(digest)) {
      const hint = typeof digest === "string" && DIGEST.test(digest.toLowerCase()) ? " (registries write the hex in lower case)" : "";
      throw new UserError(
        `${entryAt(text, name)}: ${shown(digest)} is not a digest, sha256:<64 lower-case hex>${hint}; put the digest the registry gave for that push, or run \`npm run images -- --push\` again`,
      );
    }
  }
  return parsed as Record<string, string>;
}

/**
 * Refuses an entry for a name synth does not render (`rendered`: the step images' names under
 * `synth/config.ts`'s registry and tag). Such a digest would be ignored, and its image run by tag:
 * a tag or registry changed in the config since the push, or a name edited by hand.
 */
export function refuseUnrenderedNames(digests: Readonly<Record<string, string>>, rendered: readonly string[], file: string = IMAGE_DIGESTS_FILE): void {
  const unknown = Object.keys(digests).find((name) => !rendered.includes(name));
  if (unknown === undefined) return;
  throw new UserError(
    `${entryAt(readFileSync(file, "utf8"), unknown)}: not an image synth renders (${rendered.join(", ")}); ` +
      "remove the entry, or set images.registry and images.tag in synth/config.ts to the names that were pushed",
  );
}

/**
 * Refuses an image named twice in the file (given its text, already valid JSON holding an object):
 * JSON.parse keeps the last digest without a word, so a hand merge that left two would pin
 * whichever came second. Names are compared as JSON reads them (`\u0066etch` is `fetch`).
 */
function refuseNamedTwice(text: string): void {
  const firstLine = new Map<string, number>();
  for (const { name, line } of topLevelKeys(text)) {
    const first = firstLine.get(name);
    if (first !== undefined) {
      throw new UserError(
        `${NAMED}:${line}: ${shown(name)}: named a second time (first on line ${first}); keep one entry for the image, with the digest its last push gave (\`npm run images -- --push\` writes it)`,
      );
    }
    firstLine.set(name, line);
  }
}

/** The keys of the object a valid JSON text holds, in the order written, each with its line. */
function topLevelKeys(text: string): { name: string; line: number }[] {
  const keys: { name: string; line: number }[] = [];
  let at = text.indexOf("{") + 1;
  const skipSpace = () => {
    while (/\s/.test(text[at] ?? "")) at++;
  };
  /** Moves past the string that starts at `at`, and returns its text as written, quotes included. */
  const skipString = () => {
    const start = at++;
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return text.slice(start, at);
  };
  /** Moves past the value that starts at `at`: a string, an object or array (whatever it nests), or a number, true, false or null. */
  const skipValue = () => {
    if (text[at] === '"') {
      skipString();
      return;
    }
    if (text[at] === "{" || text[at] === "[") {
      let depth = 0;
      do {
        const c = text[at];
        if (c === '"') {
          skipString();
          continue;
        }
        if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") depth--;
        at++;
      } while (depth > 0);
      return;
    }
    while (at < text.length && !/[\s,}\]]/.test(text[at]!)) at++;
  };
  for (;;) {
    skipSpace();
    if (text[at] !== '"') return keys;
    const line = text.slice(0, at).split("\n").length;
    keys.push({ name: JSON.parse(skipString()) as string, line });
    skipSpace();
    at++; // the colon
    skipSpace();
    skipValue();
    skipSpace();
    if (text[at] === ",") at++;
  }
}

/** `synth/image-digests.json:LINE: "NAME"`, the line where the file spells the name plainly. */
function entryAt(text: string, name: string): string {
  const at = text.indexOf(JSON.stringify(name));
  return `${NAMED}${at < 0 ? "" : `:${text.slice(0, at).split("\n").length}`}: ${shown(name)}`;
}

/** A value from the file, as JSON (controls escaped), cut short when long. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 100 ? `${json.slice(0, 99)}…` : json;
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

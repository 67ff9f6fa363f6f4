/**
 * Reading and writing artifact files: the only place the contract meets the file system.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";
import { UserError } from "../domain/errors.ts";

/**
 * Reads and validates one artifact. Any problem becomes one line naming the file and the field,
 * e.g. `rsi.json: results[3].rsi: expected number, received string`.
 */
export function readArtifact<S extends z.ZodType>(
  path: string,
  schema: S,
  producedBy: string,
): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError(`${path}: cannot read the file (${describeFsError(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `${path}: not valid JSON (${(err as Error).message}); regenerate it with ${producedBy}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `${path}: ${formatPath(issue.path)}: ${issue.message}; regenerate it with ${producedBy}`,
    );
  }
  return parsed.data;
}

/**
 * Writes an artifact atomically (temp file, then rename), so a reader never sees half a file
 * and a failed step never leaves a truncated one behind.
 */
export function writeArtifact(path: string, artifact: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(artifact, null, 2)}\n`);
}

/**
 * Writes a text file atomically: a temp file beside it, then a rename. A path that cannot be
 * written (a read-only file system, a missing permission) is the user's to fix: one line.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // There is nothing to clean up where nothing could be written.
    }
    throw new UserError(`${path}: cannot write the file (${describeFsError(err)}); choose a writable path`);
  }
}

/** `["results", 3, "rsi"]` → `results[3].rsi`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EROFS") return "read-only file system";
  if (code === "ENOTDIR") return "a parent is not a directory";
  return (err as Error).message;
}

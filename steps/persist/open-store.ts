/**
 * `--db URL` → a store. `sqlite:PATH` is the embedded default; `none` means do not store.
 */
import { UserError } from "../domain/errors.ts";
import type { RsiStore } from "./store.ts";
import { openSqliteStore } from "./stores/sqlite.ts";

/** The embedded default, a file in the working directory. */
export const DEFAULT_DB = "sqlite:stock-rsi.db";

export async function openStore(url: string): Promise<RsiStore> {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === "") throw new UserError(`--db: "${url}" names no file; use sqlite:PATH, e.g. sqlite:stock-rsi.db`);
    return openSqliteStore(path);
  }
  throw new UserError(`--db: unsupported database URL "${redact(url)}"; use sqlite:PATH or none`);
}

/** A URL fit for a log line: any password replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}

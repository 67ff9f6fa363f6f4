/**
 * Reading the user's symbols file from disk; the rules of its content are `parseSymbols` in
 * `steps/domain/symbols.ts`.
 */
import { UserError } from "../domain/errors.ts";
import { parseSymbols, type SymbolList } from "../domain/symbols.ts";
import { FILE_LIMITS, readBoundedText } from "./bounded-read.ts";
import { UnreadableFile } from "./regular-file.ts";

/** The symbols in the file; a file that is not a regular file of at most 1 MiB is refused. */
export function readSymbolsFile(path: string): SymbolList {
  let text: string;
  try {
    text = readBoundedText(path, FILE_LIMITS.symbols);
  } catch (err) {
    if (!(err instanceof UnreadableFile)) throw err;
    throw new UserError(`${path}: cannot read the symbols file (${err.message})`);
  }
  return parseSymbols(text, path);
}

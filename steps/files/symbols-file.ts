/**
 * Reading the user's symbols file from disk; the rules of its content are `parseSymbols` in
 * `steps/domain/symbols.ts`.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../domain/errors.ts";
import { parseSymbols, type SymbolList } from "../domain/symbols.ts";
import { describeFsError } from "./artifact-files.ts";

export function readSymbolsFile(path: string): SymbolList {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UserError(`${path}: cannot read the symbols file (${describeFsError(err)})`);
  }
  return parseSymbols(text, path);
}

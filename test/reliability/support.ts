/**
 * What every case of the reliability suite asserts about a refused or failed command: its exit
 * status, one `stock-rsi: ...` line saying what was wrong (no stack trace, no control bytes, no
 * second error line), nothing on stdout, and no secret anywhere in what it printed.
 */
import { expect } from "vitest";
import type { CliResult } from "../support/cli.ts";

export interface Refusal {
  /** The exit status the command must end with. */
  readonly code: number;
  /** The one line after `stock-rsi: `, exactly or as a pattern. */
  readonly line: string | RegExp;
  /** Text that must appear nowhere in stdout or stderr (passwords, the secret part of a URL). */
  readonly secrets?: readonly string[];
  /** Whether stdout may carry output (a ranking printed before a later failure); default no. */
  readonly stdoutAllowed?: boolean;
}

/** Asserts `result` is the refusal described, and returns its one message line. */
export function expectRefusal(result: CliResult, refusal: Refusal): string {
  expect(result.timedOut ?? false, "the command ran past its time limit").toBe(false);
  const errorLines = result.stderr.split("\n").filter((l) => l.startsWith("stock-rsi: "));
  expect(errorLines, `stderr:\n${result.stderr}`).toHaveLength(1);
  const message = errorLines[0]!.slice("stock-rsi: ".length);
  if (typeof refusal.line === "string") expect(message).toBe(refusal.line);
  else expect(message).toMatch(refusal.line);
  expect(result.code, `stderr:\n${result.stderr}`).toBe(refusal.code);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expectPrintable(result.stderr);
  if (!refusal.stdoutAllowed) expect(result.stdout).toBe("");
  expectNoSecrets(result, refusal.secrets ?? []);
  return message;
}

/** No secret appears in anything the command printed. */
export function expectNoSecrets(result: Pick<CliResult, "stdout" | "stderr">, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(result.stdout, "a secret on stdout").not.toContain(secret);
    expect(result.stderr, "a secret on stderr").not.toContain(secret);
  }
}

/** Only printable text and line breaks: a terminal or a log viewer shows what was written. */
export function expectPrintable(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
}

/** The CREATE TABLE mysqldump writes for the original program's wide table with these symbol columns. */
export function createWideTable(symbols: readonly string[], name = "`stocks`"): string {
  const columns = ["  `date` date NOT NULL", ...symbols.map((s) => `  \`${s}\` float DEFAULT NULL`), "  PRIMARY KEY (`date`)"];
  return `DROP TABLE IF EXISTS ${name};\nCREATE TABLE ${name} (\n${columns.join(",\n")}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n`;
}

/**
 * Text shown on a terminal or in a log must be shown, not acted on. What a user typed, a file held,
 * a server answered or another writer left in the store is echoed in messages and printed by the
 * read commands; it must not be able to recolour the terminal, rewrite the line above, or split
 * a log line in two.
 */

/**
 * Characters a terminal or a log viewer would act on instead of showing: C0 and C1 controls (an
 * escape sequence in a symbols file, a newline in an edited artifact's message), DEL, and the
 * Unicode marks that reorder or hide text on screen.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Text made one printable line: every character in `UNPRINTABLE` is shown escaped (`\x1b`, `\n`,
 * `\u202e`).
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`);
  });
}

/** Whether the text holds no character a terminal would act on. */
export function isPrintable(text: string): boolean {
  return printable(text) === text;
}

/**
 * Database URLs in log lines and errors: a password written into the URL is replaced by `***`.
 *
 * It errs on the side of hiding: everything from the colon after the user name to the last `@`
 * goes, so a password holding an unescaped `@` or `/` is hidden too.
 */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):.*@/i, "$1:***@");
}

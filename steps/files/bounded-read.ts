/**
 * Reading a small file the user names (the symbols file, `MYSQL_PASSWORD_FILE`, a TLS
 * certificate) without trusting what the name points at.
 *
 * `readFileSync` reads whatever it is given to its end: `/dev/zero` never ends, so the process
 * grows until the machine or the pod's memory limit stops it; a FIFO blocks until someone writes
 * to it, which may be never. So the file is opened without waiting (`O_NONBLOCK`, which changes
 * nothing for a regular file), refused unless it is a regular file, and read only up to its limit:
 * a file that is, or grows while being read, larger than that is refused too, with its size.
 */
import { closeSync, readSync } from "node:fs";
import { describeFsError, openRegular, UnreadableFile } from "./regular-file.ts";

/** The limits of the files read through here, with the reason for each. */
export const FILE_LIMITS = {
  /** 10,000 symbols of at most 20 characters are 210 KB; the rest is room for comments. */
  symbols: 1024 * 1024,
  /** A MySQL password is at most a few hundred bytes. */
  password: 4 * 1024,
  /** A PEM certificate, key or CA bundle (the whole Mozilla bundle is about 220 KB). */
  pem: 1024 * 1024,
  /** A list of notification URLs, one a line: a few dozen at most. */
  channels: 64 * 1024,
  /** A step's small text result read by notify: the ranking or failed symbols of 10,000 symbols are under 2 MiB. */
  runResult: 8 * 1024 * 1024,
  /** The run's HTML report, sent as an email's body: about 3 KB a symbol, so 10,000 symbols fit. */
  report: 64 * 1024 * 1024,
} as const;

/** The file's text (UTF-8), or an `UnreadableFile` saying why not. */
export function readBoundedText(path: string, limitBytes: number): string {
  const { fd, size } = openRegular(path);
  try {
    if (size > limitBytes) throw new UnreadableFile(tooLarge(size, limitBytes));
    const chunks: Buffer[] = [];
    let total = 0;
    // A file's size can be wrong (a file in /proc says 0) or change while it is read: read until
    // its end, but never past the limit.
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limitBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > limitBytes) throw new UnreadableFile(tooLarge(total, limitBytes, "at least "));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(describeFsError(err));
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number, limit: number, qualifier = ""): string {
  return `${qualifier}${size(bytes)}, more than the ${size(limit)} it may have`;
}

/** `5.9 KiB`, `2.0 MiB`. */
function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

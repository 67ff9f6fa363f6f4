/**
 * Opening a file the user names without trusting what the name points at: a directory, a device
 * such as /dev/zero (which never ends) or a FIFO (which blocks until someone writes) is not a
 * file to read. The file is opened without waiting (`O_NONBLOCK`, which changes nothing for a
 * regular file) and refused, with the reason, unless it is a regular file.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from "node:fs";

/** Why a file was not read, in words that complete "cannot read the file (...)". */
export class UnreadableFile extends Error {
  override readonly name = "UnreadableFile";
}

/** An open regular file and its size, or an `UnreadableFile` saying why not. */
export function openRegular(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UnreadableFile(describeFsError(err));
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new UnreadableFile(notAFile(stat));
  }
  return { fd, size: stat.size };
}

function notAFile(stat: Stats): string {
  return stat.isDirectory() ? "it is a directory" : `it is ${fileKind(stat)}, not a file`;
}

/** What a file that is not a regular file is: "a directory", "a FIFO", "a socket" or "a device". */
export function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isSymbolicLink()) return "a symbolic link";
  return stat.isFile() ? "a regular file" : "a device";
}

/** A file-system error in the words a user reads: "no such file", "permission denied". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EROFS") return "read-only file system";
  if (code === "ENOTDIR") return "a parent is not a directory";
  if (code === "ENOSPC") return "no space left on the device";
  return (err as Error).message;
}

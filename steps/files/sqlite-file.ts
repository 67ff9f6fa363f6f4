/**
 * What a SQLite database is on disk, as far as a program that must not overwrite one needs to
 * know: a file whose first 16 bytes are the header string `SQLite format 3\0` ("Database File
 * Format", section 1.3.1, sqlite.org/fileformat.html), and the files SQLite keeps beside it.
 */
import { closeSync, constants, openSync, readSync } from "node:fs";

/**
 * The files SQLite keeps beside a database file while it writes it, by suffix: the rollback
 * journal this store uses, and the write-ahead log and its index an older stock-rsi's WAL mode
 * left. Writing over one of them corrupts the database as surely as writing over the file.
 */
export const SQLITE_SIDE_FILES = ["-journal", "-wal", "-shm"] as const;

const HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Whether the file at `path` (symbolic links followed) begins with SQLite's header: true or
 * false, or the error that kept it from being read (permission denied). Opened without waiting,
 * so a FIFO is never blocked on; anything but a file of at least 16 bytes is not a database.
 */
export function isSqliteDatabase(path: string): boolean | NodeJS.ErrnoException {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? false : (err as NodeJS.ErrnoException);
  }
  try {
    const header = Buffer.alloc(HEADER.length);
    return readSync(fd, header, 0, HEADER.length, 0) === HEADER.length && header.equals(HEADER);
  } catch (err) {
    // A directory (EISDIR) or a device that cannot be read is no database.
    return (err as NodeJS.ErrnoException).code === "EACCES" ? (err as NodeJS.ErrnoException) : false;
  } finally {
    closeSync(fd);
  }
}

/** The database a path is a side file of (`x.db` for `x.db-wal`), when it is one; else undefined. */
export function sideFileOf(path: string): string | undefined {
  for (const suffix of SQLITE_SIDE_FILES) {
    if (path.endsWith(suffix) && path.length > suffix.length) {
      const base = path.slice(0, -suffix.length);
      if (isSqliteDatabase(base) === true) return base;
    }
  }
  return undefined;
}

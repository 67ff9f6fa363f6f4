/**
 * Every file a command writes goes through here: reports, charts, artifacts, signals, counts,
 * rankings, backfill's days. A command first declares what it reads, what it keeps in place (the
 * SQLite store) and which outputs the user named (`guardOutputs`); every output is then checked
 * before anything is written, and written only through the object that check returns. An output
 * is refused, with one line naming its flag (exit 2), when it
 * - is the store, a file SQLite keeps beside it (`-journal`, `-wal`, `-shm`), or any file the same
 *   command reads (the symbols file, an artifact, a password file): `report --out x.db` once
 *   replaced the user's whole history with a page of HTML;
 * - is another output of the same command, so one would silently replace the other;
 * - is a SQLite database, any one, by its content (its first bytes are `SQLite format 3`), or a
 *   file SQLite keeps beside one: `fetch --out stock-rsi.db` once replaced the default store of
 *   the commands that have a `--db` with a prices artifact, though fetch itself has none;
 * - is not a regular file or a new path: a directory, a FIFO, a device (`/dev/null`) or a socket.
 *   A file is written to a temporary file beside it and renamed over it, so a reader never sees
 *   half of it; renamed over `/dev/null`, that turns the machine's /dev/null into a regular file.
 *   A symbolic link to nothing is refused too: it is neither;
 * - goes through an open file descriptor's link (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`,
 *   `/proc/PID/fd/N`), or is the file the command's stdin, stdout or stderr is on. With stdout
 *   redirected to a log (`>> cron.log`), `/dev/stdout` leads to that log, and a new file renamed
 *   over it once replaced the log's earlier days; the link names a descriptor, not a place a file
 *   can be put, and once the log is replaced it leads to `cron.log (deleted)`.
 *
 * Files are compared by what they are, not by how they are spelled: an existing file by its
 * device and inode after following symbolic links (so `./x.db`, a symbolic link and a hard link
 * to the store are the store), a new path by its directory's real path and its name.
 *
 * An output given as `-` is stdout, where the command allows it (`report --out -`,
 * `history --chart -`, for a pipe); elsewhere `-` is refused rather than written as a file named
 * `-`. A symbolic link to a regular file is written through: the file it points at is replaced,
 * the link stays, as a shell's `>` would do.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { UserError } from "../domain/errors.ts";
import { describeFsError, fileKind } from "./regular-file.ts";
import { isSqliteDatabase, sideFileOf } from "./sqlite-file.ts";

/** The output path that means stdout, where an output allows it. */
export const STDOUT = "-";

/** A file a command reads, or keeps in place (the store): no output of the command may be it. */
export interface NamedFile {
  readonly path: string;
  /** What the file is, completing "that is ...": "the symbols file (--symbols)". */
  readonly role: string;
  /** How a refusal about the file itself begins (a kept file that is also read): `--db sqlite:x.db`. */
  readonly named?: string;
  /** Files an engine keeps beside it, by suffix (SQLite's `-journal`), no output's either. */
  readonly sideFiles?: { readonly suffixes: readonly string[]; readonly role: string };
}

/** An output the user named with a flag. */
export interface OutputFlag {
  readonly flag: string;
  /** Where to write it; undefined when the flag was not given (nothing is written). */
  readonly path: string | undefined;
  /** How a refusal begins; `FLAG PATH` when not given. */
  readonly named?: string;
  /** Whether `-` means stdout for this output. */
  readonly stdout?: boolean;
}

export interface CommandFiles {
  /** Files the command reads. */
  readonly reads?: readonly NamedFile[];
  /** Files the command writes in place, not through here: the SQLite store. No input may be one of them either. */
  readonly keeps?: readonly NamedFile[];
  readonly outputs: readonly OutputFlag[];
  /** Where an output given as `-` goes. */
  readonly stdout?: (text: string) => void;
}

/**
 * Checks every output the command will write against the rules above, and returns the only way
 * to write them. Refuses the first output that breaks a rule with one line (a `UserError`), before
 * anything is written.
 */
export function guardOutputs(files: CommandFiles): CommandOutputs {
  const outputs = files.outputs.filter((o): o is OutputFlag & { path: string } => o.path !== undefined);
  const seen: { output: OutputFlag; identity: string }[] = [];
  for (const output of outputs) {
    if (output.path === STDOUT) {
      if (!output.stdout) throw new UserError(`${output.flag} -: this output is a file; give a path (only report --out and history --chart write to stdout)`);
      const earlier = seen.find((s) => s.identity === STDOUT);
      if (earlier) throw new UserError(`${output.flag} -: ${earlier.output.flag} writes to stdout too; give one of them a file`);
      seen.push({ output, identity: STDOUT });
      continue;
    }
    const target = checkedTarget(output, files);
    const earlier = seen.find((s) => s.identity === target.identity);
    if (earlier) throw new UserError(`${namedOf(output)}: ${earlier.output.flag} writes the same file; give each output its own file`);
    seen.push({ output, identity: target.identity });
  }
  const reads = files.reads ?? [];
  for (const kept of files.keeps ?? []) {
    const identity = identityOf(kept.path);
    const read = reads.find((r) => identity !== undefined && identityOf(r.path) === identity);
    if (read) throw new UserError(`${kept.named ?? kept.path}: that is ${read.role}; give another file`);
  }
  return new CommandOutputs(files, outputs);
}

/** The outputs a command declared, and the one way it writes them. */
export class CommandOutputs {
  constructor(
    private readonly files: CommandFiles,
    private readonly outputs: readonly (OutputFlag & { path: string })[],
  ) {}

  /** Writes a whole output: to stdout when it is `-`, else atomically (a temporary file, then a rename). */
  write(path: string, text: string): void {
    const output = this.declared(path);
    if (path === STDOUT) {
      if (!this.files.stdout) throw new Error(`${output.flag} -: the command declared no stdout`);
      this.files.stdout(text);
      return;
    }
    const file = this.open(path);
    try {
      file.write(text);
      file.commit();
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  /** Opens an output to be written piece by piece (an artifact), checked again now. */
  open(path: string): OutputFile {
    const output = this.declared(path);
    if (path === STDOUT) throw new Error(`${output.flag} -: an artifact is written to a file, not stdout`);
    return new OutputFile(namedOf(output), checkedTarget(output, this.files).real);
  }

  private declared(path: string): OutputFlag & { path: string } {
    const output = this.outputs.find((o) => o.path === path);
    // Writing a file the command did not declare is a bug: it was never checked.
    if (!output) throw new Error(`${path}: not an output this command declared`);
    return output;
  }
}

/**
 * One output being written: a temporary file beside the real target, renamed over it at `commit`,
 * so a reader never sees half a file and a failed command (`abort`) leaves none behind.
 */
export class OutputFile {
  private readonly tmp: string;
  private fd = -1;

  constructor(
    /** How a message names it: the flag and the path as the user gave it. */
    private readonly named: string,
    /** Where it really goes: symbolic links followed, so the rename stays on one file system. */
    private readonly real: string,
  ) {
    this.tmp = `${real}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(real), { recursive: true });
      rmSync(this.tmp, { force: true });
      this.fd = openSync(this.tmp, "wx");
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  write(text: string): void {
    try {
      writeSync(this.fd, text);
    } catch (err) {
      this.abort();
      throw this.cannotWrite(err);
    }
  }

  /** Finishes the file and puts it in place. */
  commit(): void {
    try {
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tmp, this.real);
    } catch (err) {
      this.abort();
      throw this.cannotWrite(err);
    }
  }

  /** Drops the temporary file; the target is left as it was. */
  abort(): void {
    try {
      if (this.fd >= 0) closeSync(this.fd);
    } catch {
      // Closing is only tidying up before the file is removed.
    }
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }

  private cannotWrite(err: unknown): UserError {
    return new UserError(`${this.named}: cannot write the file (${describeFsError(err)}); choose a writable path`);
  }
}

/**
 * Refuses a path that exists and is not a regular file (through symbolic links), or is a link to
 * nothing, with one line: `NAMED: it is a FIFO, not a regular file; REMEDY`. For a file written
 * in place by its engine, such as the SQLite store.
 */
export function refuseUnlessRegularOrNew(path: string, named: string, remedy: string): void {
  const descriptor = descriptorOf(path);
  if (descriptor) throw new UserError(`${named}: it is ${describeDescriptor(descriptor)}, not a file that can be replaced; ${remedy}`);
  const target = inspect(path);
  if (target.kind === "other") throw new UserError(`${named}: it is ${target.what}, not a regular file; ${remedy}`);
  if (target.kind === "dangling") throw new UserError(`${named}: it is a symbolic link to a missing file (${target.target}); ${remedy}`);
  if (target.kind === "regular") {
    const stream = standardStreamOf(target.identity);
    if (stream) throw new UserError(`${named}: that is ${stream}; ${remedy}`);
  }
}

/**
 * Writes a file the platform names and reads while the command runs (Argo's progress file, the
 * kubelet's termination log), in place: such a file may be a mount point, which a rename cannot
 * replace. Best effort: it is a courtesy, and a failure is not the command's.
 */
export function writePlatformFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch {
    // The exit status and the log already say what matters.
  }
}

type Target =
  | { readonly kind: "regular" | "new"; readonly identity: string; readonly real: string }
  | { readonly kind: "dangling"; readonly target: string }
  | { readonly kind: "other"; readonly what: string }
  | { readonly kind: "unusable"; readonly why: string };

/** The output's target, refused unless it is a regular file or a new path that is none of the command's other files. */
function checkedTarget(output: OutputFlag & { path: string }, files: CommandFiles): { kind: "regular" | "new"; identity: string; real: string } {
  const named = namedOf(output);
  const orStdout = output.stdout ? " (or - for stdout)" : "";
  const descriptor = descriptorOf(output.path);
  if (descriptor) throw new UserError(`${named}: it is ${describeDescriptor(descriptor)}, not a file that can be replaced; give a file name${orStdout}`);
  const target = inspect(output.path);
  if (target.kind === "other") throw new UserError(`${named}: it is ${target.what}, not a regular file; give a regular file or a new path${orStdout}`);
  if (target.kind === "dangling") {
    throw new UserError(`${named}: it is a symbolic link to a missing file (${target.target}); give a regular file or a new path${orStdout}`);
  }
  if (target.kind === "unusable") throw new UserError(`${named}: cannot write the file (${target.why}); choose a writable path`);
  for (const file of protectedFiles(files)) {
    if (identityOf(file.path) === target.identity) throw new UserError(`${named}: that is ${file.role}; give another file`);
  }
  const stream = standardStreamOf(target.identity);
  if (stream) throw new UserError(`${named}: that is ${stream}; give another file${orStdout}`);
  refuseDatabase(named, output.path, target);
  return target;
}

/**
 * Refuses an output that is a SQLite database, the command's own store or any other (another
 * stock-rsi's, the default `stock-rsi.db` of a command that has no `--db`), or a file SQLite keeps
 * beside one: known by its content, not its name. A file that cannot be read cannot be told
 * apart from a database, so it is refused too.
 */
function refuseDatabase(named: string, path: string, target: { kind: "regular" | "new"; real: string }): void {
  if (target.kind === "regular") {
    const database = isSqliteDatabase(target.real);
    if (database === true) throw new UserError(`${named}: that is a SQLite database; give another file (an output never replaces a database)`);
    if (database !== false) throw new UserError(`${named}: cannot read the file to check it is not a database (${describeFsError(database)}); give another file`);
  }
  const base = sideFileOf(path) ?? sideFileOf(target.real);
  if (base !== undefined) throw new UserError(`${named}: that is a file SQLite keeps beside the database ${base}; give another file`);
}

function namedOf(output: OutputFlag & { path: string }): string {
  return output.named ?? `${output.flag} ${output.path}`;
}

/** Every file no output may be: what the command reads and keeps, and the files kept beside them. */
function protectedFiles(files: CommandFiles): { path: string; role: string }[] {
  return [...(files.keeps ?? []), ...(files.reads ?? [])].flatMap((file) => {
    if (!file.sideFiles) return [file];
    const bases = new Set([file.path, realOrSelf(file.path)]);
    const sides = [...bases].flatMap((base) => file.sideFiles!.suffixes.map((suffix) => ({ path: `${base}${suffix}`, role: file.sideFiles!.role })));
    return [file, ...sides];
  });
}

/** What a path is: an existing file by device and inode, a new path by its real directory and name. */
function inspect(path: string): Target {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return { kind: "unusable", why: describeFsError(err) };
    if (isSymbolicLink(path)) return { kind: "dangling", target: resolve(dirname(path), readlinkSync(path)) };
    const real = realOfNew(path);
    return { kind: "new", identity: `path:${real}`, real };
  }
  if (!stat.isFile()) return { kind: "other", what: fileKind(stat) };
  try {
    return { kind: "regular", identity: `inode:${stat.dev}:${stat.ino}`, real: realpathSync(path) };
  } catch (err) {
    // Gone or moved between the two looks: say so rather than fail as a bug.
    return { kind: "unusable", why: describeFsError(err) };
  }
}

/** The directories whose entries are a process's open file descriptors: Linux's /proc/PID/fd (a thread's too), and /dev/fd where it is a file system of its own (macOS). */
const DESCRIPTOR_DIRECTORY = /^(?:\/proc\/(\d+)(?:\/task\/\d+)?\/fd|\/dev\/fd)$/;
/** The most symbolic links a path may go through, as Linux's own limit (ELOOP beyond it). */
const MAX_LINKS = 40;

/**
 * The open file descriptor a path goes through, if any: its symbolic links followed one at a time
 * as the kernel follows them (`/dev/stdout` → `/proc/self/fd/1` → `/proc/PID/fd/1`), so that
 * every spelling of the link is caught, however many links lead there. Undefined when a part of
 * the path does not exist or cannot be looked at: the other checks say what is wrong with it.
 */
function descriptorOf(path: string): Descriptor | undefined {
  const parts = (p: string) => p.split("/").filter((name) => name !== "" && name !== ".");
  let pending = parts(isAbsolute(path) ? path : `${process.cwd()}/${path}`);
  let at = "/";
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === "..") {
      at = dirname(at);
      continue;
    }
    const directory = DESCRIPTOR_DIRECTORY.exec(at);
    if (directory) return { directory: at, pid: directory[1] === undefined ? process.pid : Number(directory[1]), fd: name };
    const next = join(at, name);
    let link: string;
    try {
      if (!lstatSync(next).isSymbolicLink()) {
        at = next;
        continue;
      }
      link = readlinkSync(next);
    } catch {
      return undefined;
    }
    if (++links > MAX_LINKS) return undefined;
    if (isAbsolute(link)) at = "/";
    pending = [...parts(link), ...pending];
  }
  return undefined;
}

const STANDARD_STREAMS = ["standard input", "standard output", "standard error"] as const;

interface Descriptor {
  /** The directory of descriptors it is in, links resolved: `/proc/PID/fd`. */
  readonly directory: string;
  readonly pid: number;
  /** Its name there: the descriptor's number, when the path names one. */
  readonly fd: string;
}

/** A descriptor in the words that complete "it is ...": "this command's standard output (file descriptor 1)". */
function describeDescriptor({ directory, pid, fd }: Descriptor): string {
  if (!/^\d+$/.test(fd)) return `in ${directory}, a directory of open file descriptors`;
  if (pid !== process.pid) return `file descriptor ${fd} of process ${pid}`;
  const stream = STANDARD_STREAMS[Number(fd)];
  return stream && /^[012]$/.test(fd) ? `this command's ${stream} (file descriptor ${fd})` : `this command's file descriptor ${fd}`;
}

/**
 * Which of the command's standard streams, if any, is on the regular file with this identity, in
 * the words that complete "that is ...": `run --report cron.log >> cron.log` would replace the log.
 */
function standardStreamOf(identity: string): string | undefined {
  for (const fd of [0, 1, 2]) {
    let stat;
    try {
      stat = fstatSync(fd);
    } catch {
      continue; // closed
    }
    if (!stat.isFile() || `inode:${stat.dev}:${stat.ino}` !== identity) continue;
    return fd === 0 ? "the file this command's standard input comes from" : `the file this command's ${STANDARD_STREAMS[fd]} goes to`;
  }
  return undefined;
}

/** A file's identity as `inspect` gives it, whatever it is; undefined when it cannot be looked at. */
function identityOf(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `inode:${stat.dev}:${stat.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
    return `path:${realOfNew(path)}`;
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Where a path that does not exist yet would be created: the real path of its nearest existing
 * directory (symbolic links and `..` resolved as the kernel does), then the names below it.
 */
function realOfNew(path: string): string {
  const below: string[] = [];
  let at = path;
  for (;;) {
    below.unshift(basename(at));
    const parent = dirname(at);
    try {
      return join(realpathSync(parent), ...below);
    } catch {
      if (dirname(parent) === parent) return resolve(path);
      at = parent;
    }
  }
}

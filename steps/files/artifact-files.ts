/**
 * Reading and writing artifact files: the only place the contract meets the file system.
 *
 * Artifacts are read and written one element of their bulk at a time (a prices artifact's
 * `series`, an rsi artifact's `results`), so no step ever holds a whole file as one string: V8
 * cannot make a string longer than about 512 MiB, which a prices artifact of 5,000 symbols over a
 * few years passes, and holding every parsed bar at once is most of a step's memory and time.
 * The bytes are exactly what `JSON.stringify(artifact, null, 2)` gave, so the files stay what the
 * contract (version 1) and the Argo UI expect. See docs/pipeline.md, "Reading and writing
 * artifacts".
 */
import { closeSync, readSync } from "node:fs";
import * as z from "zod/mini";
import type { StreamedContract } from "../domain/artifacts.ts";
import { UserError } from "../domain/errors.ts";
import { JsonSyntaxError, NotAnObject, RepeatedMember, scanArtifact } from "./json-file-scanner.ts";
import type { OutputFile } from "./output-files.ts";
import { openRegular, UnreadableFile } from "./regular-file.ts";

/**
 * Up to this size, a file that is not valid JSON, or not an object, is parsed whole once more to
 * say what is wrong in `JSON.parse`'s own words, as the steps always have.
 */
const WHOLE_FILE_DIAGNOSIS_BYTES = 16 * 1024 * 1024;

export interface ArtifactVisitor<E> {
  /**
   * The members ahead of the bulk (`schemaVersion`, `kind`, `asOf`, ...), checked: called once,
   * before the first element (at the end when there are none).
   */
  readonly head?: (head: Record<string, unknown>) => void;
  /** Each element of the bulk, checked, in file order. */
  readonly element: (element: E, index: number) => void;
}

/**
 * Reads and checks one artifact, handing its elements to `visitor` as they are read, and returns
 * the artifact without them (its bulk an empty array). Any problem becomes one line naming the
 * file and the field, e.g. `rsi.json: results[3].rsi: expected number, received string`, with the
 * problems zod would list first coming first. A path that is not a regular file (a directory, a
 * device, a FIFO) is refused before anything is read from it.
 */
export function readArtifactStream<A, E extends { readonly symbol: string }>(path: string, contract: StreamedContract<A, E>, producedBy: string, visitor: ArtifactVisitor<E>): A {
  const refuse = (where: string, message: string) => new UserError(`${path}: ${where}: ${message}; regenerate it with ${producedBy}`);
  const { fd, size } = openRegularFile(path);
  try {
    const members: Record<string, unknown> = {};
    const quick = contract.quickElement();
    const places = contract.onceEach?.places();
    let count = 0;
    let headDone = false;
    const checkHead = () => {
      headDone = true;
      const mask: Record<string, true> = {};
      const given: Record<string, unknown> = {};
      for (const key of contract.before) {
        mask[key] = true;
        if (Object.hasOwn(members, key)) given[key] = members[key];
      }
      const head = z.pick(contract.members, mask).safeParse(given);
      if (!head.success) {
        const issue = head.error.issues[0]!;
        throw refuse(formatPath(issue.path), issue.message);
      }
      visitor.head?.(head.data);
    };
    for (const event of scanArtifact(fd, size, contract.streamed, contract.before)) {
      if (event.kind === "member") {
        // JSON.parse keeps a member named __proto__ as data; so does this.
        Object.defineProperty(members, event.key, { value: event.value, enumerable: true, writable: true, configurable: true });
      } else if (event.kind === "array") {
        members[event.key] = [];
      } else {
        if (!headDone) checkHead();
        const index = count++;
        let element = quick(event.value);
        if (element === undefined) {
          const parsed = contract.element.safeParse(event.value);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw refuse(formatPath([contract.streamed, index, ...issue.path]), issue.message);
          }
          element = parsed.data;
        }
        places?.see(element.symbol, contract.streamed, index);
        visitor.element(element, index);
      }
    }
    if (!headDone) checkHead();
    const parsed = contract.members.safeParse(members);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw refuse(formatPath(issue.path), issue.message);
    }
    // A repeat is said after every element is checked, as the whole schema says it after its members'.
    if (places) {
      for (const member of contract.onceEach!.alsoIn) {
        (parsed.data[member] as readonly { readonly symbol: string }[]).forEach((e, i) => places.see(e.symbol, member, i));
      }
      if (places.repeat) throw refuse(formatPath(places.repeat.path), places.repeat.message);
    }
    return parsed.data as A;
  } catch (err) {
    if (err instanceof RepeatedMember) throw refuse(err.key, "appears twice (a member is named once)");
    if (err instanceof JsonSyntaxError || err instanceof NotAnObject) throw diagnose(path, fd, size, contract, producedBy, err);
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks a whole artifact, its bulk included (for the small ones, and tests). */
export function readArtifact<A, E extends { readonly symbol: string }>(path: string, contract: StreamedContract<A, E>, producedBy: string): A {
  const elements: E[] = [];
  const artifact = readArtifactStream(path, contract, producedBy, { element: (e) => void elements.push(e) });
  (artifact as Record<string, unknown>)[contract.streamed] = elements;
  return artifact;
}

/**
 * What is wrong with a file that is not one JSON object: for a file small enough, `JSON.parse`'s
 * own words (or zod's, for JSON that is not an object), exactly as the steps said before they
 * streamed; for a larger one, the scanner's, with the byte where it stopped.
 */
function diagnose<A, E extends { readonly symbol: string }>(path: string, fd: number, size: number, contract: StreamedContract<A, E>, producedBy: string, err: Error): UserError {
  if (size <= WHOLE_FILE_DIAGNOSIS_BYTES) {
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n <= 0) break;
      read += n;
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8", 0, read));
    } catch (parseError) {
      return new UserError(`${path}: not valid JSON (${(parseError as Error).message}); regenerate it with ${producedBy}`);
    }
    const parsed = contract.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return new UserError(`${path}: ${formatPath(issue.path)}: ${issue.message}; regenerate it with ${producedBy}`);
    }
  }
  const detail = err instanceof JsonSyntaxError ? `${err.message} at byte ${err.offset}` : "it is not a JSON object";
  return new UserError(`${path}: not valid JSON (${detail}); regenerate it with ${producedBy}`);
}

/** Opens an artifact for reading; anything but a regular file is refused with one line (see `regular-file.ts`). */
export function openRegularFile(path: string): { fd: number; size: number } {
  try {
    return openRegular(path);
  } catch (err) {
    if (err instanceof UnreadableFile) throw new UserError(`${path}: cannot read the file (${err.message})`);
    throw err;
  }
}

/** Bytes gathered before one write to the file. */
const WRITE_BATCH = 64 * 1024;

/**
 * Writes an artifact member by member, and the elements of an array member one at a time,
 * producing exactly the bytes of `JSON.stringify(artifact, null, 2)` plus a newline, into an
 * output the command declared (`output-files.ts`): a temporary file renamed into place at
 * `close`, so a reader never sees half a file and a failed step (`abort`) leaves none behind.
 */
export class ArtifactWriter {
  private pending = "";
  private members = 0;
  /** Elements written to the open array member, or -1 when none is open. */
  private elements = -1;

  constructor(private readonly file: OutputFile) {
    this.pending = "{";
  }

  /** A member whose value is written whole; one `JSON.stringify` leaves out (undefined) is skipped. */
  member(key: string, value: unknown): this {
    const text = JSON.stringify(value, null, 2);
    if (text === undefined) return this;
    this.open(key);
    this.write(indent(text, "\n  "));
    return this;
  }

  /** Starts an array member; `element` adds to it, `endArray` closes it. */
  beginArray(key: string): this {
    this.open(key);
    this.write("[");
    this.elements = 0;
    return this;
  }

  element(value: unknown): this {
    const text = JSON.stringify(value, null, 2) ?? "null";
    this.write(`${this.elements === 0 ? "" : ","}\n    ${indent(text, "\n    ")}`);
    this.elements++;
    return this;
  }

  endArray(): this {
    this.write(this.elements === 0 ? "]" : "\n  ]");
    this.elements = -1;
    return this;
  }

  /** Finishes the file and puts it in place. */
  close(): void {
    this.write(this.members === 0 ? "}\n" : "\n}\n");
    this.flush();
    this.file.commit();
  }

  /** Drops the temporary file; the target is left as it was. */
  abort(): void {
    this.file.abort();
  }

  private open(key: string): void {
    this.write(`${this.members === 0 ? "" : ","}\n  ${JSON.stringify(key)}: `);
    this.members++;
  }

  private write(text: string): void {
    this.pending += text;
    if (this.pending.length >= WRITE_BATCH) this.flush();
  }

  private flush(): void {
    if (this.pending === "") return;
    this.file.write(this.pending);
    this.pending = "";
  }
}

/** Re-indents `JSON.stringify` output for where it is nested; a JSON string never holds a raw line break. */
function indent(text: string, newline: string): string {
  return text.includes("\n") ? text.replaceAll("\n", newline) : text;
}

/**
 * Writes a whole artifact in memory, member by member and each array element by element, so
 * even a prices artifact larger than a string can hold is written.
 */
export function writeArtifact(file: OutputFile, artifact: object): void {
  const writer = new ArtifactWriter(file);
  try {
    for (const [key, value] of Object.entries(artifact)) {
      if (Array.isArray(value)) {
        writer.beginArray(key);
        for (const element of value) writer.element(element);
        writer.endArray();
      } else {
        writer.member(key, value);
      }
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/** `["results", 3, "rsi"]` → `results[3].rsi`. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}


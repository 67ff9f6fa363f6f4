/**
 * Finds where each member of a JSON file's top-level object is, and where each element of the
 * arrays named as streamed is, without ever holding the file or one of those arrays in memory.
 *
 * An artifact is one object whose bulk is one array (`series`, `results`). `JSON.parse` of the
 * whole text is the fastest parser in Node, but it needs the whole file as one string (which V8
 * caps at about 512 MiB) and builds every object at once: at 20,000 symbols a prices artifact is
 * 400 MB of text and gigabytes of objects. The scanner walks the bytes once, in blocks, and only
 * remembers offsets; `JSON.parse` then reads each element from its own small slice, so peak memory
 * is one element plus one block, and the per-byte work in JavaScript is a few comparisons.
 *
 * The scanner trusts `JSON.parse` for everything inside a value: it only tracks strings (so that a
 * bracket inside one does not count) and nesting, and checks the punctuation between members and
 * elements. Every slice it hands out is parsed, so a file is accepted only when each piece is
 * valid JSON and the pieces fit together, which is exactly when the whole file is valid JSON.
 */
import { readSync } from "node:fs";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Bytes read per block; a value longer than this grows the block only while it is held. */
const BLOCK_BYTES = 1 << 20;

/** A syntax error, with the byte offset in the file where it was seen. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Offsets of the elements of one streamed array: `[start, end)` pairs, and whether each is pure ASCII. */
export class ElementIndex {
  private bounds = new Float64Array(2 * 1024);
  private ascii = new Uint8Array(1024);
  length = 0;

  add(start: number, end: number, isAscii: boolean): void {
    if (this.length === this.ascii.length) {
      const bounds = new Float64Array(this.bounds.length * 2);
      bounds.set(this.bounds);
      this.bounds = bounds;
      const ascii = new Uint8Array(this.ascii.length * 2);
      ascii.set(this.ascii);
      this.ascii = ascii;
    }
    this.bounds[2 * this.length] = start;
    this.bounds[2 * this.length + 1] = end;
    this.ascii[this.length] = isAscii ? 1 : 0;
    this.length++;
  }

  start(i: number): number {
    return this.bounds[2 * i]!;
  }

  end(i: number): number {
    return this.bounds[2 * i + 1]!;
  }

  isAscii(i: number): boolean {
    return this.ascii[i] === 1;
  }
}

/** What the scanner found, in file order. */
export type ScanEvent =
  /** A member of the top-level object, parsed (a streamed array's elements come as `element`s). */
  | { readonly kind: "member"; readonly key: string; readonly value: unknown }
  /** The streamed array starts; its elements follow, then the members after it. */
  | { readonly kind: "array"; readonly key: string }
  | { readonly kind: "element"; readonly value: unknown };

/** The file holds JSON, but not an object: the caller decides what to say. */
export class NotAnObject extends Error {}

/** A member name that appears twice: which value counts would depend on the reader. */
export class RepeatedMember extends Error {
  constructor(readonly key: string) {
    super(`${key} appears twice`);
  }
}

/**
 * Reads an open file: the members of its top-level object, parsed, and the elements of the array
 * under `streamedKey` one at a time. The elements come as soon as they are read when every member
 * named in `needBefore` came before the array, as the steps write them; otherwise (a file written
 * by hand in another order) the scanner notes where each element is, reads the rest of the file,
 * and then reads the elements back, so that the caller always sees those members first.
 */
export function* scanArtifact(fd: number, size: number, streamedKey: string, needBefore: readonly string[]): Generator<ScanEvent> {
  const scanner = new Scanner(fd, size);
  const first = scanner.skipSpace();
  if (first === -1) throw scanner.error("Unexpected end of JSON input");
  if (first !== OPEN_BRACE) throw new NotAnObject();
  scanner.pos++;
  const seen = new Set<string>();
  let index: ElementIndex | undefined;
  if (scanner.skipSpace() === CLOSE_BRACE) {
    scanner.pos++;
  } else {
    for (;;) {
      if (scanner.skipSpace() !== QUOTE) throw scanner.error("Expected a member name");
      const key = scanner.parseValue() as string;
      if (seen.has(key)) throw new RepeatedMember(key);
      seen.add(key);
      if (scanner.skipSpace() !== COLON) throw scanner.error("Expected ':' after a member name");
      scanner.pos++;
      const next = scanner.skipSpace();
      if (next === -1) throw scanner.error("Unexpected end of JSON input");
      if (key === streamedKey && next === OPEN_BRACKET) {
        if (needBefore.every((k) => seen.has(k))) {
          yield { kind: "array", key };
          yield* scanner.elements();
        } else {
          index = scanner.locateElements();
        }
      } else {
        yield { kind: "member", key, value: scanner.parseValue() };
      }
      const after = scanner.skipSpace();
      scanner.pos++;
      if (after === CLOSE_BRACE) break;
      if (after !== COMMA) throw scanner.error(after === -1 ? "Unexpected end of JSON input" : "Expected ',' or '}' after a member");
    }
  }
  if (scanner.skipSpace() !== -1) throw scanner.error("Unexpected non-whitespace character after JSON");
  if (index) {
    yield { kind: "array", key: streamedKey };
    const reader = new ElementReader(fd);
    for (let i = 0; i < index.length; i++) {
      const start = index.start(i);
      const text = reader.text(start, index.end(i), index.isAscii(i));
      yield { kind: "element", value: parseAt(text, start) };
    }
  }
}

function parseAt(text: string, offset: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new JsonSyntaxError((err as Error).message, offset);
  }
}

class Scanner {
  private buf = Buffer.allocUnsafe(BLOCK_BYTES);
  /** File offset of `buf[0]`. */
  private base = 0;
  /** Valid bytes in `buf`. */
  private filled = 0;
  /** Index in `buf` of the next byte to look at. */
  pos = 0;
  /** Index in `buf` of the first byte that must stay (the start of a value being sliced), or -1. */
  private mark = -1;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  /**
   * At `[`: yields each element, parsed, and leaves `pos` after the closing `]`.
   *
   * Where the steps wrote the file, an element that starts on its own line, indented by k spaces,
   * ends at the next line holding k spaces and its closing bracket: every line inside it is
   * indented deeper, and a JSON string cannot hold a line break. That line is found with
   * `indexOf`, in native code, and `JSON.parse` of the slice proves the guess: a slice that starts
   * where a value starts and parses whole is that value, exactly. A file laid out any other way
   * (by hand, or on one line) fails the guess and is scanned byte by byte instead.
   */
  *elements(): Generator<ScanEvent> {
    this.pos++;
    if (this.skipSpace() === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    for (;;) {
      if (this.skipSpace() === -1) throw this.error("Unexpected end of JSON input");
      yield { kind: "element", value: this.parseElement() };
      const after = this.skipSpace();
      this.pos++;
      if (after === CLOSE_BRACKET) return;
      if (after !== COMMA) throw this.error(after === -1 ? "Unexpected end of JSON input" : "Expected ',' or ']' after an array element");
    }
  }

  private parseElement(): unknown {
    const closing = this.closingLine();
    if (closing !== undefined) {
      const start = this.pos;
      this.mark = start;
      const end = this.findLine(closing);
      if (end >= 0) {
        let value: unknown;
        let parsed = false;
        try {
          value = JSON.parse(this.buf.toString("utf8", this.mark, end));
          parsed = true;
        } catch {
          // Not laid out as guessed, or not valid: the byte scan below tells which.
        }
        if (parsed) {
          this.pos = end;
          this.mark = -1;
          return value;
        }
      }
      this.pos = this.mark;
      this.mark = -1;
    }
    return this.parseValue();
  }

  /** For a value that starts a line after k spaces and opens a bracket: the bytes of its closing line. */
  private closingLine(): Buffer | undefined {
    const open = this.buf[this.pos];
    if (open !== OPEN_BRACE && open !== OPEN_BRACKET) return undefined;
    let spaces = 0;
    let i = this.pos - 1;
    while (i >= 0 && this.buf[i] === 0x20) {
      spaces++;
      i--;
    }
    if (i < 0 || this.buf[i] !== 0x0a) return undefined;
    let line = CLOSING_LINES[spaces * 2 + (open === OPEN_BRACE ? 0 : 1)];
    if (!line) {
      line = Buffer.from(`\n${" ".repeat(spaces)}${open === OPEN_BRACE ? "}" : "]"}`);
      CLOSING_LINES[spaces * 2 + (open === OPEN_BRACE ? 0 : 1)] = line;
    }
    return line;
  }

  /** The index just after the first `line` from `mark` on, reading more as needed; -1 if none. */
  private findLine(line: Buffer): number {
    let from = this.mark;
    for (;;) {
      const at = this.buf.indexOf(line, from);
      if (at >= 0 && at + line.length <= this.filled) return at + line.length;
      const searched = Math.max(this.mark, this.filled - line.length);
      this.pos = this.filled;
      const before = this.mark;
      if (!this.refill(true)) return -1;
      from = searched - before + this.mark;
    }
  }

  /** At `[`: notes where each element is, and leaves `pos` after the closing `]`. */
  locateElements(): ElementIndex {
    const index = new ElementIndex();
    this.pos++;
    if (this.skipSpace() === CLOSE_BRACKET) {
      this.pos++;
      return index;
    }
    for (;;) {
      if (this.skipSpace() === -1) throw this.error("Unexpected end of JSON input");
      const start = this.offset();
      const isAscii = this.skipValue(false);
      index.add(start, this.offset(), isAscii);
      const after = this.skipSpace();
      this.pos++;
      if (after === CLOSE_BRACKET) return index;
      if (after !== COMMA) throw this.error(after === -1 ? "Unexpected end of JSON input" : "Expected ',' or ']' after an array element");
    }
  }

  /** Parses the value at `pos` with `JSON.parse` and leaves `pos` after it. */
  parseValue(): unknown {
    const start = this.offset();
    this.mark = this.pos;
    const isAscii = this.skipValue(true);
    const text = this.buf.toString(isAscii ? "latin1" : "utf8", this.mark, this.pos);
    this.mark = -1;
    return parseAt(text, start);
  }

  /**
   * Moves `pos` past one JSON value; returns whether its bytes are all ASCII. Only strings and
   * nesting are tracked: whatever else is wrong inside the value, `JSON.parse` of it will say.
   */
  private skipValue(keep: boolean): boolean {
    let depth = 0;
    let inString = false;
    let escaped = false;
    let highBits = 0;
    const first = this.buf[this.pos]!;
    const scalar = first !== OPEN_BRACE && first !== OPEN_BRACKET && first !== QUOTE;
    for (;;) {
      const buf = this.buf;
      const filled = this.filled;
      let i = this.pos;
      while (i < filled) {
        const c = buf[i]!;
        highBits |= c;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) {
              this.pos = i + 1;
              return highBits < 0x80;
            }
          }
        } else if (scalar) {
          // A number, true, false or null ends at the first byte that cannot be part of it.
          if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            this.pos = i;
            return true;
          }
        } else if (c === QUOTE) {
          inString = true;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          depth++;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            this.pos = i + 1;
            return highBits < 0x80;
          }
        }
        i++;
      }
      this.pos = i;
      if (!this.refill(keep)) {
        if (scalar && !inString) return highBits < 0x80;
        throw this.error("Unexpected end of JSON input");
      }
    }
  }

  /** The next byte that is not whitespace (without consuming it), or -1 at the end of the file. */
  skipSpace(): number {
    for (;;) {
      const buf = this.buf;
      while (this.pos < this.filled) {
        const c = buf[this.pos]!;
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
        this.pos++;
      }
      if (!this.refill(false)) return -1;
    }
  }

  /**
   * Reads the next block. With `keep`, bytes from `mark` on (a value being sliced) stay, and the
   * buffer grows when they fill half of it; otherwise everything before `pos` is dropped, except
   * the 64 bytes just before it (a closing line is recognised by the spaces before a bracket).
   * False at the end of the file.
   */
  private refill(keep: boolean): boolean {
    if (this.base + this.filled >= this.size) return false;
    const from = keep && this.mark >= 0 ? this.mark : Math.max(0, this.pos - LOOK_BEHIND);
    const kept = this.filled - from;
    if (kept >= this.buf.length / 2) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, from, this.filled);
      this.buf = bigger;
    } else if (kept > 0) {
      this.buf.copy(this.buf, 0, from, this.filled);
    }
    this.base += from;
    this.pos -= from;
    if (this.mark >= 0) this.mark -= from;
    this.filled = kept;
    const want = Math.min(this.buf.length - kept, this.size - (this.base + kept));
    const read = readSync(this.fd, this.buf, kept, want, this.base + kept);
    if (read <= 0) return false;
    this.filled += read;
    return true;
  }

  private offset(): number {
    return this.base + this.pos;
  }

  error(message: string): JsonSyntaxError {
    return new JsonSyntaxError(message, this.offset());
  }
}

/** Bytes kept before `pos` when reading on, so the indentation before an element is still there. */
const LOOK_BEHIND = 64;

/** The closing line of an element by its indentation and bracket, made once: `\n    }`. */
const CLOSING_LINES: Array<Buffer | undefined> = [];
/**
 * Reads elements located by the scanner back, block by block: elements are read in file order, so
 * one block usually holds many of them, and one element longer than a block gets its own read.
 */
export class ElementReader {
  private buf = Buffer.allocUnsafe(BLOCK_BYTES);
  private blockStart = 0;
  private blockEnd = 0;

  constructor(private readonly fd: number) {}

  /** The text of `[start, end)`; `ascii` says the bytes are all ASCII, so decoding is a copy. */
  text(start: number, end: number, ascii: boolean): string {
    if (start < this.blockStart || end > this.blockEnd) {
      const length = Math.max(BLOCK_BYTES, end - start);
      if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const n = readSync(this.fd, this.buf, read, length - read, start + read);
        if (n <= 0) break;
        read += n;
      }
      if (read < end - start) throw new Error(`the file shrank while it was read (wanted bytes ${start}-${end})`);
      this.blockStart = start;
      this.blockEnd = start + read;
    }
    return this.buf.toString(ascii ? "latin1" : "utf8", start - this.blockStart, end - this.blockStart);
  }
}

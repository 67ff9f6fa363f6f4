/**
 * Splitting a SQL script (a mysqldump file) into statements as it streams past, chunk by chunk,
 * without ever holding more of it than the statement parts its reader asks to keep.
 *
 * A statement ends at the delimiter (`;`, or what a `DELIMITER` line of the `mysql` client set,
 * e.g. `;;` around stored routines) outside quotes and comments. Inside `'...'` and `"..."` a
 * backslash escapes the next character and a doubled quote is one quote; `` `...` `` names may
 * hold anything; `-- `, `#` and `/* ... *\/` comments (mysqldump's `/*!40101 ... *\/` versioned
 * ones too) count as a space. A chunk may end anywhere: inside a string, between the two
 * characters of `\'` or `''`, or between `-` and `- `; the scanner keeps the few characters it
 * needs to look ahead and carries them into the next chunk.
 *
 * For each statement the reader first sees its head: the text up to its first `(` outside quotes
 * (`INSERT INTO \`stocks\` VALUES `, `CREATE TABLE \`stocks\` `), or the whole statement when it
 * has none, or its first HEAD_LIMIT characters. It then says what to do with the rest:
 * - `skip`: read past it, keeping nothing (an INSERT into another table, however long);
 * - `keep`: collect it whole, up to KEEP_LIMIT (a CREATE TABLE);
 * - `rows`: hand it over in pieces, each ending after a `,` outside parentheses or at the
 *   statement's end: `(v, v, ...),` for each row of an extended INSERT, so one row at a time is
 *   held, never the statement.
 */

/** Where a statement or a piece of one starts: its line in the script (1-based). */
export type Line = number;

export type StatementMode = "skip" | "keep" | "rows";

/** Why the head ended: at the statement's first `(`, at its end, or because it grew too long. */
export type HeadEnd = "paren" | "end" | "limit";

export interface StatementReader {
  /** The statement's head (comments as spaces), and what to do with the rest. */
  head(text: string, line: Line, end: HeadEnd): StatementMode;
  /** `keep`: the rest of the statement after the head, delimiter excluded. `rows`: one piece, delimiter included. */
  text(text: string, line: Line): void;
  /** The statement ended: at its delimiter, or cut short by the end of the script. */
  end(complete: boolean, line: Line): void;
}

/** A statement's head is read up to this many characters (a CREATE TABLE's head is short). */
export const HEAD_LIMIT = 64 * 1024;
/** The longest statement kept whole: a CREATE TABLE of 1,017 columns is about 60 KB. */
export const KEEP_LIMIT = 16 * 1024 * 1024;

/** The script is not one the scanner can split: a statement too long to keep. */
export class ScriptError extends Error {
  constructor(
    readonly line: Line,
    message: string,
  ) {
    super(message);
  }
}

const NORMAL = 0;
const SINGLE = 1;
const DOUBLE = 2;
const BACKTICK = 3;
const LINE_COMMENT = 4;
const BLOCK_COMMENT = 5;

const BETWEEN = 0;
const HEAD = 1;
const SKIP = 2;
const KEEP = 3;
const ROWS = 4;

const NL = 10;

export class StatementScanner {
  private lex = NORMAL;
  private phase = BETWEEN;
  /** What ends a statement: `;`, or what the last `DELIMITER` line set. */
  delimiter = ";";
  /** Characters not yet scanned: the end of the last chunk, kept to look ahead. */
  private carry = "";
  private line: Line = 1;
  private depth = 0;
  /** The kept text of the current statement or piece, as parts (a chunk boundary or a comment splits it). */
  private parts: string[] = [];
  private partsLength = 0;
  private statementLine: Line = 1;
  /** The line where the current piece of a `rows` statement starts. */
  private pieceLine: Line = 1;
  private finished = false;

  constructor(private readonly reader: StatementReader) {}

  /** Scans the next chunk of the script. */
  push(chunk: string): void {
    this.scan(this.carry + chunk, false);
  }

  /** The script ended: scans what is left and ends a statement cut short. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.scan(this.carry, true);
    this.carry = "";
    if (this.phase === HEAD) {
      const mode = this.reader.head(this.taken(), this.statementLine, "end");
      if (mode !== "skip") this.reader.text("", this.statementLine);
      this.reader.end(false, this.line);
    } else if (this.phase === KEEP || this.phase === ROWS) {
      const rest = this.taken();
      if (this.phase === KEEP || rest.trim() !== "") this.reader.text(rest, this.phase === ROWS ? this.pieceLine : this.statementLine);
      this.reader.end(false, this.line);
    } else if (this.phase === SKIP) {
      this.reader.end(false, this.line);
    }
    this.phase = BETWEEN;
  }

  private scan(text: string, final: boolean): void {
    // The longest thing read ahead: the delimiter, `-- ` and the escaped character.
    const lookahead = final ? 0 : Math.max(3, this.delimiter.length);
    const limit = text.length - lookahead;
    let i = 0;
    /** Where the text still to be taken into `parts` starts. */
    let from = 0;
    const keeping = () => this.phase === HEAD || this.phase === KEEP || this.phase === ROWS;
    const take = (to: number) => {
      if (to > from && keeping()) this.add(text.slice(from, to));
      from = to;
    };

    while (i < limit) {
      const c = text.charCodeAt(i);
      switch (this.lex) {
        case SINGLE:
        case DOUBLE:
        case BACKTICK: {
          const quote = this.lex === SINGLE ? 39 : this.lex === DOUBLE ? 34 : 96;
          const escapes = this.lex !== BACKTICK;
          // Jump to the next character that matters: the quote, a backslash (not in names).
          let j = i;
          for (; j < limit; j++) {
            const d = text.charCodeAt(j);
            if (d === NL) this.line++;
            else if (d === quote) break;
            else if (d === 92 /* \ */ && escapes) break;
          }
          if (j >= limit) {
            i = j;
            break;
          }
          if (text.charCodeAt(j) === 92) {
            // The escaped character, whatever it is (a quote, a newline).
            if (text.charCodeAt(j + 1) === NL) this.line++;
            i = j + 2;
          } else if (text.charCodeAt(j + 1) === quote) {
            i = j + 2; // a doubled quote: one quote, still inside
          } else {
            this.lex = NORMAL;
            i = j + 1;
          }
          break;
        }
        case LINE_COMMENT: {
          const j = text.indexOf("\n", i);
          if (j < 0 || j >= limit) {
            i = limit;
            from = i;
            break;
          }
          this.lex = NORMAL;
          i = j; // the newline itself is scanned as text
          from = i;
          break;
        }
        case BLOCK_COMMENT: {
          const j = text.indexOf("*/", i);
          const to = j < 0 || j >= limit ? limit : j;
          for (let k = i; k < to; k++) if (text.charCodeAt(k) === NL) this.line++;
          if (to === limit) {
            i = limit;
            from = i;
            break;
          }
          this.lex = NORMAL;
          i = j + 2;
          from = i;
          break;
        }
        default: {
          // NORMAL
          if (c === NL) {
            this.line++;
            if (this.phase === HEAD && this.partsLength + (i - from) < 256 && this.isDelimiterCommand(text, from, i)) {
              this.delimiter = this.delimiterCommand(text, from, i);
              this.phase = BETWEEN;
              this.resetParts();
              from = i + 1;
              i++;
              // The lookahead may now be longer: stop here and carry the rest.
              if (!final) {
                this.carry = text.slice(i);
                return;
              }
              break;
            }
            i++;
            break;
          }
          if (c === 32 || c === 9 || c === 13) {
            i++;
            break;
          }
          const commentLength = c === 35 || c === 45 || c === 47 ? this.commentStart(text, i, final) : 0;
          if (commentLength > 0) {
            take(i);
            if (keeping()) this.add(" ");
            this.lex = c === 47 /* / */ ? BLOCK_COMMENT : LINE_COMMENT;
            i += commentLength;
            from = i;
            break;
          }
          if (this.phase === BETWEEN) {
            if (c === this.delimiter.charCodeAt(0) && text.startsWith(this.delimiter, i)) {
              // An empty statement (after a /*!...*/ comment, or `;;`).
              i += this.delimiter.length;
              from = i;
              break;
            }
            this.phase = HEAD;
            this.statementLine = this.line;
            this.depth = 0;
            this.resetParts();
            from = i;
          }
          if (c === this.delimiter.charCodeAt(0) && text.startsWith(this.delimiter, i)) {
            if (this.phase === HEAD && this.partsLength + (i - from) < 256 && /^\s*delimiter\s/i.test(this.taken() + text.slice(from, i))) {
              // `DELIMITER ;;`: the client's command runs to the end of its line.
              i++;
              break;
            }
            const end = i + this.delimiter.length;
            if (this.phase === ROWS) {
              take(end);
              this.reader.text(this.taken(), this.pieceLine);
            } else {
              take(i);
              if (this.phase === HEAD) {
                const mode = this.reader.head(this.taken(), this.statementLine, "end");
                if (mode !== "skip") this.reader.text("", this.statementLine);
              } else if (this.phase === KEEP) {
                this.reader.text(this.taken(), this.statementLine);
              }
            }
            this.reader.end(true, this.line);
            this.phase = BETWEEN;
            this.resetParts();
            i = end;
            from = i;
            break;
          }
          if (c === 39 /* ' */) this.lex = SINGLE;
          else if (c === 34 /* " */) this.lex = DOUBLE;
          else if (c === 96 /* ` */) this.lex = BACKTICK;
          else if (c === 40 /* ( */) {
            if (this.phase === HEAD) {
              take(i);
              const mode = this.reader.head(this.taken(), this.statementLine, "paren");
              this.startRest(mode);
              from = i;
              if (mode === "rows") this.pieceLine = this.line;
            }
            this.depth++;
          } else if (c === 41 /* ) */) this.depth--;
          else if (c === 44 /* , */ && this.phase === ROWS && this.depth === 0) {
            take(i + 1);
            this.reader.text(this.taken(), this.pieceLine);
            this.resetParts();
            // The next piece starts right after the comma, on its line.
            this.pieceLine = this.line;
          }
          i++;
          break;
        }
      }
      if (this.phase === HEAD && this.partsLength + (i - from) > HEAD_LIMIT) {
        take(i);
        this.startRest(this.reader.head(this.taken(), this.statementLine, "limit"));
        from = i;
      } else if (this.phase === KEEP && this.partsLength + (i - from) > KEEP_LIMIT) {
        throw new ScriptError(this.statementLine, `a statement longer than ${KEEP_LIMIT / 1024 / 1024} MiB`);
      }
    }
    take(i);
    this.carry = text.slice(i);
  }

  /** After the head: skip, keep or hand over the rest in pieces. */
  private startRest(mode: StatementMode): void {
    this.resetParts();
    this.phase = mode === "skip" ? SKIP : mode === "keep" ? KEEP : ROWS;
  }

  /** The length of the comment starting at `i`, or 0: `#`, `-- ` (MySQL wants the space), `/*`. */
  private commentStart(text: string, i: number, final: boolean): number {
    const c = text.charCodeAt(i);
    if (c === 35 /* # */) return 1;
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const after = text.charCodeAt(i + 2);
      if (after === 32 || after === 9 || after === NL || after === 13) return 2;
      if (final && i + 2 >= text.length) return 2;
      return 0;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) return 2;
    return 0;
  }

  /** A line of the `mysql` client, not SQL: `DELIMITER ;;`. */
  private isDelimiterCommand(text: string, from: number, to: number): boolean {
    const head = (this.taken() + text.slice(from, to)).trimStart();
    return /^delimiter\s+\S/i.test(head);
  }

  private delimiterCommand(text: string, from: number, to: number): string {
    return (this.taken() + text.slice(from, to)).trim().replace(/^delimiter\s+/i, "").trim();
  }

  private add(part: string): void {
    this.parts.push(part);
    this.partsLength += part.length;
  }

  private taken(): string {
    const text = this.parts.join("");
    this.parts = [text];
    return text;
  }

  private resetParts(): void {
    this.parts = [];
    this.partsLength = 0;
  }
}

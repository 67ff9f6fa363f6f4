/**
 * Reading one table out of a `mysqldump` file without replaying it.
 *
 * The user's dump (`prod-db.sql`) was written by MySQL 8.0.21. Replaying it into another server
 * works only where every name in it is known: MariaDB, for one, has no `utf8mb4_0900_ai_ci`
 * collation and refuses the CREATE statements. Replaying would also run its `DROP TABLE IF
 * EXISTS \`stocks\``. So the dump is read as data instead: the column list of the table's
 * `CREATE TABLE` and the row tuples of the INSERT statements into that same table, nothing else.
 *
 * "That same table" is a database and a name: a dump of several databases (`mysqldump
 * --databases a b`, `--all-databases`) switches with `USE \`a\`;`, and a statement may name
 * `` `a`.`stocks` `` itself. An INSERT is read only when it goes to the table whose CREATE TABLE
 * was read, so two `stocks` tables with their columns in different orders are never mixed. A dump
 * holding the table in more than one database is refused unless the reader says which
 * (`database`), naming the databases.
 *
 * The statements read are mysqldump's, in each of its shapes: `INSERT INTO`, `REPLACE INTO`
 * (`--replace`) and `INSERT IGNORE INTO` (`--insert-ignore`); one row per statement
 * (`--skip-extended-insert`) or many; with the column list (`--complete-insert`), which then says
 * where each value goes. Values are NULL, numbers, or single-quoted strings with backslash escapes
 * or doubled quotes. The dump is read as a stream of statements (`sql-statements.ts`): one row is
 * held at a time, never the file or a whole INSERT.
 */
import { createReadStream } from "node:fs";
import { UserError } from "../../steps/domain/errors.ts";
import type { WideColumn, WideTableContent } from "../../steps/store/store.ts";
import { ScriptError, StatementScanner, type HeadEnd, type Line, type StatementMode, type StatementReader } from "./sql-statements.ts";

export interface DumpTableOptions {
  /** The table to read, as CREATE TABLE names it. */
  readonly table: string;
  /** The database holding it, when the dump holds more than one such table. */
  readonly database?: string;
  /** The dump's name in messages. */
  readonly fileName: string;
}

/** Where each row of the table goes, as the dump is read. */
export interface DumpRowSink {
  /** The table's columns, once, before its first row; `line` is its CREATE TABLE's. */
  columns(columns: readonly WideColumn[], line: Line, database: string | undefined): void;
  /** One row, in the order of `columns` (columns an INSERT does not name are NULL). */
  row(cells: readonly unknown[], line: Line): void;
}

/** A CREATE TABLE of the table asked for, in one database (undefined: a dump with no `USE`). */
interface Candidate {
  readonly database: string | undefined;
  readonly line: Line;
  columns?: WideColumn[];
}

const IDENT = "(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$]+))";
const QUALIFIED = `${IDENT}(?:\\s*\\.\\s*${IDENT})?`;
const USE = new RegExp(`^USE\\s+${IDENT}\\s*$`, "i");
const CREATE_DATABASE = new RegExp(`^CREATE\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${IDENT}`, "i");
const CREATE_TABLE = new RegExp(`^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${QUALIFIED}\\s*$`, "i");
const ALTER_TABLE = new RegExp(`^ALTER\\s+(?:IGNORE\\s+)?TABLE\\s+${QUALIFIED}`, "i");
/** mysqldump's INSERT: `INSERT [IGNORE] INTO`, `REPLACE INTO`, and the modifiers MySQL allows. */
const INSERT = new RegExp(
  `^(?:INSERT|REPLACE)(?:\\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY))?(?:\\s+IGNORE)?(?:\\s+INTO)?\\s+${QUALIFIED}\\s*(VALUES?)?\\s*$`,
  "i",
);
const ANY_INSERT = new RegExp(`^(?:INSERT|REPLACE)\\b[^(]*?(?:INTO\\s+)?${QUALIFIED}`, "i");
/** A MySQL number as mysqldump writes it: 45.65, -3, 1e-05. */
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
/** An unquoted value, up to what ends it. */
const BARE = /[^\s,()']*/y;
/** A character set introducer before a quoted value: `_binary '...'`. */
const INTRODUCER = /_[A-Za-z0-9]+\s*'/y;

const unquote = (m: RegExpExecArray, at: number): string | undefined => (m[at] !== undefined ? m[at].replace(/``/g, "`") : m[at + 1]);

/** `[database, table]` from a match of QUALIFIED starting at group `at`. */
function qualified(m: RegExpExecArray, at: number): [string | undefined, string] {
  const first = unquote(m, at)!;
  const second = unquote(m, at + 2);
  return second === undefined ? [undefined, first] : [first, second];
}

const databaseName = (database: string | undefined) => (database === undefined ? "(no USE)" : database);

/**
 * Reads the dump's statements as they stream past and hands the table's rows to `sink`. Throws a
 * UserError naming the file and line for anything it cannot read as mysqldump output, and at the
 * end for a dump without the table, or with it in several databases and no `database` chosen.
 */
export class MysqldumpTableReader implements StatementReader {
  private readonly scanner = new StatementScanner(this);
  private currentDatabase: string | undefined;
  /** Every CREATE TABLE of the table, by database. */
  private readonly candidates: Candidate[] = [];
  /** The one being read, once its CREATE TABLE has been. */
  private chosen: Candidate | undefined;
  private readonly databases = new Set<string>();
  private rowsRead = 0;

  // The statement being read.
  private mode: "other" | "use" | "database" | "create" | "alter" | "insert" = "other";
  private headText = "";
  private headLine: Line = 1;
  private keptText = "";
  private insert: InsertState | undefined;

  constructor(
    private readonly options: DumpTableOptions,
    private readonly sink: DumpRowSink,
  ) {}

  push(chunk: string): void {
    this.guard(() => this.scanner.push(chunk));
  }

  /** The dump ended: checks that the table was there, once. Returns the rows read. */
  finish(): { rows: number; database: string | undefined; line: Line } {
    this.guard(() => this.scanner.end());
    const { table, database, fileName } = this.options;
    const named = database === undefined ? [] : this.candidates.filter((c) => c.database === database);
    if (this.candidates.length === 0) {
      throw new UserError(`${fileName}: has no CREATE TABLE \`${table}\`; is it a mysqldump of the database that holds it? (--table names another table)`);
    }
    if (database !== undefined && named.length === 0) {
      throw new UserError(
        `${fileName}: has no table \`${table}\` in a database named ${database}; it has one in ${this.listCandidates()}` +
          (this.candidates.every((c) => c.database === undefined) ? " (the dump has no USE: leave out --database)" : ": choose one with --database NAME"),
      );
    }
    if (database === undefined && this.candidates.length > 1) {
      const example = this.candidates.find((c) => c.database !== undefined)?.database ?? "NAME";
      throw new UserError(
        `${fileName}: holds a table \`${table}\` in ${this.candidates.length} databases, ${this.listCandidates()}; choose the one to import with --database NAME (e.g. --database ${example})`,
      );
    }
    const chosen = this.chosen ?? (database === undefined ? this.candidates[0]! : named[0]!);
    if (this.chosen === undefined) this.sink.columns(chosen.columns!, chosen.line, chosen.database);
    return { rows: this.rowsRead, database: chosen.database, line: chosen.line };
  }

  private listCandidates(): string {
    return this.candidates.map((c) => `${databaseName(c.database)} (line ${c.line})`).join(", ");
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof ScriptError) throw new UserError(`${this.options.fileName}:${err.line}: ${err.message}; is this a mysqldump file?`);
      throw err;
    }
  }

  private where(line: Line): string {
    return `${this.options.fileName}:${line}`;
  }

  /** Whether a table named in a statement has the name asked for (its database is checked apart). */
  private isTable(table: string): boolean {
    return table === this.options.table;
  }

  head(text: string, line: Line, end: HeadEnd): StatementMode {
    const head = text.trim();
    this.headText = head;
    this.headLine = line;
    this.keptText = "";
    this.insert = undefined;
    this.mode = "other";
    if (/^USE\b/i.test(head)) {
      this.mode = "use";
      return "keep";
    }
    if (/^CREATE\s+(?:DATABASE|SCHEMA)\b/i.test(head)) {
      this.mode = "database";
      return "keep";
    }
    let m = CREATE_TABLE.exec(head);
    if (m) {
      if (!this.isTable(qualified(m, 1)[1])) return "skip";
      this.mode = "create";
      return "keep";
    }
    m = ALTER_TABLE.exec(head);
    if (m) {
      const [database, table] = qualified(m, 1);
      if (this.isTable(table) && this.isChosen(database ?? this.currentDatabase)) {
        throw new UserError(`${this.where(line)}: the dump alters table \`${table}\` after creating it; only a mysqldump file can be read (its ALTERs are in /*! */ comments)`);
      }
      return "skip";
    }
    if (!/^(?:INSERT|REPLACE)\b/i.test(head)) return "skip";
    m = INSERT.exec(head);
    if (!m) {
      const loose = ANY_INSERT.exec(head);
      if (loose) {
        const [database, table] = qualified(loose, 1);
        if (this.isTable(table) && this.isChosen(database ?? this.currentDatabase)) this.notAnInsert(line, table);
      }
      return "skip";
    }
    const [written, table] = qualified(m, 1);
    if (!this.isTable(table)) return "skip";
    const database = written ?? this.currentDatabase;
    if (!this.isChosen(database)) return "skip";
    if (end !== "paren") this.notAnInsert(line, table);
    // An INSERT into a table of that name the dump has not created (`b`.`stocks` when only a's
    // was): not the table read.
    const candidate = this.candidates.find((c) => c.database === database);
    if (!candidate?.columns) return "skip";
    if (this.chosen === undefined) {
      this.chosen = candidate;
      this.sink.columns(candidate.columns, candidate.line, candidate.database);
    }
    this.mode = "insert";
    this.insert = new InsertState(candidate.columns, table, m[5] !== undefined, this.scanner.delimiter, (l) => this.where(l));
    return "rows";
  }

  /** Whether rows of the table in `database` are to be read: the one chosen, or any while none is. */
  private isChosen(database: string | undefined): boolean {
    if (this.options.database !== undefined) return database === this.options.database;
    // Two candidates: the dump is refused at its end, its rows no longer matter.
    if (this.candidates.length > 1) return false;
    return this.chosen === undefined || this.chosen.database === database;
  }

  private notAnInsert(line: Line, table: string): never {
    throw new UserError(`${this.where(line)}: an INSERT into \`${table}\` that is not INSERT ... VALUES (...); only the INSERT statements mysqldump writes can be read`);
  }

  text(text: string, line: Line): void {
    if (this.mode === "insert") {
      this.rowsRead += this.insert!.piece(text, line, (cells, rowLine) => this.sink.row(cells, rowLine));
    } else {
      this.keptText += text;
    }
  }

  end(complete: boolean, line: Line): void {
    const statement = `${this.headText} ${this.keptText}`.trim();
    switch (this.mode) {
      case "use": {
        const m = USE.exec(statement);
        if (!m) throw new UserError(`${this.where(this.headLine)}: cannot read the database name in "${statement.slice(0, 40)}"; is this a mysqldump file?`);
        this.currentDatabase = unquote(m, 1);
        break;
      }
      case "database": {
        const m = CREATE_DATABASE.exec(statement);
        if (m) this.databases.add(unquote(m, 1)!);
        break;
      }
      case "create":
        this.createTable();
        break;
      case "insert":
        if (!complete || !this.insert!.ended) {
          throw new UserError(`${this.where(line)}: the INSERT into \`${this.options.table}\` never ends; the dump is cut short`);
        }
        break;
      default:
    }
    this.mode = "other";
    this.insert = undefined;
    this.keptText = "";
  }

  private createTable(): void {
    const m = CREATE_TABLE.exec(this.headText)!;
    const [written, table] = qualified(m, 1);
    const database = written ?? this.currentDatabase;
    const where = this.where(this.headLine);
    const same = this.candidates.find((c) => c.database === database);
    if (same) {
      throw new UserError(
        `${where}: a second CREATE TABLE \`${table}\`${database === undefined ? "" : ` in database ${database}`} (the first is at line ${same.line}); is it two dumps joined? import each on its own`,
      );
    }
    const candidate: Candidate = { database, line: this.headLine };
    this.candidates.push(candidate);
    if (this.options.database !== undefined && database !== this.options.database) return;
    const body = this.keptText.trim();
    if (!body.startsWith("(")) throw new UserError(`${where}: cannot read the columns of CREATE TABLE \`${table}\`; is this a mysqldump file?`);
    candidate.columns = readColumns(body, table, where);
    if (candidate.columns.length === 0) throw new UserError(`${where}: CREATE TABLE \`${table}\` lists no columns`);
  }
}

/**
 * The columns of a CREATE TABLE's body, `(\n  \`date\` date NOT NULL,\n  \`AAPL\` float ...,\n
 * PRIMARY KEY (\`date\`)\n) ENGINE=...`: each definition that starts with a name; keys and
 * constraints are not columns.
 */
function readColumns(body: string, table: string, where: string): WideColumn[] {
  const columns: WideColumn[] = [];
  // The definitions are the top-level comma-separated parts inside the outer parentheses.
  let depth = 0;
  let start = 1;
  let quote: string | undefined;
  const definitions: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === "\\" && quote !== "`") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth === 0) {
        definitions.push(body.slice(start, i));
        break;
      }
    } else if (c === "," && depth === 1) {
      definitions.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new UserError(`${where}: CREATE TABLE \`${table}\` never ends; the dump is cut short`);
  for (const definition of definitions) {
    const column = /^\s*`((?:[^`]|``)+)`\s+([a-z]+)/i.exec(definition);
    // Other parts are keys and constraints: PRIMARY KEY (`date`), KEY ..., CONSTRAINT ...
    if (column) columns.push({ name: column[1]!.replace(/``/g, "`"), type: column[2]!.toLowerCase() });
  }
  return columns;
}

/** One INSERT into the table, read a piece (`(v, ...),`) at a time. */
class InsertState {
  /** Whether the statement's delimiter has been read. */
  ended = false;
  /** Where each value of a tuple goes; set by the column list, or the table's order. */
  private order: number[] | undefined;
  private expecting: "columns" | "tuple" | "nothing";

  constructor(
    private readonly columns: readonly WideColumn[],
    private readonly table: string,
    valuesRead: boolean,
    private readonly delimiter: string,
    private readonly where: (line: Line) => string,
  ) {
    this.expecting = valuesRead ? "tuple" : "columns";
  }

  /** Reads one piece; returns how many rows it held. */
  piece(text: string, line: Line, row: (cells: unknown[], line: Line) => void): number {
    const p = new PieceParser(text, line, this.where);
    p.blanks();
    if (p.atEnd()) return 0;
    if (this.expecting === "nothing") p.fail("text after the end of the INSERT");
    if (this.expecting === "columns") {
      const names = p.columnList();
      this.order = names.map((name) => {
        const index = this.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
        if (index < 0) throw new UserError(`${this.where(p.line())}: INSERT names a column ${name} that CREATE TABLE \`${this.table}\` does not have`);
        return index;
      });
      if (new Set(this.order).size !== this.order.length) throw new UserError(`${this.where(p.line())}: INSERT names a column twice; the dump is damaged`);
      p.blanks();
      if (!p.keyword(/^VALUES?\b/i)) throw new UserError(`${this.where(p.line())}: expected VALUES after INSERT INTO \`${this.table}\` (...); is this a mysqldump file?`);
      this.expecting = "tuple";
    }
    const width = this.order?.length ?? this.columns.length;
    const columnName = (k: number) => this.columns[this.order ? this.order[k]! : k]?.name;
    p.blanks();
    const rowLine = p.line();
    const tuple = p.tuple(columnName);
    if (tuple.length !== width) {
      throw new UserError(`${this.where(rowLine)}: a row has ${tuple.length} values but the table has ${width} columns; the dump is damaged or cut short`);
    }
    if (!this.order) row(tuple, rowLine);
    else {
      const cells = new Array<unknown>(this.columns.length).fill(null);
      this.order.forEach((column, k) => (cells[column] = tuple[k]));
      row(cells, rowLine);
    }
    p.blanks();
    if (p.take(",")) {
      p.blanks();
      if (!p.atEnd()) p.fail("expected ( to start a row");
    } else if (p.rest() === this.delimiter) {
      // The statement's last row: the piece ends with its delimiter.
      this.ended = true;
      this.expecting = "nothing";
    } else {
      p.fail("expected , or ; after a row");
    }
    return 1;
  }
}

/** A cursor over one piece of an INSERT, with messages naming the line and what is near. */
class PieceParser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly firstLine: Line,
    private readonly where: (line: Line) => string,
  ) {}

  /** The line of the cursor. */
  line(): Line {
    let line = this.firstLine;
    for (let k = 0; k < this.i; k++) if (this.text.charCodeAt(k) === 10) line++;
    return line;
  }

  fail(what: string, column?: string): never {
    const near = this.text.slice(this.i, this.i + 20);
    throw new UserError(`${this.where(this.line())}: ${what} near ${JSON.stringify(near)}${column !== undefined ? ` (column ${column})` : ""}; the dump is damaged or not mysqldump output`);
  }

  atEnd(): boolean {
    return this.i >= this.text.length;
  }

  /** The rest of the piece, blanks at its end left out. */
  rest(): string {
    return this.text.slice(this.i).trimEnd();
  }

  blanks(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else return;
    }
  }

  take(c: string): boolean {
    if (this.text[this.i] !== c) return false;
    this.i++;
    return true;
  }

  keyword(pattern: RegExp): boolean {
    const m = pattern.exec(this.text.slice(this.i, this.i + 10));
    if (!m) return false;
    this.i += m[0].length;
    return true;
  }

  columnList(): string[] {
    if (!this.take("(")) this.fail("expected ( to start the column list");
    const names: string[] = [];
    for (;;) {
      this.blanks();
      const m = /^(?:`((?:[^`]|``)+)`|([A-Za-z0-9_$]+))/.exec(this.text.slice(this.i, this.i + 256));
      if (!m) this.fail("expected a column name");
      names.push(m[1] !== undefined ? m[1].replace(/``/g, "`") : m[2]!);
      this.i += m[0].length;
      this.blanks();
      if (this.take(",")) continue;
      if (this.take(")")) return names;
      this.fail("expected , or ) in the column list");
    }
  }

  /** `(v, v, ...)`: NULL, a number, or a quoted string (with a `_charset` introducer or not). */
  tuple(columnName: (k: number) => string | undefined): unknown[] {
    if (!this.take("(")) this.fail("expected ( to start a row");
    const values: unknown[] = [];
    for (;;) {
      this.blanks();
      if (this.text.charCodeAt(this.i) === 95 /* _ */) {
        INTRODUCER.lastIndex = this.i;
        const introducer = INTRODUCER.exec(this.text);
        if (introducer) this.i += introducer[0].length - 1;
      }
      if (this.text.charCodeAt(this.i) === 39 /* ' */) values.push(this.quoted());
      else {
        BARE.lastIndex = this.i;
        const token = BARE.exec(this.text)![0];
        if (token === "NULL" || /^null$/i.test(token)) values.push(null);
        else if (NUMBER.test(token)) values.push(Number(token));
        else this.fail("expected NULL, a number or a quoted value", columnName(values.length));
        this.i += token.length;
      }
      this.blanks();
      if (this.take(",")) continue;
      if (this.take(")")) return values;
      this.fail("expected , or ) after a value", columnName(values.length - 1));
    }
  }

  private quoted(): string {
    let value = "";
    this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail("a quoted value never ends");
      if (c === "\\") {
        const next = this.text[this.i + 1];
        value += next === "n" ? "\n" : next === "r" ? "\r" : next === "t" ? "\t" : next === "0" ? "\0" : next === "Z" ? "\x1a" : next === "b" ? "\b" : (next ?? "");
        this.i += 2;
      } else if (c === "'" && this.text[this.i + 1] === "'") {
        value += "'";
        this.i += 2;
      } else if (c === "'") {
        this.i++;
        return value;
      } else {
        value += c;
        this.i++;
      }
    }
  }
}

/** Reads the table out of a dump held in memory (tests; the command streams the file). */
export function parseMysqldumpTable(text: string, table: string, fileName: string, database?: string): WideTableContent {
  let columns: readonly WideColumn[] = [];
  const rows: unknown[][] = [];
  const reader = new MysqldumpTableReader(
    { table, fileName, ...(database !== undefined ? { database } : {}) },
    { columns: (c) => void (columns = c), row: (cells) => void rows.push([...cells]) },
  );
  reader.push(text);
  reader.finish();
  return { table, columns, rows };
}

/** Streams the dump file (an open descriptor of a regular file) through `reader`, a chunk at a time. */
export async function readDumpFile(fd: number, reader: MysqldumpTableReader): Promise<ReturnType<MysqldumpTableReader["finish"]>> {
  const stream = createReadStream("", { fd, encoding: "utf8", highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) reader.push(chunk as string);
  return reader.finish();
}

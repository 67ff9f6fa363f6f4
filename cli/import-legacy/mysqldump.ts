/**
 * Reading one table out of a `mysqldump` file without replaying it.
 *
 * The user's dump (`prod-db.sql`) was written by MySQL 8.0.21. Replaying it into another server
 * works only where every name in it is known: MariaDB, for one, has no `utf8mb4_0900_ai_ci`
 * collation and refuses the CREATE statements. Replaying would also run its `DROP TABLE IF
 * EXISTS \`stocks\``. So the dump is read as data instead: the column list of the table's
 * `CREATE TABLE` and the row tuples of its `INSERT INTO ... VALUES` statements, nothing else.
 *
 * The grammar read is mysqldump's output: column lines `` `name` type ... `` inside CREATE TABLE;
 * INSERT statements (extended, one row each, or with `--complete-insert` column lists) whose
 * values are NULL, numbers or single-quoted strings with backslash escapes.
 */
import { UserError } from "../../steps/domain/errors.ts";
import type { WideTableContent } from "../../steps/store/store.ts";

export function parseMysqldumpTable(text: string, table: string, fileName: string): WideTableContent {
  const lines = text.split(/\r?\n/);
  const columns = readCreateTable(lines, table, fileName);
  const rows: unknown[][] = [];
  const insertPrefix = `INSERT INTO \`${table}\` `;
  lines.forEach((line, i) => {
    if (!line.startsWith(insertPrefix)) return;
    const where = `${fileName}:${i + 1}`;
    let rest = line.slice(insertPrefix.length);
    let order: number[] | undefined;
    if (rest.startsWith("(")) {
      const close = rest.indexOf(") VALUES ");
      if (close < 0) throw new UserError(`${where}: cannot read the column list of this INSERT; is this a mysqldump file?`);
      const names = [...rest.slice(1, close).matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1]!.replace(/``/g, "`"));
      order = names.map((name) => {
        const index = columns.findIndex((c) => c.name === name);
        if (index < 0) throw new UserError(`${where}: INSERT names a column ${name} that CREATE TABLE \`${table}\` does not have`);
        return index;
      });
      rest = rest.slice(close + 2);
    }
    if (!rest.startsWith("VALUES ")) throw new UserError(`${where}: expected VALUES after INSERT INTO \`${table}\`; is this a mysqldump file?`);
    for (const tuple of readTuples(rest.slice("VALUES ".length), where)) {
      const width = order?.length ?? columns.length;
      if (tuple.length !== width) {
        throw new UserError(`${where}: a row has ${tuple.length} values but the table has ${width} columns; the dump is damaged or cut short`);
      }
      if (!order) rows.push(tuple);
      else {
        const row = new Array<unknown>(columns.length).fill(null);
        order.forEach((column, k) => (row[column] = tuple[k]));
        rows.push(row);
      }
    }
  });
  return { table, columns, rows };
}

function readCreateTable(lines: readonly string[], table: string, fileName: string): { name: string; type: string }[] {
  const start = lines.findIndex((l) => l.startsWith(`CREATE TABLE \`${table}\` (`));
  if (start < 0) {
    throw new UserError(`${fileName}: has no CREATE TABLE \`${table}\`; is it a mysqldump of the database that holds it? (--table names another table)`);
  }
  const columns: { name: string; type: string }[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith(")")) {
      if (columns.length === 0) throw new UserError(`${fileName}:${start + 1}: CREATE TABLE \`${table}\` lists no columns`);
      return columns;
    }
    const column = /^`((?:[^`]|``)+)`\s+([a-z]+)/i.exec(line);
    if (column) columns.push({ name: column[1]!.replace(/``/g, "`"), type: column[2]!.toLowerCase() });
    // Other lines are keys and constraints: PRIMARY KEY (`date`), KEY ..., CONSTRAINT ...
  }
  throw new UserError(`${fileName}:${start + 1}: CREATE TABLE \`${table}\` never ends; the dump is cut short`);
}

/** The tuples of `(v, v, ...), (v, ...);` with NULL, numbers and quoted strings. */
function readTuples(text: string, where: string): unknown[][] {
  const tuples: unknown[][] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new UserError(`${where}: ${what} near "${text.slice(i, i + 20)}"; the dump is damaged or not mysqldump output`);
  };
  for (;;) {
    if (text[i] !== "(") fail("expected ( to start a row");
    i++;
    const tuple: unknown[] = [];
    for (;;) {
      if (text[i] === "'") {
        let value = "";
        i++;
        for (;;) {
          const c = text[i];
          if (c === undefined) fail("a quoted value never ends");
          if (c === "\\") {
            const next = text[i + 1];
            value += next === "n" ? "\n" : next === "r" ? "\r" : next === "t" ? "\t" : next === "0" ? "\0" : next === "Z" ? "\x1a" : (next ?? "");
            i += 2;
          } else if (c === "'" && text[i + 1] === "'") {
            value += "'";
            i += 2;
          } else if (c === "'") {
            i++;
            break;
          } else {
            value += c;
            i++;
          }
        }
        tuple.push(value);
      } else if (text.startsWith("NULL", i)) {
        tuple.push(null);
        i += 4;
      } else {
        const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(i, i + 40));
        if (!number) fail("expected NULL, a number or a quoted value");
        tuple.push(Number(number![0]));
        i += number![0].length;
      }
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === ")") {
        i++;
        break;
      }
      fail("expected , or ) after a value");
    }
    tuples.push(tuple);
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === ";") return tuples;
    fail("expected , or ; after a row");
  }
}

/**
 * Argo's retry expressions (`retryStrategy.expression`), compiled and evaluated as Argo
 * v4.0.10's controller does, so a test can ask what Argo would decide for a given failed attempt.
 *
 * What Argo does (argoproj/argo-workflows at v4.0.10):
 * - `workflow/controller/operator.go` `processNodeRetries` evaluates the expression once an
 *   attempt has failed, with the scope `buildRetryStrategyLocalScope` builds from the last
 *   attempt: `retries` (attempts so far less one), `lastRetry.exitCode` (the main container's
 *   exit code, "-1" when Argo has none), `lastRetry.status` (`Failed` or `Error`),
 *   `lastRetry.duration` (seconds) and `lastRetry.message` (the node's message), **all strings**;
 * - `util/expr/env/env.go` `GetFuncMap` nests the dotted names (`util/expand`: `lastRetry` becomes
 *   a map) and adds `asInt` (expr's `builtin.Int`), `asFloat` (`builtin.Float`), `jsonpath`,
 *   `toJson` and `sprig`;
 * - `util/expr/argoexpr/eval.go` `EvalBool` compiles it with `expr.Compile(input, expr.Env(env))`
 *   and runs it; anything but a bool is an error. Argo pins github.com/expr-lang/expr v1.17.7 (go.mod).
 *
 * What expr v1.17.7 does with that (expr-lang/expr at v1.17.7): the environment is a Go map, so
 * its top-level names are known and any other name fails to compile (`conf/env.go`: a map env is
 * strict); `lastRetry` is a `map[string]interface{}`, so `lastRetry.anything` compiles, is of
 * unknown type, and is nil at run time when the key is missing (`checker/nature`,
 * `vm/runtime`); operator precedence and associativity as `parser/operator/operator.go`; the
 * checker's rules for each operator as `checker/checker.go` (`==` between a string and a number
 * compiles, and is false); `matches` compiles a constant pattern with Go's `regexp` when the
 * expression compiles, and a nil operand makes `matches`, `contains`, `startsWith` and `endsWith`
 * false rather than an error (`vm/vm.go`); `builtin.Int` reads a string with `strconv.Atoi`
 * (`builtin/lib.go`).
 *
 * This is a careful re-implementation of the SUBSET of expr those expressions need, not expr:
 * literals (integers, floats, quoted strings with expr's escapes, true, false, nil), names,
 * member access with `.`, calls of `asInt`, `asFloat`, `int`, `float` and `string`, unary `!`,
 * `not` and `-`, and the binary operators `||` `or` `&&` `and` `==` `!=` `<` `<=` `>` `>=`
 * `matches` `contains` `startsWith` `endsWith` `not matches` (...) `+` `-` `*` `/` `%`, with
 * parentheses. Anything else (`?:`, `??`, `[...]`, `in`, closures, other builtins) is refused
 * with an error saying so, never guessed. Regular expressions run in an RE2 engine
 * (@bufbuild/re2), whose syntax and semantics are Go's `regexp`'s.
 */

import { RE2JS } from "@bufbuild/re2";

/** A Go value as expr sees it: an int is a bigint, a float64 a number. */
export type GoValue = string | bigint | number | boolean | null | GoMap | GoFunc;
export interface GoMap {
  readonly kind: "map";
  readonly entries: Readonly<Record<string, GoValue>>;
}
export interface GoFunc {
  readonly kind: "func";
  readonly name: string;
  call(args: readonly GoValue[]): GoValue;
}

/** What Argo knows of the last attempt when it decides on a retry. */
export interface LastRetry {
  /** The main container's exit code as Argo records it (a string), "-1" when there is none. */
  readonly exitCode: string;
  /** The failed node's phase. */
  readonly status: "Failed" | "Error";
  /** The node's message, as the controller wrote it. */
  readonly message: string;
  /** Seconds the attempt took. */
  readonly duration?: number;
  /** Attempts so far, the failed one included (Argo's `retries` is this less one). */
  readonly attempts?: number;
}

/** A compile-time refusal, as `expr.Compile` gives one (Argo then errors the node). */
export class ExprCompileError extends Error {}
/** A run-time error, as `expr.Run` or EvalBool's cast gives one. */
export class ExprRuntimeError extends Error {}
/** A construct this subset does not implement; a test must not rely on a guess. */
export class ExprUnsupportedError extends Error {}

const goMap = (entries: Record<string, GoValue>): GoMap => ({ kind: "map", entries });
const goFunc = (name: string, call: (args: readonly GoValue[]) => GoValue): GoFunc => ({ kind: "func", name, call });

/** The environment `processNodeRetries` evaluates a retry expression in (see the module comment). */
export function retryEnvironment(last: LastRetry): GoMap {
  const attempts = last.attempts ?? 1;
  return goMap({
    retries: String(attempts - 1),
    lastRetry: goMap({
      exitCode: last.exitCode,
      status: last.status,
      duration: String(last.duration ?? 1),
      message: last.message,
    }),
    asInt: goFunc("asInt", ([x]) => goInt(x!)),
    asFloat: goFunc("asFloat", ([x]) => goFloat(x!)),
    jsonpath: unsupportedFunc("jsonpath"),
    toJson: unsupportedFunc("toJson"),
    sprig: unsupportedFunc("sprig"),
  });
}

function unsupportedFunc(name: string): GoFunc {
  return goFunc(name, () => {
    throw new ExprUnsupportedError(`${name}() is not implemented by this evaluator`);
  });
}

/** Argo's `argoexpr.EvalBool`: compile (strictly against the environment), run, insist on a bool. */
export function evalBool(source: string, env: GoMap): boolean {
  const program = compile(source, env);
  const result = run(program, env);
  if (typeof result !== "boolean") throw new ExprRuntimeError(`unable to cast expression result '${show(result)}' to bool`);
  return result;
}

/** Whether Argo v4.0.10 retries after `last`, given the template's retry expression (the expression's part of the decision only). */
export function argoWouldRetry(expression: string, last: LastRetry): boolean {
  return evalBool(expression, retryEnvironment(last));
}

// --- Lexer (parser/lexer at v1.17.7) ---------------------------------------------------------

type Token =
  | { readonly kind: "number"; readonly text: string; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "name"; readonly text: string; readonly at: number }
  | { readonly kind: "op"; readonly text: string; readonly at: number }
  | { readonly kind: "eof"; readonly at: number };

const WORD_OPERATORS = new Set(["in", "or", "and", "matches", "contains", "startsWith", "endsWith", "not", "let", "if", "else"]);

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      if (j >= source.length) throw new ExprCompileError(`literal not terminated (1:${at + 1})`);
      tokens.push({ kind: "string", value: unescape(source.slice(i + 1, j), at), at });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      const m = /^(?:0[xXoObB][0-9a-fA-F_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/.exec(source.slice(i))!;
      if (/^[A-Za-z_$]/.test(source.slice(i + m[0].length))) throw new ExprCompileError(`bad number syntax: "${source.slice(i, i + m[0].length + 1)}" (1:${at + 1})`);
      tokens.push({ kind: "number", text: m[0], at });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i))!;
      tokens.push(WORD_OPERATORS.has(m[0]) ? { kind: "op", text: m[0], at } : { kind: "name", text: m[0], at });
      i += m[0].length;
    } else {
      const two = source.slice(i, i + 2);
      if (["||", "&&", "==", "!=", "<=", ">=", "**", "??", "?.", ".."].includes(two)) {
        tokens.push({ kind: "op", text: two, at });
        i += 2;
      } else if ("()[]{},;%+-^*/<>!=.?:|#`".includes(c)) {
        tokens.push({ kind: "op", text: c, at });
        i++;
      } else throw new ExprCompileError(`unrecognized character: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${c}' (1:${at + 1})`);
    }
  }
  tokens.push({ kind: "eof", at: source.length });
  return tokens;
}

/** expr's `unescape` (parser/lexer/utils.go): Go-like escapes; an unknown one is an error. */
function unescape(body: string, at: number): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?" };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === "x" || e === "u" || e === "U" || (e !== undefined && /[0-7]/.test(e))) {
      throw new ExprUnsupportedError(`the escape \\${e} in a string literal is not implemented by this evaluator (1:${at + 1})`);
    } else throw new ExprCompileError(`invalid char escape (1:${at + 1})`);
  }
  return out;
}

// --- Parser (parser/parser.go, parser/operator/operator.go at v1.17.7) -----------------------

type Node =
  | { readonly type: "literal"; readonly value: GoValue; readonly at: number }
  | { readonly type: "name"; readonly name: string; readonly at: number }
  | { readonly type: "member"; readonly object: Node; readonly property: string; readonly at: number }
  | { readonly type: "call"; readonly callee: string; readonly args: readonly Node[]; readonly at: number }
  | { readonly type: "unary"; readonly op: string; readonly operand: Node; readonly at: number }
  | { readonly type: "binary"; readonly op: string; readonly left: Node; readonly right: Node; readonly negated: boolean; readonly at: number };

const BINARY: Readonly<Record<string, { precedence: number; supported: boolean }>> = {
  "|": { precedence: 0, supported: false },
  or: { precedence: 10, supported: true },
  "||": { precedence: 10, supported: true },
  and: { precedence: 15, supported: true },
  "&&": { precedence: 15, supported: true },
  "==": { precedence: 20, supported: true },
  "!=": { precedence: 20, supported: true },
  "<": { precedence: 20, supported: true },
  ">": { precedence: 20, supported: true },
  ">=": { precedence: 20, supported: true },
  "<=": { precedence: 20, supported: true },
  in: { precedence: 20, supported: false },
  matches: { precedence: 20, supported: true },
  contains: { precedence: 20, supported: true },
  startsWith: { precedence: 20, supported: true },
  endsWith: { precedence: 20, supported: true },
  "..": { precedence: 25, supported: false },
  "+": { precedence: 30, supported: true },
  "-": { precedence: 30, supported: true },
  "*": { precedence: 60, supported: true },
  "/": { precedence: 60, supported: true },
  "%": { precedence: 60, supported: true },
  "**": { precedence: 100, supported: false },
  "^": { precedence: 100, supported: false },
  "??": { precedence: 500, supported: false },
};
const UNARY_PRECEDENCE: Readonly<Record<string, number>> = { not: 50, "!": 50, "-": 90, "+": 90 };
const NEGATABLE = new Set(["contains", "matches", "startsWith", "endsWith", "in"]);

interface Program {
  readonly root: Node;
  /** Constant `matches` patterns, compiled when the expression compiles (as expr's checker does). */
  readonly patterns: ReadonlyMap<Node, { test(input: string): boolean }>;
}

function parse(source: string): Node {
  const tokens = lex(source);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isOp = (t: Token, text: string) => t.kind === "op" && t.text === text;
  const expectOp = (text: string) => {
    const t = next();
    if (!isOp(t, text)) throw new ExprCompileError(`unexpected token ${describeToken(t)} (1:${t.at + 1}); expected "${text}"`);
  };

  function expression(minPrecedence: number): Node {
    let left = unary();
    for (;;) {
      const t = peek();
      if (t.kind !== "op") break;
      let op = t.text;
      let negated = false;
      if (op === "not") {
        const after = tokens[pos + 1]!;
        if (after.kind !== "op" || !NEGATABLE.has(after.text)) break;
        op = after.text;
        negated = true;
      }
      const info = BINARY[op];
      if (!info || info.precedence < minPrecedence) break;
      if (!info.supported) throw new ExprUnsupportedError(`the operator "${op}" is not implemented by this evaluator (1:${t.at + 1})`);
      pos += negated ? 2 : 1;
      const right = expression(info.precedence + 1);
      left = { type: "binary", op, left, right, negated, at: t.at };
    }
    if (isOp(peek(), "?")) throw new ExprUnsupportedError(`the conditional operator "?:" is not implemented by this evaluator (1:${peek().at + 1})`);
    return left;
  }

  function unary(): Node {
    const t = peek();
    if (t.kind === "op" && t.text in UNARY_PRECEDENCE) {
      next();
      const operand = expression(UNARY_PRECEDENCE[t.text]!);
      return { type: "unary", op: t.text, operand, at: t.at };
    }
    return postfix(primary());
  }

  function primary(): Node {
    const t = next();
    switch (t.kind) {
      case "number":
        return { type: "literal", value: numberLiteral(t.text, t.at), at: t.at };
      case "string":
        return { type: "literal", value: t.value, at: t.at };
      case "name": {
        if (t.text === "true" || t.text === "false") return { type: "literal", value: t.text === "true", at: t.at };
        if (t.text === "nil") return { type: "literal", value: null, at: t.at };
        if (isOp(peek(), "(")) {
          next();
          const args: Node[] = [];
          while (!isOp(peek(), ")")) {
            args.push(expression(0));
            if (!isOp(peek(), ")")) expectOp(",");
          }
          next();
          return { type: "call", callee: t.text, args, at: t.at };
        }
        return { type: "name", name: t.text, at: t.at };
      }
      case "op":
        if (t.text === "(") {
          const inner = expression(0);
          expectOp(")");
          return inner;
        }
        if (["[", "{", "#", "`", "let", "if"].includes(t.text)) throw new ExprUnsupportedError(`"${t.text}" is not implemented by this evaluator (1:${t.at + 1})`);
        throw new ExprCompileError(`unexpected token ${describeToken(t)} (1:${t.at + 1})`);
      case "eof":
        throw new ExprCompileError(`unexpected end of expression (1:${t.at + 1})`);
    }
  }

  function postfix(node: Node): Node {
    for (;;) {
      const t = peek();
      if (isOp(t, ".")) {
        next();
        const property = next();
        if (property.kind !== "name" && !(property.kind === "op" && WORD_OPERATORS.has(property.text))) {
          throw new ExprCompileError(`expected name (1:${property.at + 1})`);
        }
        if (isOp(peek(), "(")) throw new ExprUnsupportedError(`method calls are not implemented by this evaluator (1:${property.at + 1})`);
        node = { type: "member", object: node, property: (property as { text: string }).text, at: t.at };
      } else if (isOp(t, "[") || isOp(t, "?.")) {
        throw new ExprUnsupportedError(`"${t.kind === "op" ? t.text : ""}" is not implemented by this evaluator (1:${t.at + 1})`);
      } else return node;
    }
  }

  const root = expression(0);
  const rest = peek();
  if (rest.kind !== "eof") throw new ExprCompileError(`unexpected token ${describeToken(rest)} (1:${rest.at + 1})`);
  return root;
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "EOF";
    case "string":
      return `String(${JSON.stringify(t.value)})`;
    default:
      return `${t.kind === "name" ? "Identifier" : t.kind === "number" ? "Number" : "Operator"}(${JSON.stringify(t.text)})`;
  }
}

function numberLiteral(text: string, at: number): bigint | number {
  const plain = text.replaceAll("_", "");
  if (/^0[xXoObB]/.test(plain)) throw new ExprUnsupportedError(`non-decimal number literals are not implemented by this evaluator (1:${at + 1})`);
  if (/[.eE]/.test(plain)) return Number(plain);
  return BigInt(plain);
}

// --- Checker (checker/checker.go at v1.17.7) --------------------------------------------------

/** A node's type as the checker sees it; "unknown" is Go's interface{}. */
type Nature =
  | { readonly kind: "unknown" | "string" | "int" | "float" | "bool" | "nil" }
  | { readonly kind: "map"; readonly fields?: Readonly<Record<string, Nature>> }
  | { readonly kind: "func"; readonly name: string };

const UNKNOWN: Nature = { kind: "unknown" };
const BOOL: Nature = { kind: "bool" };
const BUILTINS = new Set(["int", "float", "string"]);

function natureOf(value: GoValue, strict: boolean): Nature {
  if (value === null) return { kind: "nil" };
  switch (typeof value) {
    case "string":
      return { kind: "string" };
    case "bigint":
      return { kind: "int" };
    case "number":
      return { kind: "float" };
    case "boolean":
      return BOOL;
    default:
      if (value.kind === "func") return { kind: "func", name: value.name };
      // Only the environment itself is strict; a map inside it is a map[string]interface{} of unknown keys.
      return strict ? { kind: "map", fields: Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, natureOf(v, false)])) } : { kind: "map" };
  }
}

const isNumber = (n: Nature) => n.kind === "int" || n.kind === "float";
const isUnknown = (n: Nature) => n.kind === "unknown";
const goType = (n: Nature) => (n.kind === "unknown" ? "interface {}" : n.kind === "map" ? "map[string]interface {}" : n.kind === "float" ? "float64" : n.kind);

function compile(source: string, env: GoMap): Program {
  const root = parse(source);
  const patterns = new Map<Node, { test(input: string): boolean }>();
  const envNature = natureOf(env, true) as { kind: "map"; fields: Record<string, Nature> };

  const check = (node: Node): Nature => {
    switch (node.type) {
      case "literal":
        return natureOf(node.value, false);
      case "name": {
        const field = envNature.fields[node.name];
        if (!field) throw new ExprCompileError(`unknown name ${node.name} (1:${node.at + 1})`);
        return field;
      }
      case "member": {
        const object = check(node.object);
        if (object.kind === "map") return object.fields ? (object.fields[node.property] ?? UNKNOWN) : UNKNOWN;
        if (isUnknown(object)) return UNKNOWN;
        throw new ExprCompileError(`type ${goType(object)} has no field ${node.property} (1:${node.at + 1})`);
      }
      case "call": {
        const callee = envNature.fields[node.callee];
        const args = node.args.map(check);
        if (callee?.kind === "func") {
          if (args.length !== 1) throw new ExprCompileError(`not enough arguments to call ${node.callee} (1:${node.at + 1})`);
          // asInt and asFloat are Go funcs of `any` returning `any`.
          return UNKNOWN;
        }
        if (callee) throw new ExprCompileError(`${node.callee} is not callable (1:${node.at + 1})`);
        if (!BUILTINS.has(node.callee)) {
          throw new ExprUnsupportedError(`the function ${node.callee}() is not implemented by this evaluator, or is unknown to expr (1:${node.at + 1})`);
        }
        if (args.length !== 1) throw new ExprCompileError(`invalid number of arguments (expected 1, got ${args.length}) (1:${node.at + 1})`);
        const arg = args[0]!;
        if (node.callee !== "string" && !(isUnknown(arg) || isNumber(arg) || arg.kind === "string")) {
          throw new ExprCompileError(`invalid argument for ${node.callee} (type ${goType(arg)}) (1:${node.at + 1})`);
        }
        return node.callee === "int" ? { kind: "int" } : node.callee === "float" ? { kind: "float" } : { kind: "string" };
      }
      case "unary": {
        const operand = check(node.operand);
        if (node.op === "!" || node.op === "not") {
          if (operand.kind === "bool" || isUnknown(operand)) return BOOL;
        } else if (isNumber(operand) || isUnknown(operand)) return isUnknown(operand) ? UNKNOWN : operand;
        throw new ExprCompileError(`invalid operation: ${node.op} (mismatched type ${goType(operand)}) (1:${node.at + 1})`);
      }
      case "binary": {
        const l = check(node.left);
        const r = check(node.right);
        const mismatch = () => new ExprCompileError(`invalid operation: ${node.op} (mismatched types ${goType(l)} and ${goType(r)}) (1:${node.at + 1})`);
        const maybe = (...kinds: Nature["kind"][]) => (isUnknown(l) && isUnknown(r)) || (isUnknown(l) && kinds.includes(r.kind)) || (isUnknown(r) && kinds.includes(l.kind));
        switch (node.op) {
          case "==":
          case "!=":
            if (isUnknown(l) || isUnknown(r) || l.kind === "nil" || r.kind === "nil" || (isNumber(l) && isNumber(r)) || l.kind === r.kind) return BOOL;
            throw mismatch();
          case "||":
          case "or":
          case "&&":
          case "and":
            if ((l.kind === "bool" && r.kind === "bool") || maybe("bool")) return BOOL;
            throw mismatch();
          case "<":
          case ">":
          case "<=":
          case ">=":
            if ((isNumber(l) && isNumber(r)) || (l.kind === "string" && r.kind === "string") || maybe("int", "float", "string")) return BOOL;
            throw mismatch();
          case "matches": {
            if (node.right.type === "literal" && typeof node.right.value === "string") patterns.set(node, goRegExp(node.right.value, node.right.at));
            if ((l.kind === "string" && r.kind === "string") || maybe("string")) return BOOL;
            throw mismatch();
          }
          case "contains":
          case "startsWith":
          case "endsWith":
            if ((l.kind === "string" && r.kind === "string") || maybe("string")) return BOOL;
            throw mismatch();
          case "+":
            if (l.kind === "string" && r.kind === "string") return l;
            if (isNumber(l) && isNumber(r)) return l.kind === "int" && r.kind === "int" ? l : { kind: "float" };
            if (maybe("int", "float", "string")) return UNKNOWN;
            throw mismatch();
          default:
            if (isNumber(l) && isNumber(r)) return node.op === "/" ? { kind: "float" } : l.kind === "int" && r.kind === "int" ? l : { kind: "float" };
            if (maybe("int", "float")) return UNKNOWN;
            throw mismatch();
        }
      }
    }
  };
  check(root);
  return { root, patterns };
}

/**
 * A Go regular expression, compiled with an RE2 engine (@bufbuild/re2, a port of RE2/J, which
 * reads RE2's syntax as Go's `regexp` does); a syntax error is a compile error, as in expr's
 * checker. `test` finds a match anywhere, as Go's `MatchString`.
 */
export function goRegExp(pattern: string, at = 0): { test(input: string): boolean } {
  try {
    return new RE2JS(pattern);
  } catch (e) {
    throw new ExprCompileError(`error parsing regexp: ${(e as Error).message} (1:${at + 1})`);
  }
}

// --- Run (vm/vm.go, vm/runtime at v1.17.7) ---------------------------------------------------

function run(program: Program, env: GoMap): GoValue {
  const evaluate = (node: Node): GoValue => {
    switch (node.type) {
      case "literal":
        return node.value;
      case "name":
        return env.entries[node.name] ?? null;
      case "member": {
        const object = evaluate(node.object);
        if (object === null) throw new ExprRuntimeError(`cannot fetch ${node.property} from <nil> (1:${node.at + 1})`);
        if (typeof object === "object" && object.kind === "map") return object.entries[node.property] ?? null;
        throw new ExprRuntimeError(`cannot fetch ${node.property} from ${show(object)} (1:${node.at + 1})`);
      }
      case "call": {
        const args = node.args.map(evaluate);
        const callee = env.entries[node.callee];
        if (callee && typeof callee === "object" && callee.kind === "func") return callee.call(args);
        if (node.callee === "int") return goInt(args[0]!);
        if (node.callee === "float") return goFloat(args[0]!);
        return goString(args[0]!);
      }
      case "unary": {
        const value = evaluate(node.operand);
        if (node.op === "!" || node.op === "not") return !asBool(value, node);
        if (typeof value === "bigint") return node.op === "-" ? -value : value;
        if (typeof value === "number") return node.op === "-" ? -value : value;
        throw new ExprRuntimeError(`invalid operation: ${node.op}${show(value)} (1:${node.at + 1})`);
      }
      case "binary":
        return binary(node);
    }
  };

  const binary = (node: Extract<Node, { type: "binary" }>): GoValue => {
    const { op } = node;
    if (op === "||" || op === "or") return asBool(evaluate(node.left), node) || asBool(evaluate(node.right), node);
    if (op === "&&" || op === "and") return asBool(evaluate(node.left), node) && asBool(evaluate(node.right), node);
    const a = evaluate(node.left);
    const b = evaluate(node.right);
    const negate = (v: boolean) => (node.negated ? !v : v);
    switch (op) {
      case "==":
        return equal(a, b);
      case "!=":
        return !equal(a, b);
      case "<":
      case ">":
      case "<=":
      case ">=":
        return compare(a, b, op, node);
      case "matches": {
        if (a === null || b === null) return negate(false);
        const pattern = program.patterns.get(node) ?? goRegExp(stringOperand(b, node), node.at);
        return negate(pattern.test(stringOperand(a, node)));
      }
      case "contains":
      case "startsWith":
      case "endsWith": {
        if (a === null || b === null) return negate(false);
        const s = stringOperand(a, node);
        const t = stringOperand(b, node);
        return negate(op === "contains" ? s.includes(t) : op === "startsWith" ? s.startsWith(t) : s.endsWith(t));
      }
      default:
        return arithmetic(a, b, op, node);
    }
  };

  return evaluate(program.root);
}

function asBool(value: GoValue, node: Node): boolean {
  if (typeof value !== "boolean") throw new ExprRuntimeError(`interface conversion: interface {} is ${goTypeOf(value)}, not bool (1:${node.at + 1})`);
  return value;
}

function stringOperand(value: GoValue, node: Node): string {
  if (typeof value !== "string") throw new ExprRuntimeError(`interface conversion: interface {} is ${goTypeOf(value)}, not string (1:${node.at + 1})`);
  return value;
}

/** expr's runtime.Equal: numbers compare by value across int and float; otherwise same type and value. */
function equal(a: GoValue, b: GoValue): boolean {
  const numeric = (v: GoValue) => typeof v === "bigint" || typeof v === "number";
  if (numeric(a) && numeric(b)) return typeof a === typeof b ? a === b : Number(a) === Number(b);
  if (a === null || b === null) return a === b;
  return typeof a === typeof b && typeof a !== "object" && a === b;
}

function compare(a: GoValue, b: GoValue, op: string, node: Node): boolean {
  const numeric = (v: GoValue) => typeof v === "bigint" || typeof v === "number";
  let x: number | bigint | string;
  let y: number | bigint | string;
  if (numeric(a) && numeric(b)) [x, y] = typeof a === typeof b ? [a as number, b as number] : [Number(a), Number(b)];
  else if (typeof a === "string" && typeof b === "string") [x, y] = [a, b];
  else throw new ExprRuntimeError(`invalid operation: ${op} (mismatched types ${goTypeOf(a)} and ${goTypeOf(b)}) (1:${node.at + 1})`);
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

function arithmetic(a: GoValue, b: GoValue, op: string, node: Node): GoValue {
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (typeof a === "bigint" && typeof b === "bigint" && op !== "/") {
    if ((op === "%" || op === "/") && b === 0n) throw new ExprRuntimeError(`integer divide by zero (1:${node.at + 1})`);
    return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a % b;
  }
  const numeric = (v: GoValue) => typeof v === "bigint" || typeof v === "number";
  if (numeric(a) && numeric(b) && op !== "%") {
    const [x, y] = [Number(a), Number(b)];
    return op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : x / y;
  }
  throw new ExprRuntimeError(`invalid operation: ${goTypeOf(a)} ${op} ${goTypeOf(b)} (1:${node.at + 1})`);
}

/** expr's builtin.Int (builtin/lib.go): a string through strconv.Atoi, a float truncated. */
function goInt(x: GoValue): bigint {
  if (typeof x === "bigint") return x;
  if (typeof x === "number") return BigInt(Math.trunc(x));
  if (typeof x === "string") {
    // strconv.Atoi: an optional sign and decimal digits, nothing else, within int64.
    if (!/^[+-]?[0-9]+$/.test(x)) throw new ExprRuntimeError(`invalid operation: int(${x})`);
    const value = BigInt(x);
    if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) throw new ExprRuntimeError(`invalid operation: int(${x})`);
    return value;
  }
  throw new ExprRuntimeError(`invalid operation: int(${goTypeOf(x)})`);
}

/** expr's builtin.Float: a string through strconv.ParseFloat. */
function goFloat(x: GoValue): number {
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "string") {
    if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(x)) throw new ExprRuntimeError(`invalid operation: float(${x})`);
    return Number(x);
  }
  throw new ExprRuntimeError(`invalid operation: float(${goTypeOf(x)})`);
}

function goString(x: GoValue): string {
  if (typeof x === "string") return x;
  if (typeof x === "bigint" || typeof x === "boolean") return String(x);
  if (x === null) return "<nil>";
  throw new ExprUnsupportedError(`string() of ${goTypeOf(x)} is not implemented by this evaluator`);
}

function goTypeOf(v: GoValue): string {
  if (v === null) return "nil";
  switch (typeof v) {
    case "string":
      return "string";
    case "bigint":
      return "int";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return v.kind === "map" ? "map[string]interface {}" : "func";
  }
}

function show(v: GoValue): string {
  return v === null ? "<nil>" : typeof v === "object" ? goTypeOf(v) : String(v);
}

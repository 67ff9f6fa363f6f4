/**
 * The retry expression in dist/, evaluated as Argo v4.0.10 evaluates it (support/argo-expr.ts)
 * over what Argo records of realistic failed attempts: the exit code it reads from the main
 * container and the message it writes on the node, built the way its controller builds them
 * (`inferFailedReason`, workflow/controller/operator.go at v4.0.10) from Kubernetes' own messages.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { retryExpression } from "../../workflows/retry.ts";
import {
  argoWouldRetry,
  evalBool,
  ExprCompileError,
  ExprRuntimeError,
  ExprUnsupportedError,
  retryEnvironment,
  type LastRetry,
} from "../support/argo-expr.ts";
import { loadManifests } from "../synth/support/manifests.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reading parsed YAML
type Any = Record<string, any>;
let expressions: Map<string, string>;

beforeAll(() => {
  expressions = new Map(
    loadManifests()
      .filter((m) => m.object.kind === "WorkflowTemplate")
      .flatMap((m) => ((m.object.spec as Any).templates as Any[]).filter((t) => t.retryStrategy).map((t) => [`${m.object.metadata.name}/${t.name}`, t.retryStrategy.expression as string] as const)),
  );
});

/** The node message for a main container that ended on its own or was killed: `main: <reason> (exit code N)[: <termination message>]`. */
const main = (reason: "Error" | "OOMKilled", code: number, terminationMessage?: string) =>
  `main: ${reason} (exit code ${code})${terminationMessage ? `: ${terminationMessage}` : ""}`;
const failed = (code: number, message: string): LastRetry => ({ exitCode: String(code), status: "Failed", message });
/** A node Argo errors without an exit code: the pod vanished, or failed before main started. */
const errored = (message: string): LastRetry => ({ exitCode: "-1", status: "Error", message });

type Row = readonly [what: string, last: LastRetry, retried: boolean];

const ROWS: readonly Row[] = [
  ["exit 3: MySQL was away for the whole retry deadline", failed(3, main("Error", 3, "stock-rsi: persist: connection refused by mysql:3306 (is the server running?); gave up after 60 s")), true],
  ["exit 3: Yahoo throttled every request", failed(3, main("Error", 3, "stock-rsi: fetch: Yahoo Finance answered 429 Too Many Requests for 180 of 180 symbols")), true],
  ["exit 2: bad input", failed(2, main("Error", 2, "stock-rsi: prices.json: series[3].bars[0].date: not a date")), false],
  ["exit 1: the validation policy failed", failed(1, main("Error", 1, "stock-rsi: validate: 61 of 180 symbols failed, more than the 0.25 allowed")), false],
  ["exit 4: a wrong password", failed(4, main("Error", 4, "stock-rsi: persist: access denied for user stock_rsi")), false],
  ["exit 70: a bug", failed(70, main("Error", 70, "TypeError: Cannot read properties of undefined")), false],
  ["exit 64: the executor could not report (no Role)", failed(64, main("Error", 64)), false],
  ["137 OOMKilled: the container passed its memory limit", failed(137, main("OOMKilled", 137)), false],
  ["137 OOMKilled, whatever its log tail says", failed(137, main("OOMKilled", 137, "fetch: 120/180 symbols; pod deleted")), false],
  ["137 Error: Node.js reached its own heap limit (SIGABRT)", failed(137, main("Error", 137, "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory")), false],
  ["137 Error: deleted by a drain or the scheduler's preemption, seen before it vanished", failed(137, main("Error", 137)), true],
  ["137 Error with the step's log tail", failed(137, main("Error", 137, "fetch: 120/180 symbols")), true],
  ["pod deleted: it vanished before Argo saw how it ended", errored("pod deleted"), true],
  [
    "137 with an eviction message: the node ran low on memory",
    failed(137, "The node was low on resource: memory. Threshold quantity: 100Mi, available: 83412Ki. Container main was using 402Mi, request is 128Mi, has larger consumption of memory. "),
    true,
  ],
  ["143 with an eviction message: a soft eviction, low on disk", failed(143, "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9Gi. "), true],
  ["evicted before it started: the node had disk pressure", errored("The node had condition: [DiskPressure]. "), true],
  ["the node is shutting down", failed(137, "Pod was terminated in response to imminent node shutdown."), true],
  ["the pod reached a node that was shutting down", errored("Pod was rejected as the node is shutting down."), true],
  ["preempted by the kubelet for a critical pod", failed(137, "Preempted in order to admit critical pod"), true],
  ["evicted for filling its own /tmp (emptyDir limit): it would again", failed(137, 'Usage of EmptyDir volume "tmp" exceeds the limit "256Mi". '), false],
  ["the attempt ran past its deadline", failed(137, "Pod was active on the node longer than the specified deadline"), false],
  ["main succeeded but the wait container could not save its outputs", { exitCode: "0", status: "Error", message: "wait: Error (exit code 1): failed to put object" }, false],
];

describe("the retry expression in dist/, as Argo v4.0.10 evaluates it", () => {
  it("is the one retry.ts writes, on every step that talks to a service", () => {
    expect([...expressions.keys()].sort()).toEqual(["stock-rsi-backfill/backfill", "stock-rsi-backfill/fetch", "stock-rsi/fetch", "stock-rsi/persist"]);
    for (const expression of expressions.values()) expect(expression).toBe(retryExpression());
  });

  it.each(ROWS.map(([what, last, retried]) => [what, retried, last] as const))("%s: retried %s", (_what, retried, last) => {
    for (const expression of expressions.values()) expect(argoWouldRetry(expression, last)).toBe(retried);
  });

  it("uses only the variables Argo puts in scope for a retry expression", () => {
    const env = retryEnvironment(ROWS[0]![1]);
    for (const expression of expressions.values()) {
      for (const [, name] of expression.matchAll(/\blastRetry\.(\w+)/g)) expect(Object.keys((env.entries.lastRetry as { entries: object }).entries)).toContain(name);
    }
  });
});

describe("the expr evaluator the test relies on reads expressions as expr v1.17.7 does", () => {
  const env = retryEnvironment(failed(3, main("Error", 3)));

  it("compares the exit code as the string Argo passes: == 3 without asInt is false, not an error", () => {
    expect(evalBool("lastRetry.exitCode == 3", env)).toBe(false);
    expect(evalBool("lastRetry.exitCode == '3'", env)).toBe(true);
    expect(evalBool("asInt(lastRetry.exitCode) == 3", env)).toBe(true);
  });

  it("refuses at compile time a name Argo does not define, and a comparison of a string with a number", () => {
    expect(() => evalBool("lastRetri.exitCode == '3'", env)).toThrow(ExprCompileError);
    expect(() => evalBool("lastRetri.exitCode == '3'", env)).toThrow("unknown name lastRetri");
    expect(() => evalBool("retries > 1", env)).toThrow("invalid operation: > (mismatched types string and int)");
    expect(() => evalBool("lastRetry.message matches '('", env)).toThrow(ExprCompileError);
  });

  it("makes a misspelt member of lastRetry nil, which matches nothing, silently", () => {
    expect(evalBool("lastRetry.mesage matches '.*'", env)).toBe(false);
    expect(evalBool("lastRetry.mesage == nil", env)).toBe(true);
  });

  it("fails at run time on asInt of a non-number and on a result that is not a bool", () => {
    expect(() => evalBool("asInt(lastRetry.message) == 3", env)).toThrow(ExprRuntimeError);
    expect(() => evalBool("asInt(lastRetry.exitCode)", env)).toThrow("unable to cast expression result '3' to bool");
  });

  it("binds not tighter than ==, and && tighter than ||, as expr's operator table says", () => {
    expect(evalBool("not true == false", env)).toBe(true);
    expect(evalBool("true || false && false", env)).toBe(true);
    expect(evalBool("(true || false) && false", env)).toBe(false);
    expect(evalBool("lastRetry.message not startsWith 'main:'", env)).toBe(false);
  });

  it("reads regular expressions as Go's RE2 does: flags yes, look-ahead no", () => {
    expect(evalBool("lastRetry.message matches '(?i)^MAIN: error'", env)).toBe(true);
    expect(() => evalBool("lastRetry.message matches '^main(?=:)'", env)).toThrow(ExprCompileError);
  });

  it("refuses what it does not implement rather than guessing", () => {
    expect(() => evalBool("lastRetry.status in ['Failed']", env)).toThrow(ExprUnsupportedError);
    expect(() => evalBool("lastRetry.exitCode == '3' ? true : false", env)).toThrow(ExprUnsupportedError);
  });
});

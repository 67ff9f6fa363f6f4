/**
 * Which failed attempts of a step Argo runs again: the `expression` of its retryStrategy.
 *
 * Argo decides on the last attempt's `lastRetry.exitCode` (the main container's exit code, "-1"
 * only when its pod never reported one) and `lastRetry.message` (the node's message), both
 * strings (argoproj/argo-workflows v4.0.10, `workflow/controller/operator.go`,
 * `buildRetryStrategyLocalScope`). Two kinds of failure are worth another attempt:
 *
 * - **exit status 3**, "a service could not be used for now" (Yahoo throttled or down, MySQL
 *   restarting): the step says so itself;
 * - **the pod was taken away** from a step that was doing nothing wrong. Its container is then
 *   killed, not ended, and the exit code says nothing useful: Argo's emissary, which runs the
 *   step as its child, exits 137 for a child ended by any signal, SIGTERM included
 *   (`cmd/argoexec/commands/emissary.go` and `cmd/argoexec/main.go` at v4.0.10), the same code as
 *   the kernel's out-of-memory killer. So, as Argo's own guide advises (`docs/retries.md` at
 *   v4.0.10: match `lastRetry.message`), these are recognised by the message Kubernetes or Argo
 *   leaves, listed below with where each is written.
 *
 * Everything else fails the same way every time and is not retried: bad input (2), a failed
 * validation policy (1), a service's refusal (4: a wrong password, a missing privilege), a bug
 * (70), an attempt that ran out of its deadline, and **an out-of-memory kill**: the container is
 * then `OOMKilled` (exit 137), and a second attempt with the same limit and input runs out of
 * memory again. `retryPolicy: Always` hands every failed attempt to the expression, which alone
 * decides (`docs/retries.md`).
 *
 * test/synth/retry-expression.test.ts evaluates the expression as Argo's expr would over the
 * messages below and the ones it must refuse.
 */
import { ExitCode } from "../steps/domain/errors.ts";

/** A node message that says the pod was taken from a step that did nothing wrong, and where it comes from. */
export interface Disruption {
  readonly what: string;
  /** The start of the node's message, literally. */
  readonly messageStart: string;
  /** true: the whole message, nothing after it. */
  readonly exact?: boolean;
  readonly source: string;
}

/**
 * The messages a disrupted attempt leaves. When a pod fails with a message of its own (the
 * kubelet's, for an eviction or a shutdown), Argo makes that the node's message, verbatim
 * (`inferFailedReason` in `workflow/controller/operator.go` at v4.0.10); otherwise the node's
 * message describes the main container, `main: <reason> (exit code N)[: <termination message>]`.
 * Kubernetes' messages are constants of kubernetes/kubernetes (the kubelet), the same text in
 * every release Argo v4.0.10 is tested on.
 */
export const DISRUPTIONS: readonly Disruption[] = [
  {
    what: "the pod vanished (deleted, drained or preempted) before Argo saw how it ended",
    messageStart: "pod deleted",
    exact: true,
    source: "Argo v4.0.10 workflow/controller/operator.go, podReconciliation: markNodeError(..., \"pod deleted\")",
  },
  {
    what: "the kubelet evicted the pod because the node ran low on memory, disk or process ids",
    messageStart: "The node was low on resource: ",
    source: "kubernetes pkg/kubelet/eviction/helpers.go, nodeLowMessageFmt (pod status message, reason Evicted)",
  },
  {
    what: "the kubelet refused to start the pod on a node under pressure",
    messageStart: "The node had condition: ",
    source: "kubernetes pkg/kubelet/eviction/helpers.go, nodeConditionMessageFmt (pod status message, reason Evicted)",
  },
  {
    what: "the node is shutting down (graceful node shutdown)",
    messageStart: "Pod was terminated in response to imminent node shutdown.",
    source: "kubernetes pkg/kubelet/nodeshutdown/nodeshutdown_manager.go, nodeShutdownMessage (reason Terminated)",
  },
  {
    what: "the pod reached a node that was shutting down",
    messageStart: "Pod was rejected as the node is shutting down.",
    source: "kubernetes pkg/kubelet/nodeshutdown/nodeshutdown_manager.go, nodeShutdownNotAdmittedMessage (reason NodeShutdown)",
  },
  {
    what: "the kubelet preempted the pod to admit a critical pod",
    messageStart: "Preempted in order to admit critical pod",
    source: "kubernetes pkg/kubelet/preemption/preemption.go, message (reason Preempting)",
  },
];

/**
 * The pod was deleted (a drain's eviction, the scheduler's preemption, `kubectl delete pod`) and
 * Argo saw its last state before it vanished: the emissary's 137 with the runtime's reason
 * `Error`, where the kernel's out-of-memory killer leaves `OOMKilled`. Node.js ends by SIGABRT
 * when its own heap limit is reached, which the emissary also reports as 137 with `Error`; the
 * log tail in the message (`terminationMessagePolicy: FallbackToLogsOnError`) then names it, and
 * that is not retried either.
 */
export const KILLED_BY_SIGNAL = { messageStart: "main: Error (exit code 137)", notContaining: "heap out of memory" } as const;

/** A literal text as a Go (RE2) pattern, each special character in a class of its own: no backslash, so no escaping in expr's quotes or in YAML. */
function literalPattern(text: string): string {
  if (/[\]\\^]/.test(text)) throw new Error(`retry: ${JSON.stringify(text)} holds a character a class cannot hold without a backslash`);
  return text.replace(/[.*+?$|()[{}]/g, (c) => `[${c}]`);
}

/** The retry expression (Argo's expr syntax) for a step that exits `unavailable` when a service is away. */
export function retryExpression(): string {
  const disrupted = DISRUPTIONS.map((d) => `${literalPattern(d.messageStart)}${d.exact ? "$" : ""}`).join("|");
  return [
    `asInt(lastRetry.exitCode) == ${ExitCode.unavailable}`,
    `lastRetry.message matches '^(?:${disrupted})'`,
    `(lastRetry.message startsWith '${KILLED_BY_SIGNAL.messageStart}' && !(lastRetry.message contains '${KILLED_BY_SIGNAL.notContaining}'))`,
  ].join(" || ");
}

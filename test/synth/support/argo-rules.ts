/**
 * The rules Argo's controller applies to a WorkflowTemplate or CronWorkflow (its
 * `workflow/validate/validate.go`, at the release in `workflows/argo/release.ts`), restated
 * over the manifests' plain data, for the kinds of template this project writes (DAGs of
 * container templates). `argo lint` applies them; it is a Go binary, so the tests do instead.
 * Also here: what the controller parses only when a run reaches it (a retry's back-off, a
 * metric's name), so a mistake fails CI rather than a run. References (`{{...}}`), the DAG's
 * dependencies and cycles are checked by `lint.ts`.
 *
 * Names and lengths
 * - a WorkflowTemplate's name is at most 63 characters, a CronWorkflow's 52 (its runs are named
 *   `NAME-<10-digit time>`, and a workflow's name is a label value: 63 at most);
 * - templates and DAG tasks are named `^[a-zA-Z0-9][-a-zA-Z0-9]*$`, at most 128 characters, once
 *   each; parameters and artifacts (arguments, inputs, outputs, global names) `^[-a-zA-Z0-9_]+$`,
 *   once each per list; a task's name does not start with a digit when the DAG has dependencies;
 * - (Kubernetes, not validate.go) a template that runs a pod is part of the pod's name
 *   (`WORKFLOW-TEMPLATE-HASH`), which must be lowercase.
 * Templates
 * - exactly one type (container, dag, ...); `activeDeadlineSeconds` and `timeout` only on leaf
 *   templates (activeDeadlineSeconds a whole number ≥ 0 or a `{{variable}}`, timeout a duration
 *   rather than a bare number); `parallelism` only on dag and steps templates;
 * - a container has an image; no two volume mounts, or a mount and an input artifact, share a path;
 *   init containers are named;
 * - input artifacts have no `from`; in a leaf template every artifact has a path without `..`, in
 *   a dag none has a path;
 * - an output parameter has a value or one `valueFrom` source, which for a container is a `path`.
 * Steps (the exit handler)
 * - at least one group of steps, each step named, naming a template, with arguments as a DAG
 *   task's; `continueOn` only says `failed` and `error`.
 * DAGs
 * - at least one task; `depends` and `dependencies` are not mixed; `continueOn` is not used with
 *   `depends`; a task names a template or a templateRef, not both; one of withItems, withParam,
 *   withSequence; every `target` is a task;
 * - every argument a task passes has a value (a parameter: `value` or a `valueFrom` from a
 *   ConfigMap, an event or a supplied value; an artifact: `from`, a location or a key); a value
 *   with an `enum` is one of it;
 * - a lifecycle hook other than `exit` has an expression.
 * The workflow
 * - `podGC.strategy` is one Argo knows, `deleteDelayDuration` a duration;
 * - when a CronWorkflow runs the template, there is an entrypoint, and every workflow parameter
 *   has a value or valueFrom (no one is there to pass `-p`): the controller refuses the
 *   CronWorkflow otherwise.
 * retryStrategy
 * - `retryPolicy` is Always, OnFailure, OnError or OnTransientError; `limit` a whole number ≥ 0 (or
 *   a `{{variable}}`); `backoff.duration` is given and, like `cap` and `maxDuration`, is whole
 *   seconds or a Go duration; `backoff.factor` is a whole number (Argo reads it with Atoi: `1.5`
 *   fails the retry at run time).
 * metrics.prometheus (the workflow's and each template's)
 * - names match `^[a-zA-Z_][a-zA-Z0-9_]*$` (Prometheus' legacy names, without `:`), and so do
 *   label keys; each metric has `help`; a gauge, counter or histogram has a `value`.
 * CronWorkflow
 * - at least one of `schedules`, each a cron schedule robfig/cron's `ParseStandard` reads (see
 *   `go-syntax.ts`); `timezone` loads; `concurrencyPolicy` is Allow, Forbid or Replace;
 *   `startingDeadlineSeconds` ≥ 0; a `workflowSpec` with a `workflowTemplateRef` has no templates.
 */
import { argoDurationError, cronScheduleError, isGoInteger, timeZoneError } from "./go-syntax.ts";
import type { KubeObject, Manifest } from "./manifests.ts";

type Json = Record<string, unknown>;
type Report = (path: string, message: string) => void;

const MAX_OBJECT_NAME = 63;
const MAX_CRON_WORKFLOW_NAME = 52;
const MAX_FIELD_NAME = 128;
const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const PARAMETER_OR_ARTIFACT_NAME = /^[-a-zA-Z0-9_]+$/;
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A value Argo substitutes before using it: `{{...}}`, checked by the reference rules instead. */
const VARIABLE = /^\{\{.*\}\}$/;
const IS_PARAMETER = /\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}/;

const TEMPLATE_TYPES = ["container", "containerSet", "steps", "script", "resource", "dag", "suspend", "data", "http", "plugin"] as const;
const LEAF_TYPES = new Set(["container", "containerSet", "script", "resource", "data", "http", "plugin"]);
const POD_TYPES = new Set(["container", "containerSet", "script", "resource", "data"]);
const RETRY_POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"];
const POD_GC_STRATEGIES = ["OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"];
const CONCURRENCY_POLICIES = ["Allow", "Forbid", "Replace"];
const ARTIFACT_LOCATIONS = ["raw", "s3", "git", "http", "artifactory", "hdfs", "oss", "gcs", "azure", "plugin"];

export function lintArgoRules(o: KubeObject, manifests: readonly Manifest[], report: Report): void {
  if (o.kind === "WorkflowTemplate") {
    checkNameLength(o.metadata.name, MAX_OBJECT_NAME, "a WorkflowTemplate's", report);
    const schedulers = manifests.filter((m) => {
      const ref = (((m.object.spec as Json | undefined)?.workflowSpec as Json | undefined)?.workflowTemplateRef as Json | undefined)?.name;
      return m.object.kind === "CronWorkflow" && m.object.metadata.namespace === o.metadata.namespace && ref === o.metadata.name;
    });
    lintWorkflowSpec(o.spec as Json, "/spec", schedulers.map((m) => m.object.metadata.name), report);
  }
  if (o.kind === "CronWorkflow") lintCronWorkflow(o, report);
}

function checkNameLength(name: string, max: number, what: string, report: Report): void {
  if (name.length > max) report("/metadata/name", `"${name}" is ${name.length} characters; ${what} name may have at most ${max}`);
}

// --- The workflow ----------------------------------------------------------------------------

/**
 * @param schedulers the CronWorkflows that run this spec; with any, it must run unattended.
 */
function lintWorkflowSpec(spec: Json, base: string, schedulers: readonly string[], report: Report): void {
  const templates = list(spec.templates);
  checkNames(templates, `${base}/templates`, "template", report);
  const args = (spec.arguments as Json | undefined) ?? {};
  checkArguments(args, `${base}/arguments`, report, schedulers.length > 0 ? `CronWorkflow ${schedulers.join(", ")} runs it with no one to pass -p` : undefined);
  if (schedulers.length > 0 && !spec.entrypoint) report(`${base}/entrypoint`, `is required: CronWorkflow ${schedulers.join(", ")} runs this template`);

  const podGC = spec.podGC as Json | undefined;
  if (podGC) {
    if (podGC.strategy !== undefined && podGC.strategy !== "" && !POD_GC_STRATEGIES.includes(String(podGC.strategy))) {
      report(`${base}/podGC/strategy`, `unknown strategy "${String(podGC.strategy)}"; one of ${POD_GC_STRATEGIES.join(", ")}`);
    }
    if (typeof podGC.deleteDelayDuration === "string" && podGC.deleteDelayDuration !== "") {
      const problem = argoDurationError(podGC.deleteDelayDuration);
      if (problem) report(`${base}/podGC/deleteDelayDuration`, problem);
    }
  }
  checkHooks(spec.hooks, `${base}/hooks`, report);
  // Without the pod's token, the executor needs its own account's (workflowpod.go, setupServiceAccount).
  if (spec.automountServiceAccountToken === false && !(spec.executor as Json | undefined)?.serviceAccountName) {
    report(`${base}/executor/serviceAccountName`, "must not be empty if automountServiceAccountToken is false (Argo refuses every pod otherwise)");
  }
  checkMetrics(spec.metrics, `${base}/metrics`, report);

  const defaultImage = ((spec.templateDefaults as Json | undefined)?.container as Json | undefined)?.image;
  templates.forEach((t, i) => lintTemplate(t, `${base}/templates/${i}`, Boolean(defaultImage), report));
}

// --- Templates -------------------------------------------------------------------------------

function typeOf(template: Json): string | undefined {
  return TEMPLATE_TYPES.find((type) => template[type] !== undefined && template[type] !== null);
}

function lintTemplate(t: Json, path: string, hasDefaultImage: boolean, report: Report): void {
  const types = TEMPLATE_TYPES.filter((type) => t[type] !== undefined && t[type] !== null);
  if (types.length === 0) report(path, `template type unspecified: give one of ${TEMPLATE_TYPES.join(", ")}`);
  if (types.length > 1) report(path, `several template types (${types.join(", ")}): give one`);
  const type = typeOf(t);
  const leaf = type !== undefined && LEAF_TYPES.has(type);
  const name = String(t.name ?? "");

  if (type !== undefined && POD_TYPES.has(type) && name !== name.toLowerCase()) {
    report(`${path}/name`, `"${name}" becomes part of this template's pod names, which Kubernetes requires lowercase`);
  }
  if (t.activeDeadlineSeconds !== undefined) {
    if (!leaf) report(`${path}/activeDeadlineSeconds`, "is only valid for leaf templates (container, script, ...)");
    else checkIntOrVariable(t.activeDeadlineSeconds, `${path}/activeDeadlineSeconds`, "must be a whole number ≥ 0 or an argo variable", report);
  }
  if (t.parallelism !== undefined && leaf) report(`${path}/parallelism`, "is only valid for steps and dag templates");
  if (typeof t.timeout === "string" && t.timeout !== "") {
    if (!leaf) report(`${path}/timeout`, `${type ?? "this"} templates do not support timeout`);
    else if (isGoInteger(t.timeout)) report(`${path}/timeout`, `"${t.timeout}" is a bare number; give a duration (e.g. ${t.timeout}s)`);
  }

  const inputs = (t.inputs as Json | undefined) ?? {};
  const outputs = (t.outputs as Json | undefined) ?? {};
  checkNames(list(inputs.parameters), `${path}/inputs/parameters`, "parameter", report);
  checkNames(list(inputs.artifacts), `${path}/inputs/artifacts`, "artifact", report);
  checkNames(list(outputs.parameters), `${path}/outputs/parameters`, "parameter", report);
  checkNames(list(outputs.artifacts), `${path}/outputs/artifacts`, "artifact", report);
  list(inputs.artifacts).forEach((a, i) => {
    const at = `${path}/inputs/artifacts/${i}`;
    if (a.from !== undefined) report(`${at}/from`, "is not valid in inputs (a task passes it in its arguments)");
    checkArtifactPath(a, at, leaf, report);
  });
  list(outputs.artifacts).forEach((a, i) => {
    const at = `${path}/outputs/artifacts/${i}`;
    checkArtifactPath(a, at, leaf, report);
    checkGlobalName(a, at, report);
  });
  list(outputs.parameters).forEach((p, i) => checkOutputParameter(p, `${path}/outputs/parameters/${i}`, type, report));

  const container = t.container as Json | undefined;
  if (container) {
    if (!container.image && !hasDefaultImage) report(`${path}/container/image`, "may not be empty");
    const mounted = new Map<string, string>();
    list(container.volumeMounts).forEach((m, i) => {
      const at = String(m.mountPath);
      if (mounted.has(at)) report(`${path}/container/volumeMounts/${i}/mountPath`, `"${at}" is already mounted by ${mounted.get(at)}`);
      mounted.set(at, `volume ${String(m.name)}`);
    });
    list(inputs.artifacts).forEach((a, i) => {
      const at = String(a.path);
      if (mounted.has(at)) report(`${path}/inputs/artifacts/${i}/path`, `"${at}" is already mounted by ${mounted.get(at)}`);
      mounted.set(at, `input artifact ${String(a.name)}`);
    });
  }
  list(t.initContainers).forEach((c, i) => {
    if (!c.name) report(`${path}/initContainers/${i}/name`, "is required");
  });

  if (t.retryStrategy) checkRetryStrategy(t.retryStrategy as Json, `${path}/retryStrategy`, report);
  checkMetrics(t.metrics, `${path}/metrics`, report);
  if (t.dag) lintDag(t.dag as Json, `${path}/dag`, report);
  if (t.steps) lintStepGroups(t.steps, `${path}/steps`, report);
}

function lintStepGroups(steps: unknown, path: string, report: Report): void {
  const groups = Array.isArray(steps) ? (steps as unknown[]) : [];
  if (groups.length === 0) report(path, "a steps template must have at least one group of steps");
  groups.forEach((group, g) => {
    const inGroup = list(group);
    checkNames(inGroup, `${path}/${g}`, "step", report);
    inGroup.forEach((step, i) => {
      const at = `${path}/${g}/${i}`;
      if (step.template === undefined && step.templateRef === undefined && step.inline === undefined) report(`${at}/template`, "is required (or templateRef, or inline)");
      const continueOn = (step.continueOn as Json | undefined) ?? {};
      for (const key of Object.keys(continueOn)) if (key !== "failed" && key !== "error") report(`${at}/continueOn/${key}`, "continueOn takes failed and error");
      checkArguments((step.arguments as Json | undefined) ?? {}, `${at}/arguments`, report, "a step passes what it names");
    });
  });
}

function checkArtifactPath(a: Json, path: string, leaf: boolean, report: Report): void {
  if (!leaf) {
    if (a.path !== undefined) report(`${path}/path`, "is only valid in container and script templates");
    return;
  }
  if (typeof a.path !== "string" || a.path === "") report(`${path}/path`, "is required in a leaf template");
  else if (a.path.split("/").includes("..")) report(`${path}/path`, `"${a.path}" contains '..'; Argo refuses directory traversal`);
}

function checkGlobalName(item: Json, path: string, report: Report): void {
  const globalName = item.globalName;
  if (typeof globalName === "string" && globalName !== "" && !IS_PARAMETER.test(globalName) && !PARAMETER_OR_ARTIFACT_NAME.test(globalName)) {
    report(`${path}/globalName`, `"${globalName}": a global name consists of alphanumerics, '_' or '-'`);
  }
}

function checkOutputParameter(p: Json, path: string, templateType: string | undefined, report: Report): void {
  checkGlobalName(p, path, report);
  const valueFrom = p.valueFrom as Json | undefined;
  if (valueFrom && p.value !== undefined) return report(path, "has both value and valueFrom; choose one");
  if (p.value !== undefined) return;
  if (!valueFrom) return report(path, "has neither value nor valueFrom");
  const sources = ["path", "jqFilter", "jsonPath", "parameter", "expression"].filter((k) => typeof valueFrom[k] === "string" && valueFrom[k] !== "");
  if (valueFrom.supplied !== undefined) sources.push("supplied");
  if (sources.length === 0) return report(`${path}/valueFrom`, "names no source: one of path, jqFilter, jsonPath, parameter, expression, supplied");
  if (sources.length > 1) return report(`${path}/valueFrom`, `names several sources (${sources.join(", ")}); choose one`);
  if ((templateType === "container" || templateType === "containerSet" || templateType === "script") && !valueFrom.path) {
    report(`${path}/valueFrom/path`, `must be given for ${templateType} templates`);
  }
  if ((templateType === "dag" || templateType === "steps") && !valueFrom.parameter && !valueFrom.expression) {
    report(`${path}/valueFrom`, `needs parameter or expression in ${templateType} templates`);
  }
}

function checkRetryStrategy(retry: Json, path: string, report: Report): void {
  if (retry.retryPolicy !== undefined && retry.retryPolicy !== "" && !RETRY_POLICIES.includes(String(retry.retryPolicy))) {
    report(`${path}/retryPolicy`, `"${String(retry.retryPolicy)}" is not a valid RetryPolicy; one of ${RETRY_POLICIES.join(", ")}`);
  }
  if (retry.limit !== undefined) checkIntOrVariable(retry.limit, `${path}/limit`, "must be a whole number ≥ 0 or an argo variable", report);
  const backoff = retry.backoff as Json | undefined;
  if (!backoff) return;
  if (backoff.duration === undefined || backoff.duration === "") report(`${path}/backoff/duration`, "is required with a backoff");
  for (const field of ["duration", "cap", "maxDuration"] as const) {
    const value = backoff[field];
    if (typeof value === "string" && value !== "" && !VARIABLE.test(value)) {
      const problem = argoDurationError(value);
      if (problem) report(`${path}/backoff/${field}`, problem);
    }
  }
  const factor = backoff.factor;
  if (factor !== undefined && !(typeof factor === "number" ? Number.isInteger(factor) : isGoInteger(String(factor)))) {
    report(`${path}/backoff/factor`, `${JSON.stringify(factor)} is not a whole number (Argo reads the factor as an integer)`);
  }
}

/** An IntOrString Argo reads with Atoi: a whole number ≥ 0, as a number or a string, or a `{{variable}}`. */
function checkIntOrVariable(value: unknown, path: string, message: string, report: Report): void {
  if (typeof value === "string" && VARIABLE.test(value)) return;
  const whole = typeof value === "number" ? Number.isInteger(value) : typeof value === "string" && isGoInteger(value);
  if (!whole || Number(value) < 0) report(path, `${JSON.stringify(value)}: ${message}`);
}

function checkMetrics(metrics: unknown, path: string, report: Report): void {
  list((metrics as Json | undefined)?.prometheus).forEach((metric, i) => {
    const at = `${path}/prometheus/${i}`;
    const name = String(metric.name ?? "");
    if (!METRIC_NAME.test(name)) report(`${at}/name`, `metric name "${name}" is invalid: letters, digits and '_', not starting with a digit`);
    list(metric.labels).forEach((label, j) => {
      const key = String(label.key ?? "");
      if (!METRIC_NAME.test(key)) report(`${at}/labels/${j}/key`, `metric label "${key}" is invalid: letters, digits and '_', not starting with a digit`);
    });
    if (!metric.help) report(`${at}/help`, `metric "${name}" must have a help string`);
    for (const kind of ["gauge", "counter", "histogram"] as const) {
      const body = metric[kind] as Json | undefined;
      if (body && !body.value) report(`${at}/${kind}/value`, `is required for a ${kind}`);
    }
    const gauge = metric.gauge as Json | undefined;
    if (gauge?.realtime === true && String(gauge.value ?? "").includes("resourcesDuration.")) {
      report(`${at}/gauge/value`, "'resourcesDuration.*' metrics cannot be used in real time");
    }
  });
}

function checkHooks(hooks: unknown, path: string, report: Report): void {
  for (const [event, hook] of Object.entries((hooks as Record<string, Json> | undefined) ?? {})) {
    if (event !== "exit" && !hook?.expression) report(`${path}/${event}/expression`, `hook "${event}" needs an expression (only "exit" runs without one)`);
  }
}

// --- DAGs ------------------------------------------------------------------------------------

function lintDag(dag: Json, path: string, report: Report): void {
  const tasks = list(dag.tasks);
  if (tasks.length === 0) report(`${path}/tasks`, "a dag must have at least one task");
  checkNames(tasks, `${path}/tasks`, "task", report);
  const usingDepends = tasks.some((t) => typeof t.depends === "string" && t.depends !== "");
  tasks.forEach((task, i) => {
    const at = `${path}/tasks/${i}`;
    const name = String(task.name ?? "");
    if ((usingDepends || list(task.dependencies).length > 0) && /^[0-9]/.test(name)) {
      report(`${at}/name`, `"${name}" cannot begin with a digit when the dag uses depends or dependencies`);
    }
    if (usingDepends && list(task.dependencies).length > 0) report(`${at}/dependencies`, "cannot be used with depends in the same dag");
    if (usingDepends && task.continueOn !== undefined) report(`${at}/continueOn`, "cannot be used with depends; use 'TASK.Failed' or 'TASK.Errored' in depends");
    if (task.template !== undefined && task.templateRef !== undefined) report(`${at}/template`, "cannot be given with templateRef");
    if (task.template === undefined && task.templateRef === undefined && task.inline === undefined) report(`${at}/template`, "is required (or templateRef, or inline)");
    const loops = ["withItems", "withParam", "withSequence"].filter((k) => task[k] !== undefined);
    if (loops.length > 1) report(at, `only one of withItems, withParam, withSequence can be given (found ${loops.join(", ")})`);
    checkArguments((task.arguments as Json | undefined) ?? {}, `${at}/arguments`, report, "a task passes what it names");
    checkHooks(task.hooks, `${at}/hooks`, report);
  });
  if (typeof dag.target === "string" && dag.target !== "") {
    const names = new Set(tasks.map((t) => String(t.name)));
    for (const target of dag.target.split(" ")) {
      if (target !== "" && !IS_PARAMETER.test(target) && !names.has(target)) report(`${path}/target`, `target "${target}" is not a task of this dag`);
    }
  }
}

/**
 * The names of arguments, and their values. `valuesRequired`, when given, says why every
 * parameter needs a value here (a scheduled run, or a task's arguments).
 */
function checkArguments(args: Json, path: string, report: Report, valuesRequired?: string): void {
  const parameters = list(args.parameters);
  const artifacts = list(args.artifacts);
  checkNames(parameters, `${path}/parameters`, "parameter", report);
  checkNames(artifacts, `${path}/artifacts`, "artifact", report);
  parameters.forEach((p, i) => {
    const at = `${path}/parameters/${i}`;
    const valueFrom = p.valueFrom as Json | undefined;
    if (valuesRequired && p.value === undefined && !valueFrom) report(at, `parameter "${String(p.name)}" needs a value or valueFrom: ${valuesRequired}`);
    if (valueFrom) {
      if (!valueFrom.configMapKeyRef && !valueFrom.event && valueFrom.supplied === undefined) {
        report(`${at}/valueFrom`, "an argument's valueFrom takes a configMapKeyRef, an event or a supplied value (with an optional default)");
      }
      const misplaced = ["path", "jsonPath", "parameter", "expression"].filter((k) => valueFrom[k] !== undefined && valueFrom[k] !== "");
      if (misplaced.length > 0) report(`${at}/valueFrom/${misplaced[0]}`, "is only valid in an output parameter, not in arguments");
    }
    if (p.enum !== undefined) {
      const choices = list(p.enum as unknown).map(String);
      if (!Array.isArray(p.enum) || p.enum.length === 0) report(`${at}/enum`, "should contain at least one value");
      else if (p.value !== undefined && !choices.includes(String(p.value))) report(`${at}/value`, `"${String(p.value)}" is not one of the enum: ${choices.join(", ")}`);
      else if (p.value === undefined && valuesRequired) report(`${at}/value`, `is required with an enum: ${valuesRequired}`);
    }
  });
  artifacts.forEach((a, i) => {
    const at = `${path}/artifacts/${i}`;
    const hasLocation = ARTIFACT_LOCATIONS.some((k) => a[k] !== undefined);
    if (!a.from && !hasLocation && !a.key) report(at, `artifact "${String(a.name)}" needs from, a location (raw, s3, http, ...) or a key`);
    if (a.from && a.fromExpression) report(at, `artifact "${String(a.name)}" has both from and fromExpression`);
  });
}

// --- Names -----------------------------------------------------------------------------------

/** Argo's `validateWorkflowFieldNames`: each item named, validly, once. */
function checkNames(items: readonly Json[], path: string, what: "template" | "task" | "step" | "parameter" | "artifact", report: Report): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const at = `${path}/${i}/name`;
    const name = item.name;
    if (typeof name !== "string" || name === "") return report(at, "is required");
    if (what === "parameter" || what === "artifact") {
      if (!PARAMETER_OR_ARTIFACT_NAME.test(name)) report(at, `"${name}" is not a valid ${what} name: alphanumerics, '_' or '-'`);
    } else {
      if (name.length > MAX_FIELD_NAME) report(at, `"${name}" is ${name.length} characters; a ${what} name may have at most ${MAX_FIELD_NAME}`);
      if (!FIELD_NAME.test(name)) report(at, `"${name}" is not a valid ${what} name: alphanumerics or '-', starting with an alphanumeric`);
    }
    if (seen.has(name)) report(at, `a second ${what} named "${name}"`);
    seen.add(name);
  });
}

// --- CronWorkflow ----------------------------------------------------------------------------

function lintCronWorkflow(o: KubeObject, report: Report): void {
  checkNameLength(o.metadata.name, MAX_CRON_WORKFLOW_NAME, "a CronWorkflow's (its runs add a 10-digit time)", report);
  const spec = (o.spec as Json | undefined) ?? {};
  const schedules = Array.isArray(spec.schedules) ? spec.schedules : [];
  if (schedules.length === 0) report("/spec/schedules", "a CronWorkflow needs at least one schedule");
  schedules.forEach((schedule, i) => {
    const problem = cronScheduleError(String(schedule));
    if (problem) report(`/spec/schedules/${i}`, `cron schedule "${String(schedule)}" is malformed: ${problem}`);
  });
  if (typeof spec.timezone === "string") {
    const problem = timeZoneError(spec.timezone);
    if (problem) report("/spec/timezone", problem);
  }
  if (spec.concurrencyPolicy !== undefined && spec.concurrencyPolicy !== "" && !CONCURRENCY_POLICIES.includes(String(spec.concurrencyPolicy))) {
    report("/spec/concurrencyPolicy", `"${String(spec.concurrencyPolicy)}" is not a valid concurrencyPolicy; one of ${CONCURRENCY_POLICIES.join(", ")}`);
  }
  if (typeof spec.startingDeadlineSeconds === "number" && spec.startingDeadlineSeconds < 0) report("/spec/startingDeadlineSeconds", "must not be negative");
  const workflowSpec = (spec.workflowSpec as Json | undefined) ?? {};
  if (workflowSpec.workflowTemplateRef) {
    if (list(workflowSpec.templates).length > 0) report("/spec/workflowSpec/templates", "cannot be given with a workflowTemplateRef");
  } else {
    lintWorkflowSpec(workflowSpec, "/spec/workflowSpec", [o.metadata.name], report);
  }
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

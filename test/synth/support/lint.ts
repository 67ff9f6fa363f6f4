/**
 * What a schema cannot see in the synthesized manifests: references that must resolve, a DAG
 * that must be acyclic, and the operating rules every object must follow. Each finding names
 * the file, the object and the JSON path at fault.
 *
 * - every template a DAG task or a step names exists, and so do the entrypoint and the exit handler;
 * - every `{{...}}` reference resolves: a declared input or workflow parameter, an output an
 *   upstream task's template declares, or a global output some template exports (`globalName`);
 *   a DAG task depends only on tasks that exist, without a cycle;
 * - every artifact `from` points at an upstream task's declared output artifact (in a steps
 *   template, such as the exit handler: at a global output artifact), and every argument a task or
 *   step passes is an input its template declares (and every required input is passed);
 * - a CronWorkflow's `workflowTemplateRef` names a WorkflowTemplate in `dist/`;
 * - images are pinned (a tag that is not `latest`, or a digest);
 * - every container has CPU and memory requests and a memory limit, runs as non-root and cannot
 *   escalate privileges;
 * - no Secret is shipped, and no password-like variable has a literal value;
 * - claims, volumes, ConfigMaps, Services and NetworkPolicies refer to objects that exist;
 * - every object's name is what the API server accepts (a lowercase DNS-1123 subdomain; a DNS
 *   label for Namespaces and Services, whose names become host names);
 * - the rules of Argo's controller (names and lengths, template shapes, retryStrategy, metrics,
 *   CronWorkflow schedules and time zone): `argo-rules.ts`.
 */
import { lintArgoRules } from "./argo-rules.ts";
import { describe, type KubeObject, type Manifest } from "./manifests.ts";

export interface LintFinding {
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

export function formatLint(f: LintFinding): string {
  return `${f.object}: ${f.path}: ${f.message}`;
}

type Json = Record<string, unknown>;
type Report = (path: string, message: string) => void;

/**
 * The one Secret dist/ may hold: an empty request for a ServiceAccount's token, which
 * Kubernetes' token controller fills in on the cluster (workflows/workflow-identity.ts).
 */
function isTokenRequest(o: KubeObject): boolean {
  const empty = (field: unknown) => field === undefined || (typeof field === "object" && field !== null && Object.keys(field).length === 0);
  return o.type === "kubernetes.io/service-account-token" && empty(o.data) && empty(o.stringData);
}

export function lintManifests(manifests: readonly Manifest[]): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const manifest of manifests) {
    const report: Report = (path, message) => findings.push({ object: describe(manifest), path, message });
    const o = manifest.object;
    lintObjectName(o, report);
    if (o.kind === "WorkflowTemplate") lintWorkflowSpec(o.spec as Json, "/spec", workflowMetadataKeys(o), report);
    if (o.kind === "CronWorkflow") lintCronWorkflow(o, manifests, report);
    lintArgoRules(o, manifests, report);
    if (o.kind === "Secret" && !isTokenRequest(o)) report("", "a Secret in dist/ would put credentials in the repository; the user creates it (README)");
    for (const pod of podsOf(o)) lintPod(pod.spec, pod.path, report);
    lintReferences(o, manifests, report);
  }
  return findings;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The API server's rule for names: a DNS-1123 subdomain (253), or label (63) where the name becomes a host name. */
function lintObjectName(o: KubeObject, report: Report): void {
  const name = String(o.metadata?.name ?? "");
  const label = o.kind === "Namespace" || o.kind === "Service";
  const valid = label ? name.length <= 63 && DNS1123_LABEL.test(name) : name.length <= 253 && name.split(".").every((part) => DNS1123_LABEL.test(part));
  if (!valid) {
    report(
      "/metadata/name",
      `"${name}" is not a DNS-1123 ${label ? "label (at most 63 characters" : "subdomain (at most 253 characters, dot-separated labels"}: lowercase alphanumerics and '-', starting and ending alphanumeric)`,
    );
  }
}

// --- Argo ------------------------------------------------------------------------------------

interface Template {
  readonly name: string;
  readonly index: number;
  readonly json: Json;
}

/** The annotation and label keys a run has, which `{{workflow.annotations.KEY}}` and `{{workflow.labels.KEY}}` may name. */
interface MetadataKeys {
  readonly annotations: ReadonlySet<string>;
  readonly labels: ReadonlySet<string>;
}

/** A run's annotations and labels: the object's own, and those `workflowMetadata` gives each run. */
function workflowMetadataKeys(o: KubeObject): MetadataKeys {
  const keys = (value: unknown) => Object.keys((value as Json | undefined) ?? {});
  const runs = ((o.spec as Json | undefined)?.workflowMetadata as Json | undefined) ?? {};
  return {
    annotations: new Set([...keys(o.metadata.annotations), ...keys(runs.annotations)]),
    labels: new Set([...keys(o.metadata.labels), ...keys(runs.labels), ...keys(runs.labelsFrom)]),
  };
}

function lintWorkflowSpec(spec: Json, base: string, metadata: MetadataKeys, report: Report): void {
  const templates = ((spec.templates as Json[] | undefined) ?? []).map((json, index) => ({ name: String(json.name), index, json }));
  // A second template of one name is reported with the other name rules (argo-rules.ts); the first one counts here.
  const byName = new Map<string, Template>();
  for (const t of templates) if (!byName.has(t.name)) byName.set(t.name, t);
  if (typeof spec.entrypoint === "string" && !byName.has(spec.entrypoint)) {
    report(`${base}/entrypoint`, `no template named "${spec.entrypoint}"`);
  }
  if (typeof spec.onExit === "string" && !byName.has(spec.onExit)) report(`${base}/onExit`, `no template named "${spec.onExit}"`);
  const workflowParameters = new Set(((spec.arguments as Json | undefined)?.parameters as Json[] | undefined)?.map((p) => String(p.name)) ?? []);
  const globalOutputs = new Set(
    templates.flatMap((t) => (((t.json.outputs as Json | undefined)?.parameters as Json[] | undefined) ?? []).flatMap((p) => (p.globalName ? [String(p.globalName)] : []))),
  );
  const globalArtifacts = new Set(
    templates.flatMap((t) => (((t.json.outputs as Json | undefined)?.artifacts as Json[] | undefined) ?? []).flatMap((a) => (a.globalName ? [String(a.globalName)] : []))),
  );
  const globals = { workflowParameters, globalOutputs, globalArtifacts, metadata };

  // Strings outside the templates see only the workflow's own variables.
  const { templates: _templates, ...rest } = spec;
  forEachString(rest, base, (path, text) => checkReferences(text, path, { ...globals }, report));

  for (const t of templates) {
    const path = `${base}/templates/${t.index}`;
    if (t.json.dag) lintDag(t, path, byName, globals, report);
    else if (t.json.steps) lintSteps(t, path, byName, globals, report);
    else {
      const inputs = (t.json.inputs as Json | undefined) ?? {};
      const outputs = (t.json.outputs as Json | undefined) ?? {};
      const names = (items: unknown) => new Set(((items as Json[] | undefined) ?? []).map((item) => String(item.name)));
      const scope: Scope = {
        ...globals,
        inputParameters: names(inputs.parameters),
        inputArtifacts: names(inputs.artifacts),
        outputParameters: names(outputs.parameters),
        outputArtifacts: names(outputs.artifacts),
        retried: t.json.retryStrategy !== undefined,
      };
      const { metrics, ...body } = t.json;
      forEachString(body, path, (p, text) => checkReferences(text, p, scope, report));
      // A template's metrics are computed when its node ends, and also see its outcome.
      forEachString(metrics, `${path}/metrics`, (p, text) => checkReferences(text, p, { ...scope, metricOf: true }, report));
    }
  }
}

interface Scope {
  readonly workflowParameters: ReadonlySet<string>;
  readonly globalOutputs: ReadonlySet<string>;
  readonly globalArtifacts: ReadonlySet<string>;
  readonly metadata: MetadataKeys;
  readonly inputParameters?: ReadonlySet<string>;
  readonly inputArtifacts?: ReadonlySet<string>;
  /** In a leaf template: its own outputs, whose paths it may name. */
  readonly outputParameters?: ReadonlySet<string>;
  readonly outputArtifacts?: ReadonlySet<string>;
  /** The template has a retryStrategy, so `retries` and `lastRetry.*` are defined. */
  readonly retried?: boolean;
  /** In a template's `metrics`: its node's outcome (`status`, `duration`, its output values) is defined. */
  readonly metricOf?: boolean;
  /** In a DAG task: the tasks upstream of it, and each task's template. */
  readonly upstream?: ReadonlySet<string>;
  readonly taskTemplates?: ReadonlyMap<string, Template>;
}

/** Variables Argo defines for every workflow. */
const WORKFLOW_VARIABLES =
  /^(workflow\.(name|namespace|uid|mainEntrypoint|serviceAccountName|creationTimestamp(\.\w+)?|duration|status|priority|failures|scheduledTime|parameters(\.json)?|annotations(\.json)?|labels(\.json)?)|pod\.name|node\.name|tasks\.name)$/;

/** What Argo records of every task, besides its outputs, for the tasks downstream of it. */
const TASK_ATTRIBUTES = /^tasks\.([^.]+)\.(id|startedAt|finishedAt|hostNodeName|status|exitCode|outputs\.result)$/;

function checkReferences(text: string, path: string, scope: Scope, report: Report): void {
  for (const match of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    const ref = match[1]!;
    const problem = resolveReference(ref, scope);
    if (problem) report(path, `{{${ref}}}: ${problem}`);
  }
}

/**
 * Why an expression (`{{=...}}`, expr-lang with Sprig's functions under `sprig`) does not resolve:
 * every variable it names must resolve as a plain reference would, and every function must be one
 * of Sprig's. `workflow.parameters['as-of']` is how an expression names a parameter with a hyphen.
 */
function resolveExpression(expression: string, scope: Scope): string | undefined {
  const plain = expression
    .replace(/\[\s*'([^']*)'\s*\]/g, ".$1")
    .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  for (const [chain] of plain.matchAll(/[A-Za-z_][\w-]*(?:\.[\w-]+)*/g)) {
    if (["true", "false", "nil", "and", "or", "not", "in"].includes(chain)) continue;
    if (/^sprig\.\w+$/.test(chain)) continue;
    const problem = resolveReference(chain, scope);
    if (problem) return `${chain} in the expression: ${problem}`;
  }
  return undefined;
}

/** Why `ref` does not resolve in `scope`, or undefined when it does. */
function resolveReference(ref: string, scope: Scope): string | undefined {
  if (ref.startsWith("=")) return resolveExpression(ref.slice(1), scope);
  if (WORKFLOW_VARIABLES.test(ref)) return undefined;
  let m = /^workflow\.parameters\.(.+)$/.exec(ref);
  if (m) return scope.workflowParameters.has(m[1]!) ? undefined : `the workflow declares no parameter "${m[1]}"`;
  m = /^workflow\.(annotations|labels)\.(.+)$/.exec(ref);
  if (m) return scope.metadata[m[1] as "annotations" | "labels"].has(m[2]!) ? undefined : `a run has no ${m[1] === "labels" ? "label" : "annotation"} "${m[2]}"`;
  m = /^(retries|lastRetry\.(exitCode|status|duration|message))$/.exec(ref);
  if (m) return scope.retried ? undefined : `{{${m[1]}}} is defined only in a template with a retryStrategy`;
  if (scope.metricOf) {
    if (/^(status|duration|exitCode|outputs\.result|resourcesDuration\.(cpu|memory))$/.test(ref)) return undefined;
    m = /^outputs\.parameters\.([^.]+)$/.exec(ref);
    if (m) return scope.outputParameters?.has(m[1]!) ? undefined : `the template declares no output parameter "${m[1]}"`;
  }
  m = /^outputs\.(parameters|artifacts)\.([^.]+)\.path$/.exec(ref);
  if (m) {
    const declared = m[1] === "parameters" ? scope.outputParameters : scope.outputArtifacts;
    return declared?.has(m[2]!) ? undefined : `the template declares no output ${m[1] === "parameters" ? "parameter" : "artifact"} "${m[2]}"`;
  }
  if (ref === "inputs.parameters") return scope.inputParameters && scope.inputParameters.size > 0 ? undefined : "the template declares no input parameters";
  m = TASK_ATTRIBUTES.exec(ref);
  if (m) {
    if (!scope.taskTemplates) return "a task's status can only be used inside a DAG";
    if (!scope.taskTemplates.has(m[1]!)) return `no task named "${m[1]}" in this DAG`;
    return scope.upstream?.has(m[1]!) ? undefined : `task "${m[1]}" is not upstream of this task (add it to dependencies)`;
  }
  m = /^workflow\.outputs\.parameters\.(.+)$/.exec(ref);
  if (m) return scope.globalOutputs.has(m[1]!) ? undefined : `no template exports a global output "${m[1]}"`;
  m = /^workflow\.outputs\.artifacts\.(.+)$/.exec(ref);
  if (m) return scope.globalArtifacts.has(m[1]!) ? undefined : `no template exports a global output artifact "${m[1]}"`;
  m = /^inputs\.parameters\.(.+)$/.exec(ref);
  if (m) return scope.inputParameters?.has(m[1]!) ? undefined : `the template declares no input parameter "${m[1]}"`;
  m = /^inputs\.artifacts\.([^.]+)\.path$/.exec(ref);
  if (m) return scope.inputArtifacts?.has(m[1]!) ? undefined : `the template declares no input artifact "${m[1]}"`;
  m = /^tasks\.([^.]+)\.outputs\.(artifacts|parameters)\.(.+)$/.exec(ref);
  if (m) {
    const [, task, kind, name] = m as unknown as [string, string, "artifacts" | "parameters", string];
    const template = scope.taskTemplates?.get(task);
    if (!scope.taskTemplates) return "a task output can only be used inside a DAG";
    if (!template) return `no task named "${task}" in this DAG`;
    if (!scope.upstream?.has(task)) return `task "${task}" is not upstream of this task (add it to dependencies)`;
    const declared = (((template.json.outputs as Json | undefined)?.[kind] as Json[] | undefined) ?? []).map((o) => String(o.name));
    return declared.includes(name) ? undefined : `template "${template.name}" declares no output ${kind === "artifacts" ? "artifact" : "parameter"} "${name}"`;
  }
  return "not a variable Argo defines here";
}

function lintDag(t: Template, path: string, byName: ReadonlyMap<string, Template>, globals: Scope, report: Report): void {
  const tasks = (((t.json.dag as Json).tasks as Json[] | undefined) ?? []).map((json, index) => ({ name: String(json.name), index, json }));
  const taskNames = new Set(tasks.map((task) => task.name));
  const taskTemplates = new Map<string, Template>();
  const dependsOn = new Map<string, string[]>();

  for (const task of tasks) {
    const taskPath = `${path}/dag/tasks/${task.index}`;
    const templateName = String(task.json.template);
    const template = byName.get(templateName);
    if (!template) report(`${taskPath}/template`, `no template named "${templateName}"`);
    else taskTemplates.set(task.name, template);
    const deps = dependenciesOf(task.json);
    deps.forEach((dep, i) => {
      if (!taskNames.has(dep)) report(`${taskPath}/${task.json.depends ? "depends" : `dependencies/${i}`}`, `no task named "${dep}" in this DAG`);
    });
    dependsOn.set(task.name, deps.filter((d) => taskNames.has(d)));
  }

  const cycle = findCycle(dependsOn);
  if (cycle) {
    const first = tasks.find((task) => task.name === cycle[0])!;
    report(`${path}/dag/tasks/${first.index}`, `the DAG has a cycle: ${cycle.join(" → ")}`);
    return; // upstream sets are meaningless in a cycle
  }

  for (const task of tasks) {
    const taskPath = `${path}/dag/tasks/${task.index}`;
    const scope: Scope = { ...globals, upstream: upstreamOf(task.name, dependsOn), taskTemplates };
    forEachString(task.json, taskPath, (p, text) => checkReferences(text, p, scope, report));
    const template = taskTemplates.get(task.name);
    if (template) lintTaskArguments(task.json, taskPath, template, UPSTREAM_ARTIFACT, report);
  }
}

const UPSTREAM_ARTIFACT = { pattern: /^\{\{tasks\.[^.{}]+\.outputs\.artifacts\.[^.{}]+\}\}$/, what: "an upstream task's output artifact" };
const GLOBAL_ARTIFACT = { pattern: /^\{\{workflow\.outputs\.artifacts\.[^.{}]+\}\}$/, what: "a global output artifact" };

/**
 * A steps template (the exit handler): each step names a template that exists and passes it only
 * what it declares; its references see the workflow's variables and global outputs, and an
 * artifact's `from` is a global output artifact (no step group here reads another's outputs).
 */
function lintSteps(t: Template, path: string, byName: ReadonlyMap<string, Template>, globals: Scope, report: Report): void {
  const groups = (t.json.steps as Json[][] | undefined) ?? [];
  groups.forEach((group, g) =>
    group.forEach((step, i) => {
      const stepPath = `${path}/steps/${g}/${i}`;
      forEachString(step, stepPath, (p, text) => checkReferences(text, p, globals, report));
      const template = byName.get(String(step.template));
      if (!template) report(`${stepPath}/template`, `no template named "${String(step.template)}"`);
      else lintTaskArguments(step, stepPath, template, GLOBAL_ARTIFACT, report);
    }),
  );
}

/** Every argument is a declared input of the template, and every required input is passed. */
function lintTaskArguments(task: Json, path: string, template: Template, from: { pattern: RegExp; what: string }, report: Report): void {
  const args = (task.arguments as Json | undefined) ?? {};
  const inputs = (template.json.inputs as Json | undefined) ?? {};
  ((args.artifacts as Json[] | undefined) ?? []).forEach((a, i) => {
    if (a.from !== undefined && !from.pattern.test(String(a.from))) {
      report(`${path}/arguments/artifacts/${i}/from`, `"${String(a.from)}" is not a reference to ${from.what}`);
    }
  });
  for (const kind of ["parameters", "artifacts"] as const) {
    const passed = ((args[kind] as Json[] | undefined) ?? []).map((a) => String(a.name));
    const declared = (inputs[kind] as Json[] | undefined) ?? [];
    passed.forEach((name, i) => {
      if (!declared.some((d) => d.name === name)) {
        report(`${path}/arguments/${kind}/${i}/name`, `template "${template.name}" declares no input ${kind === "parameters" ? "parameter" : "artifact"} "${name}"`);
      }
    });
    for (const input of declared) {
      const required = kind === "parameters" ? input.value === undefined && input.default === undefined && input.valueFrom === undefined : !input.optional && !input.raw && !input.from && !input.s3 && !input.http && !input.git;
      if (required && !passed.includes(String(input.name))) {
        report(`${path}/arguments/${kind}`, `template "${template.name}" needs input ${kind === "parameters" ? "parameter" : "artifact"} "${String(input.name)}", which this task does not pass`);
      }
    }
  }
}

function dependenciesOf(task: Json): string[] {
  if (Array.isArray(task.dependencies)) return task.dependencies.map(String);
  if (typeof task.depends === "string") {
    const names = task.depends
      .replace(/[()!&|]/g, " ")
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word.replace(/\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/, ""));
    return [...new Set(names)];
  }
  return [];
}

function upstreamOf(task: string, dependsOn: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const dep of dependsOn.get(name) ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(task);
  return seen;
}

/** The first cycle found, as the tasks along it (first repeated at the end), or undefined. */
export function findCycle(dependsOn: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of dependsOn.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of dependsOn.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

function lintCronWorkflow(o: KubeObject, manifests: readonly Manifest[], report: Report): void {
  const workflowSpec = (o.spec as Json).workflowSpec as Json;
  const ref = workflowSpec.workflowTemplateRef as Json | undefined;
  if (ref) {
    const exists = manifests.some(
      (m) => m.object.kind === "WorkflowTemplate" && m.object.metadata.name === ref.name && m.object.metadata.namespace === o.metadata.namespace,
    );
    if (!exists) report("/spec/workflowSpec/workflowTemplateRef/name", `no WorkflowTemplate "${String(ref.name)}" in namespace ${o.metadata.namespace} in dist/`);
  }
  if (workflowSpec.templates) lintWorkflowSpec(workflowSpec, "/spec/workflowSpec", workflowMetadataKeys(o), report);
}

// --- Pods and containers ---------------------------------------------------------------------

interface PodLike {
  /** The pod-level fields: securityContext, containers, volumes. */
  readonly spec: Json;
  readonly path: string;
}

/** Deployment pod templates, and each Argo container template as the pod it becomes. */
function podsOf(o: KubeObject): PodLike[] {
  if (o.kind === "Deployment") {
    return [{ spec: ((o.spec as Json).template as Json).spec as Json, path: "/spec/template/spec" }];
  }
  if (o.kind === "WorkflowTemplate") {
    const spec = o.spec as Json;
    return ((spec.templates as Json[] | undefined) ?? []).flatMap((t, i) =>
      t.container
        ? [
            {
              path: `/spec/templates/${i}`,
              spec: {
                securityContext: t.securityContext ?? spec.securityContext,
                containers: [t.container],
                initContainers: t.initContainers,
                volumes: [...((spec.volumes as Json[] | undefined) ?? []), ...((t.volumes as Json[] | undefined) ?? [])],
              },
            },
          ]
        : [],
    );
  }
  return [];
}

function lintPod(pod: Json, path: string, report: Report): void {
  const podSecurity = (pod.securityContext as Json | undefined) ?? {};
  for (const field of ["initContainers", "containers"] as const) {
    const containers = (pod[field] as Json[] | undefined) ?? [];
    containers.forEach((c, i) => {
      const cPath = path.includes("/templates/") && field === "containers" ? `${path}/container` : `${path}/${field}/${i}`;
      lintImage(String(c.image ?? ""), `${cPath}/image`, report);
      const resources = (c.resources as Json | undefined) ?? {};
      const requests = (resources.requests as Json | undefined) ?? {};
      const limits = (resources.limits as Json | undefined) ?? {};
      if (requests.cpu === undefined || requests.memory === undefined) report(`${cPath}/resources/requests`, "needs cpu and memory requests");
      if (limits.memory === undefined) report(`${cPath}/resources/limits`, "needs a memory limit");
      const security = (c.securityContext as Json | undefined) ?? {};
      const nonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
      const user = security.runAsUser ?? podSecurity.runAsUser;
      if (nonRoot !== true || user === 0) report(`${cPath}/securityContext`, "must run as non-root (runAsNonRoot: true, runAsUser not 0)");
      if (security.allowPrivilegeEscalation !== false) report(`${cPath}/securityContext/allowPrivilegeEscalation`, "must be false");
      ((c.env as Json[] | undefined) ?? []).forEach((e, j) => {
        if (/PASSWORD|SECRET|TOKEN|ACCESS_KEY/i.test(String(e.name)) && !/_FILE$/.test(String(e.name)) && e.value !== undefined) {
          report(`${cPath}/env/${j}/value`, `${String(e.name)} has a literal value; take it from a Secret`);
        }
      });
    });
  }
}

export function lintImage(image: string, path: string, report: Report): void {
  if (image.includes("@sha256:")) return;
  const lastPart = image.split("/").at(-1) ?? "";
  const tag = lastPart.includes(":") ? lastPart.slice(lastPart.indexOf(":") + 1) : "";
  if (tag === "") report(path, `image "${image}" has no tag; pin one`);
  else if (tag === "latest") report(path, `image "${image}" uses "latest"; pin a version`);
}

// --- References between objects --------------------------------------------------------------

function lintReferences(o: KubeObject, manifests: readonly Manifest[], report: Report): void {
  const find = (kind: string, name: unknown, namespace = o.metadata.namespace) =>
    manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name && (kind === "PersistentVolume" || m.object.metadata.namespace === namespace));

  if (o.kind === "PersistentVolumeClaim") {
    const spec = o.spec as Json;
    const volume = find("PersistentVolume", spec.volumeName);
    if (!volume) report("/spec/volumeName", `no PersistentVolume "${String(spec.volumeName)}" in dist/`);
    else if ((volume.object.spec as Json).storageClassName !== spec.storageClassName) {
      report("/spec/storageClassName", `differs from PersistentVolume ${String(spec.volumeName)}'s, so they will not bind`);
    }
  }
  for (const pod of podsOf(o)) {
    ((pod.spec.volumes as Json[] | undefined) ?? []).forEach((v, i) => {
      const claim = (v.persistentVolumeClaim as Json | undefined)?.claimName;
      if (claim !== undefined && !find("PersistentVolumeClaim", claim)) report(`${pod.path}/volumes/${i}`, `no PersistentVolumeClaim "${String(claim)}" in dist/`);
      const configMap = (v.configMap as Json | undefined)?.name;
      if (configMap !== undefined && !find("ConfigMap", configMap)) report(`${pod.path}/volumes/${i}`, `no ConfigMap "${String(configMap)}" in dist/`);
    });
  }
  const selects = (selector: Json | undefined) =>
    manifests.some((m) => {
      if (m.object.kind !== "Deployment" || m.object.metadata.namespace !== o.metadata.namespace) return false;
      const labels = ((((m.object.spec as Json).template as Json).metadata as Json).labels as Json | undefined) ?? {};
      return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
    });
  if (o.kind === "Service" && !selects((o.spec as Json).selector as Json)) report("/spec/selector", "selects no Deployment's pods in dist/");
  if (o.kind === "NetworkPolicy") {
    const matchLabels = ((o.spec as Json).podSelector as Json).matchLabels as Json | undefined;
    if (!selects(matchLabels)) report("/spec/podSelector", "selects no Deployment's pods in dist/");
  }
}

function forEachString(value: unknown, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === "string") visit(path, value);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, `${path}/${i}`, visit));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) forEachString(v, `${path}/${k}`, visit);
}

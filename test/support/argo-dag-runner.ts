/**
 * Runs a synthesized WorkflowTemplate's DAG on this machine, reading nothing but the YAML: the
 * way Argo would, minus Kubernetes. Argo has no way to run a workflow without a cluster (Argo
 * issue #794), so this executes what the template says, literally, and is the tests' one reading
 * of Argo's semantics; what runs a container (a child process, an image under buildah) is handed
 * in, as the kubelet is to Argo:
 *
 * - tasks start when every task in their `dependencies` has succeeded; a failed task's
 *   dependents are omitted and the run fails;
 * - each task gets a private root directory standing in for its pod's filesystem; input
 *   artifacts are placed at their declared paths under it (`from` an upstream task's output, or
 *   `raw` data), and output artifacts and output parameters are read back from theirs;
 * - parameters are substituted (`{{workflow.parameters.X}}`, `{{inputs.parameters.X}}`,
 *   `{{workflow.name}}`); a reference left unresolved is an error, as in Argo;
 * - the container is handed to the runtime as a kubelet gets it: image, `command` + `args`
 *   (artifact paths as declared), env, the effective user and group, and where on this machine
 *   each declared artifact file is;
 * - `retryStrategy` is honoured: `limit`, the `expression` (evaluated as Argo's expr would,
 *   support/argo-expr.ts), and the `backoff` duration and factor.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadManifests } from "../synth/support/manifests.ts";
import { argoWouldRetry } from "./argo-expr.ts";
import type { CliResult } from "./cli.ts";

type Json = Record<string, unknown>;

/** What one container attempt printed and how it exited: the same as any process the tests run. */
export type ProcessResult = CliResult;

/** One file a container reads or writes, in the container and on this machine. */
export interface FilePlacement {
  /** The input or output artifact's name, or the output parameter's. */
  readonly name: string;
  /** The path the template declares: where the container sees the file. */
  readonly path: string;
  /** Where the file is on this machine: prepared before the run (inputs), read after it (outputs). */
  readonly hostPath: string;
}

/** What a kubelet would be given to start one attempt of a task's container. */
export interface ContainerRun {
  readonly task: string;
  readonly template: string;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number;
  readonly image: string;
  /** The container's `command` followed by its `args`, parameters substituted; paths as declared. */
  readonly argv: readonly string[];
  /** The container's `env` entries that have a literal `value`. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * The user and group the container runs as: the container's `securityContext` over the pod's
   * (the template's, else the workflow's), as Kubernetes merges them; undefined: the image's.
   */
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  /** Input artifacts, already at their host paths. */
  readonly inputs: readonly FilePlacement[];
  /** Output artifacts and output parameters' files, expected at their host paths afterwards (folders exist). */
  readonly outputs: readonly FilePlacement[];
}

export interface DagRunOptions {
  /** The WorkflowTemplate object, as parsed from dist/. */
  readonly workflowTemplate: Json;
  /** Values for workflow parameters (as `argo submit -p`). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** ConfigMaps by name (from dist/), for parameters with `valueFrom.configMapKeyRef`. */
  readonly configMaps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Holds each task's stand-in pod filesystem. */
  readonly workDir: string;
  readonly workflowName: string;
  /** Runs one container attempt: the container runtime, which decides what `argv[0]` is and where the files are. */
  readonly run: (container: ContainerRun) => Promise<ProcessResult>;
  /** Waits out a retry back-off; tests record instead of sleeping. */
  readonly sleep: (ms: number) => Promise<void>;
}

export interface TaskOutcome {
  readonly name: string;
  readonly phase: "Succeeded" | "Failed" | "Omitted";
  readonly attempts: readonly ProcessResult[];
  readonly outputParameters: Readonly<Record<string, string>>;
  /** Output artifact name → the file on this machine. */
  readonly outputArtifacts: Readonly<Record<string, string>>;
}

export interface DagRunResult {
  readonly phase: "Succeeded" | "Failed";
  readonly tasks: readonly TaskOutcome[];
  /** Output parameters exported with `globalName`. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The WorkflowTemplate in dist/ and the ConfigMaps its parameters may read from, as `runDag` takes them. */
export function workflowInDist(name = "stock-rsi"): Pick<DagRunOptions, "workflowTemplate" | "configMaps"> {
  const manifests = loadManifests().map((m) => m.object);
  const workflowTemplate = manifests.find((o) => o.kind === "WorkflowTemplate" && o.metadata.name === name);
  if (!workflowTemplate) throw new Error(`dist/ holds no WorkflowTemplate ${name}: run \`npm run synth\``);
  const configMaps = Object.fromEntries(
    manifests.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]),
  );
  return { workflowTemplate, configMaps };
}

export async function runDag(options: DagRunOptions): Promise<DagRunResult> {
  const spec = options.workflowTemplate.spec as Json;
  const templates = new Map(((spec.templates as Json[]) ?? []).map((t) => [String(t.name), t]));
  const entry = templates.get(String(spec.entrypoint));
  if (!entry?.dag) throw new Error(`entrypoint ${String(spec.entrypoint)} is not a DAG template`);
  const workflowParameters = resolveWorkflowParameters(spec, options);
  const globals: Record<string, string> = {
    "workflow.name": options.workflowName,
    ...Object.fromEntries(Object.entries(workflowParameters).map(([k, v]) => [`workflow.parameters.${k}`, v])),
  };

  const tasks = ((entry.dag as Json).tasks as Json[]).map((t) => t);
  const outcomes = new Map<string, TaskOutcome>();
  const outputs: Record<string, string> = {};
  const pending = [...tasks];
  while (pending.length > 0) {
    const index = pending.findIndex((t) => dependenciesOf(t).every((d) => outcomes.has(d)));
    if (index < 0) throw new Error(`the DAG cannot progress: ${pending.map((t) => String(t.name)).join(", ")} wait on each other or on unknown tasks`);
    const task = pending.splice(index, 1)[0]!;
    const name = String(task.name);
    if (!dependenciesOf(task).every((d) => outcomes.get(d)!.phase === "Succeeded")) {
      outcomes.set(name, { name, phase: "Omitted", attempts: [], outputParameters: {}, outputArtifacts: {} });
      continue;
    }
    const template = templates.get(String(task.template));
    if (!template) throw new Error(`task ${name}: no template ${String(task.template)}`);
    const outcome = await runTask(name, task, template, { ...globals }, outcomes, options);
    outcomes.set(name, outcome);
    for (const p of ((template.outputs as Json | undefined)?.parameters as Json[] | undefined) ?? []) {
      if (p.globalName && outcome.outputParameters[String(p.name)] !== undefined) outputs[String(p.globalName)] = outcome.outputParameters[String(p.name)]!;
    }
  }
  const all = [...outcomes.values()];
  return { phase: all.every((t) => t.phase === "Succeeded") ? "Succeeded" : "Failed", tasks: all, outputs };
}

function resolveWorkflowParameters(spec: Json, options: DagRunOptions): Record<string, string> {
  const declared = (((spec.arguments as Json | undefined)?.parameters as Json[] | undefined) ?? []);
  const values: Record<string, string> = {};
  for (const p of declared) {
    const name = String(p.name);
    const given = options.parameters?.[name];
    if (given !== undefined) values[name] = given;
    else if (p.value !== undefined) values[name] = String(p.value);
    else if ((p.valueFrom as Json | undefined)?.configMapKeyRef) {
      const ref = (p.valueFrom as Json).configMapKeyRef as Json;
      const value = options.configMaps[String(ref.name)]?.[String(ref.key)];
      if (value === undefined) throw new Error(`parameter ${name}: ConfigMap ${String(ref.name)} has no key ${String(ref.key)}`);
      values[name] = value;
    } else throw new Error(`parameter ${name} has neither a value nor valueFrom`);
  }
  for (const name of Object.keys(options.parameters ?? {})) {
    if (!(name in values)) throw new Error(`-p ${name}: the WorkflowTemplate declares no such parameter`);
  }
  return values;
}

async function runTask(
  name: string,
  task: Json,
  template: Json,
  variables: Record<string, string>,
  upstream: ReadonlyMap<string, TaskOutcome>,
  options: DagRunOptions,
): Promise<TaskOutcome> {
  const root = join(options.workDir, name);
  const local = (containerPath: string) => join(root, containerPath);
  const args = (task.arguments as Json | undefined) ?? {};
  const inputs = (template.inputs as Json | undefined) ?? {};

  // Input parameters: the task's argument, else the template's default.
  for (const p of (inputs.parameters as Json[] | undefined) ?? []) {
    const passed = ((args.parameters as Json[] | undefined) ?? []).find((a) => a.name === p.name);
    const raw = passed?.value ?? p.value ?? p.default;
    if (raw === undefined) throw new Error(`task ${name}: input parameter ${String(p.name)} has no value`);
    variables[`inputs.parameters.${String(p.name)}`] = substitute(String(raw), variables, `task ${name}: parameter ${String(p.name)}`);
  }
  // Input artifacts, placed at their declared paths.
  const placedInputs: FilePlacement[] = [];
  for (const a of (inputs.artifacts as Json[] | undefined) ?? []) {
    const passed = ((args.artifacts as Json[] | undefined) ?? []).find((x) => x.name === a.name);
    const target = local(String(a.path));
    mkdirSync(dirname(target), { recursive: true });
    if (passed?.from) {
      const m = /^\{\{tasks\.([^.]+)\.outputs\.artifacts\.([^}]+)\}\}$/.exec(String(passed.from));
      const file = m ? upstream.get(m[1]!)?.outputArtifacts[m[2]!] : undefined;
      if (!file) throw new Error(`task ${name}: artifact ${String(a.name)}: ${String(passed.from)} does not resolve to an upstream output`);
      copyFileSync(file, target);
    } else if (passed?.raw) {
      writeFileSync(target, substitute(String((passed.raw as Json).data), variables, `task ${name}: artifact ${String(a.name)}`));
    } else throw new Error(`task ${name}: input artifact ${String(a.name)} is not passed`);
    placedInputs.push({ name: String(a.name), path: String(a.path), hostPath: target });
  }
  const outputs = (template.outputs as Json | undefined) ?? {};
  const expectedOutputs = [...((outputs.artifacts as Json[] | undefined) ?? []), ...((outputs.parameters as Json[] | undefined) ?? [])].map((o) => {
    const path = String(o.path ?? (o.valueFrom as Json | undefined)?.path);
    mkdirSync(dirname(local(path)), { recursive: true });
    return { name: String(o.name), path, hostPath: local(path) };
  });

  const container = template.container as Json | undefined;
  if (!container) throw new Error(`task ${name}: template ${String(template.name)} has no container; only container templates run here`);
  const argv = [...((container.command as string[]) ?? []), ...((container.args as string[]) ?? [])].map((word) =>
    substitute(word, variables, `task ${name}: container argv`),
  );
  const env = Object.fromEntries(((container.env as Json[] | undefined) ?? []).flatMap((e) => (e.value !== undefined ? [[String(e.name), String(e.value)]] : [])));
  const spec = options.workflowTemplate.spec as Json;
  const runAs = effectiveRunAs((template.securityContext ?? spec.securityContext) as Json | undefined, container.securityContext as Json | undefined);

  const retry = template.retryStrategy as Json | undefined;
  const attempts: ProcessResult[] = [];
  for (;;) {
    const result = await options.run({
      task: name,
      template: String(template.name),
      attempt: attempts.length + 1,
      image: String(container.image),
      argv,
      env,
      ...runAs,
      inputs: placedInputs,
      outputs: expectedOutputs,
    });
    attempts.push(result);
    if (result.code === 0 || !retry || !shouldRetry(retry, attempts.length, result.code)) break;
    await options.sleep(backoffMs(retry, attempts.length));
  }
  const last = attempts.at(-1)!;

  const outputArtifacts: Record<string, string> = {};
  for (const o of (outputs.artifacts as Json[] | undefined) ?? []) {
    const file = local(String(o.path));
    if (existsSync(file)) outputArtifacts[String(o.name)] = file;
    else if (last.code === 0 && !o.optional) {
      return { name, phase: "Failed", attempts, outputParameters: {}, outputArtifacts: {} };
    }
  }
  const outputParameters: Record<string, string> = {};
  for (const p of (outputs.parameters as Json[] | undefined) ?? []) {
    const from = p.valueFrom as Json;
    const file = local(String(from.path));
    if (existsSync(file)) outputParameters[String(p.name)] = readFileSync(file, "utf8");
    else if (from.default !== undefined) outputParameters[String(p.name)] = String(from.default);
  }
  return { name, phase: last.code === 0 ? "Succeeded" : "Failed", attempts, outputParameters, outputArtifacts };
}

/**
 * The user and group a container runs as. Argo gives the pod the template's `securityContext`,
 * else the workflow's, whole; Kubernetes then lets each field of the container's own
 * `securityContext` win over the pod's.
 */
function effectiveRunAs(pod: Json | undefined, container: Json | undefined): { runAsUser?: number; runAsGroup?: number } {
  const pick = (field: string) => {
    const value = container?.[field] ?? pod?.[field];
    return value === undefined ? {} : { [field]: Number(value) };
  };
  return { ...pick("runAsUser"), ...pick("runAsGroup") };
}

function dependenciesOf(task: Json): string[] {
  if (task.depends !== undefined) throw new Error(`task ${String(task.name)}: "depends" expressions are not supported here; use dependencies`);
  return ((task.dependencies as string[] | undefined) ?? []).map(String);
}

function substitute(text: string, variables: Readonly<Record<string, string>>, where: string): string {
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, ref: string) => {
    const value = variables[ref];
    if (value === undefined) throw new Error(`${where}: {{${ref}}} does not resolve`);
    return value;
  });
}

/**
 * Whether attempt number `attempt` (1-based), which exited `exitCode`, is followed by another.
 * Its container ran and exited non-zero, so Argo's node is Failed with the message
 * `main: Error (exit code N)` (`inferFailedReason`, workflow/controller/operator.go at v4.0.10),
 * and the expression is evaluated as Argo's expr would (support/argo-expr.ts).
 */
export function shouldRetry(retry: Json, attempt: number, exitCode: number): boolean {
  const limit = Number(retry.limit ?? 0);
  if (attempt > limit) return false;
  const policy = String(retry.retryPolicy ?? "OnFailure");
  // A container that ran and exited non-zero is a Failed node: Always and OnFailure retry it.
  if (policy !== "Always" && policy !== "OnFailure") return false;
  const last = { exitCode: String(exitCode), status: "Failed", message: `main: Error (exit code ${exitCode})`, attempts: attempt } as const;
  return retry.expression === undefined || argoWouldRetry(String(retry.expression), last);
}

/** The wait after attempt `attempt` (1-based): duration × factor^(attempt-1). */
export function backoffMs(retry: Json, attempt: number): number {
  const backoff = (retry.backoff as Json | undefined) ?? {};
  const duration = String(backoff.duration ?? "0");
  const m = /^(\d+)(s|m|h)?$/.exec(duration);
  if (!m) throw new Error(`retryStrategy.backoff.duration: cannot read "${duration}"`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "s" | "m" | "h"];
  return Number(m[1]) * unit * Number(backoff.factor ?? 1) ** (attempt - 1);
}

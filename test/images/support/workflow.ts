/**
 * What Argo would run for each step: the image, the exact argv (`command` + `args`), where each
 * artifact file sits inside the container, and where its inputs come from.
 *
 * The source is the synthesized WorkflowTemplate in `dist/*.k8s.yaml` when there is one, so the
 * images are proven against the manifests the user applies; otherwise the same argv is derived
 * from `steps/pipeline.ts` through `resolveArgs`, as the local runner does.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { executionOrder, pipeline, type StepDefinition, type StepName } from "../../../steps/pipeline.ts";
import { resolveArgs } from "../../../steps/run/executor.ts";
import { defaultConfig, imageFor } from "../../../synth/config.ts";
import { REPO_ROOT } from "../../support/cli.ts";

export interface ArtifactPlacement {
  readonly name: string;
  /** The file's path inside the container. */
  readonly path: string;
}

export interface InputPlacement extends ArtifactPlacement {
  readonly from: StepDefinition["inputs"][number]["from"];
}

export interface StepInvocation {
  readonly step: StepName;
  readonly image: string;
  /** `command` followed by `args`, every placeholder filled in. */
  readonly argv: readonly string[];
  readonly inputs: readonly InputPlacement[];
  /** Output artifacts and output parameters' files. */
  readonly outputs: readonly ArtifactPlacement[];
  readonly env: Readonly<Record<string, string>>;
  /** `uid:gid` the pod runs the container as; undefined: the image's USER. */
  readonly user?: string;
}

export interface RunValues {
  /** Workflow parameters by name; missing ones take the template's (or the definition's) default. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Replaces the `--db` value: the database is the test's, not the cluster's. */
  readonly db: string;
  readonly runId: string;
}

export interface Invocations {
  readonly source: string;
  readonly steps: readonly StepInvocation[];
}

/** From the WorkflowTemplate in dist/ when synthesized, else from steps/pipeline.ts. */
export function stepInvocations(values: RunValues): Invocations {
  const template = findWorkflowTemplate();
  if (template) return { source: template.file, steps: fromWorkflowTemplate(template.doc, values) };
  return { source: "steps/pipeline.ts (no WorkflowTemplate in dist/ yet)", steps: fromPipeline(values) };
}

function findWorkflowTemplate(): { file: string; doc: WorkflowTemplate } | undefined {
  const dist = join(REPO_ROOT, "dist");
  if (!existsSync(dist)) return undefined;
  for (const name of readdirSync(dist).filter((f) => f.endsWith(".k8s.yaml")).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dist, name), "utf8"))) {
      const value = doc.toJS() as { kind?: string } | null;
      if (value?.kind === "WorkflowTemplate") return { file: `dist/${name}`, doc: value as WorkflowTemplate };
    }
  }
  return undefined;
}

/** The same argv `stock-rsi run` gives each step, with the artifacts in /artifacts. */
function fromPipeline(values: RunValues): StepInvocation[] {
  const artifactsDir = "/artifacts";
  const symbolsPath = `${artifactsDir}/symbols.txt`;
  const plan = {
    artifactsDir,
    inputFiles: { symbols: symbolsPath },
    parameters: values.parameters,
    settings: { db: values.db, "run-id": values.runId },
  };
  return executionOrder(pipeline).map((step) => ({
    step: step.name,
    image: imageFor(step.name, defaultConfig),
    argv: ["stock-rsi", ...resolveArgs(pipeline, step, plan)],
    inputs: step.inputs.map((input) => ({
      name: input.name,
      path: "pipelineInput" in input.from ? symbolsPath : `${artifactsDir}/${input.file}`,
      from: input.from,
    })),
    outputs: [...step.outputs, ...step.outputParameters].map((o) => ({ name: o.name, path: `${artifactsDir}/${o.file}` })),
    env: {},
  }));
}

interface RunAs {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
}

interface WorkflowTemplate {
  readonly spec: {
    readonly arguments?: { readonly parameters?: ReadonlyArray<{ name: string; value?: string }> };
    readonly templates: ReadonlyArray<{
      readonly name: string;
      /** The pod's security context. */
      readonly securityContext?: RunAs;
      readonly container?: {
        readonly image: string;
        readonly command?: string[];
        readonly args?: string[];
        readonly env?: ReadonlyArray<{ name: string; value?: string }>;
        readonly securityContext?: RunAs;
      };
      readonly inputs?: { readonly artifacts?: ReadonlyArray<{ name: string; path: string }> };
      readonly outputs?: {
        readonly artifacts?: ReadonlyArray<{ name: string; path: string }>;
        readonly parameters?: ReadonlyArray<{ name: string; valueFrom?: { path?: string } }>;
      };
    }>;
  };
}

/**
 * Each step's container as the WorkflowTemplate declares it. A template is matched to its step
 * by name, or else by the subcommand its args start with; the inputs are wired as the pipeline
 * definition wires them (the template is rendered from it). Parameters are filled in from
 * `values`, then from the template's defaults; a placeholder left over fails the test, naming it.
 */
function fromWorkflowTemplate(doc: WorkflowTemplate, values: RunValues): StepInvocation[] {
  const defaults = new Map((doc.spec.arguments?.parameters ?? []).map((p) => [p.name, p.value ?? ""]));
  const fill = (word: string): string =>
    word
      .replace(/\{\{\s*(?:inputs|workflow)\.parameters\.([\w-]+)\s*\}\}/g, (_, name: string) => values.parameters[name] ?? defaults.get(name) ?? "")
      .replace(/\{\{\s*workflow\.(?:name|uid)\s*\}\}/g, values.runId);
  return executionOrder(pipeline).map((step) => {
    const template =
      doc.spec.templates.find((t) => t.name === step.name && t.container) ??
      doc.spec.templates.find((t) => t.container?.args?.[0] === step.args[0]);
    if (!template?.container) throw new Error(`WorkflowTemplate: no container template for step ${step.name}`);
    const argv = [...(template.container.command ?? []), ...(template.container.args ?? [])].map(fill);
    const dbAt = argv.indexOf("--db");
    if (dbAt >= 0) argv[dbAt + 1] = values.db;
    const leftOver = argv.filter((w) => w.includes("{{"));
    if (leftOver.length > 0) throw new Error(`WorkflowTemplate ${template.name}: placeholders this test cannot fill: ${leftOver.join(" ")}`);
    const inputs = (template.inputs?.artifacts ?? []).map((a) => {
      const wired = step.inputs.find((i) => i.name === a.name);
      if (!wired) throw new Error(`WorkflowTemplate ${template.name}: input artifact ${a.name} is not in steps/pipeline.ts`);
      return { name: a.name, path: a.path, from: wired.from };
    });
    const outputs = [
      ...(template.outputs?.artifacts ?? []).map((a) => ({ name: a.name, path: a.path })),
      ...(template.outputs?.parameters ?? []).flatMap((p) => (p.valueFrom?.path ? [{ name: p.name, path: p.valueFrom.path }] : [])),
    ];
    const env = Object.fromEntries((template.container.env ?? []).flatMap((e) => (e.value !== undefined ? [[e.name, e.value]] : [])));
    // The container's own setting wins over the pod's, as in Kubernetes.
    const uid = template.container.securityContext?.runAsUser ?? template.securityContext?.runAsUser;
    const gid = template.container.securityContext?.runAsGroup ?? template.securityContext?.runAsGroup ?? uid;
    const user = uid === undefined ? {} : { user: `${uid}:${gid}` };
    return { step: step.name, image: template.container.image, argv, inputs, outputs, env, ...user };
  });
}

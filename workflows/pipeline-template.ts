/**
 * The pipeline definition (`steps/pipeline.ts`) rendered as an Argo WorkflowTemplate: one DAG
 * task per step, each running that step's `stock-rsi` subcommand in that step's image, passing
 * the artifacts the definition declares. Nothing about a step is written here by hand: its
 * argv, inputs, outputs, output parameters and retry hint all come from the definition, so a
 * step or parameter added there appears here on the next `npm run synth`.
 *
 * How the definition's declarations become Argo (the argv itself comes from `stepArgv`, the
 * function the local runner uses too):
 * - a run parameter → `{{inputs.parameters.NAME}}`; the DAG task passes
 *   `{{workflow.parameters.NAME}}`, so `argo submit -p NAME=...` sets it;
 * - an input → the input artifact's path under `/tmp/stock-rsi/`; an upstream step's output
 *   arrives with `from: {{tasks.STEP.outputs.artifacts.NAME}}`, a pipeline input (the symbols
 *   file) as raw data from a workflow parameter;
 * - an output or output parameter → its path under `/tmp/stock-rsi/`;
 * - a setting → its value from the deployment (database URL, run id, ...), else its default.
 *   A setting may also bring what the pod needs to use it: the database brings the MySQL
 *   password (a mounted Secret file) and the label that lets the pod through MySQL's NetworkPolicy.
 */
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { ValueRefused } from "../steps/domain/values.ts";
import {
  executionOrder,
  exitStepArgv,
  parametersOf,
  resultFile,
  settingsOf,
  settingValues,
  sourceOf,
  stepArgv,
  upstreamOf,
  type ExitStepDefinition,
  type PipelineDefinition,
  type SettingValue,
  type StepDefinition,
  type StepName,
} from "../steps/pipeline.ts";
import type {
  Artifact,
  DAGTask,
  EnvVar,
  Parameter,
  Prometheus,
  ResourceRequirements,
  RetryStrategy,
  Template,
  Volume,
  VolumeMount,
  WorkflowSpec,
} from "./argo/types.ts";
import { argoObject } from "./argo-object.ts";
import { pullPolicyFor, RESTRICTED_CONTAINER } from "./containers.ts";
import { ARTIFACT_CLIENT_LABEL, componentLabels } from "./labels.ts";
import { retryExpression } from "./retry.ts";

/** Where a step's artifacts live inside its container: on the pod's writable `/tmp`. */
export const ARTIFACT_DIR = "/tmp/stock-rsi";

/** What a pod needs, besides its argv, to use a setting (e.g. the database's password file). */
export interface PodNeeds {
  readonly labels?: Readonly<Record<string, string>>;
  readonly env?: readonly EnvVar[];
  readonly volumes?: readonly Volume[];
  readonly volumeMounts?: readonly VolumeMount[];
}

export interface PipelineDeployment {
  /**
   * The account the pods run as. Its token goes to Argo's executor (the `init` and `wait`
   * containers) only; the step's own container gets none (workflow-identity.ts).
   */
  readonly serviceAccountName: string;
  /** The account Argo's artifact garbage collection pods run as (workflow-identity.ts). */
  readonly artifactGcServiceAccountName: string;
  /** Pipeline inputs (files) → the ConfigMap key holding each one's content. */
  readonly inputSources: Readonly<Record<string, { readonly configMap: string; readonly key: string }>>;
  /** Overrides of the definition's parameter defaults, by parameter name. */
  readonly parameterDefaults: Readonly<Record<string, string>>;
  /**
   * Values of the pipeline's settings (`steps/pipeline.ts`); a setting not given here takes its
   * definition's default, as in a local run, and a name the pipeline does not define fails synth.
   */
  readonly settings: Readonly<Record<string, SettingValue>>;
  /** What a pod gets when its step uses a setting. */
  readonly settingNeeds: Readonly<Record<string, PodNeeds>>;
  readonly imageFor: (step: StepName) => string;
  /** The numeric non-root user the step images run as. */
  readonly runAsUser: number;
  /** Annotations every run gets (its title and description in the Workflows list). */
  readonly runAnnotations?: Readonly<Record<string, string>>;
  /** Custom metrics: of the whole run, and of each step's node. */
  readonly metrics?: {
    readonly run: readonly Prometheus[];
    readonly steps: Readonly<Partial<Record<StepName, readonly Prometheus[]>>>;
  };
  /** The exit step's (notify's) node: where each run's report is linked from, and its metrics. */
  readonly exitStep?: {
    /** The Argo UI's base URL (`https://argo.example.com:2746`): a message links the run there; "" links nothing. */
    readonly argoUiUrl: string;
    readonly metrics?: readonly Prometheus[];
  };
}

/** Requests and limits of every step container: a Node process over a few hundred KB of JSON. */
export const STEP_RESOURCES: ResourceRequirements = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "1", memory: "512Mi" },
};

/**
 * How long one attempt of a step may run before Argo stops it. A step that talks to a service
 * (Yahoo, MySQL) may wait on it; a step that only computes finishes in seconds.
 */
export function attemptDeadlineSeconds(step: StepDefinition): number {
  return step.retry ? 15 * 60 : 5 * 60;
}

/**
 * A whole run may take at most an hour. The original program took 2-3 minutes; an hour leaves
 * room for every retry with its back-off, and still ends a stuck run long before the next day's.
 */
export const RUN_DEADLINE_SECONDS = 60 * 60;

/** Renders the definition into the `spec` of a WorkflowTemplate. */
export function renderPipelineSpec(definition: PipelineDefinition, deployment: PipelineDeployment): WorkflowSpec {
  checkParameterDefaults(definition, deployment);
  const steps = executionOrder(definition);
  return {
    entrypoint: definition.name,
    serviceAccountName: deployment.serviceAccountName,
    // The steps call no Kubernetes API: their containers get no token. Argo mounts this account's
    // token into its own init and wait containers instead (workflow-identity.ts).
    automountServiceAccountToken: false,
    executor: { serviceAccountName: deployment.serviceAccountName },
    // A run's artifacts are deleted with the run (the ttlStrategy and the CronWorkflow's history
    // limits delete runs), by pods Argo starts for that; they carry the label the artifact store
    // admits. Argo keeps a run whose artifacts it could not delete, with the condition
    // ArtifactGCError, rather than lose track of them (docs/walk-through/artifacts.md at v4.0.10).
    artifactGC: {
      strategy: "OnWorkflowDeletion",
      serviceAccountName: deployment.artifactGcServiceAccountName,
      podMetadata: { labels: { ...componentLabels("stock-rsi", "artifact-gc"), ...ARTIFACT_CLIENT_LABEL } },
    },
    arguments: { parameters: [...runParameters(definition, deployment), ...inputParameters(definition, deployment)] },
    // Every pod of a run may use the artifact store (its NetworkPolicy admits this label).
    podMetadata: { labels: { ...componentLabels("stock-rsi", "pipeline"), ...ARTIFACT_CLIENT_LABEL } },
    activeDeadlineSeconds: RUN_DEADLINE_SECONDS,
    // A succeeded run's pods are deleted an hour after it ends (time to read their logs); a failed
    // run keeps all of its pods, the succeeded upstream steps included, because a failure is often
    // explained upstream (validate fails because fetch lost too many symbols) and a deleted pod's
    // log is gone. The ttlStrategy below removes them with their workflow.
    podGC: { strategy: "OnWorkflowSuccess", deleteDelayDuration: "1h" },
    // No workflow lingers forever: a succeeded run is deleted after a week, a failed one after
    // two, with its pods. The CronWorkflow's history limits prune scheduled runs sooner.
    ttlStrategy: { secondsAfterSuccess: 7 * 24 * 3600, secondsAfterFailure: 14 * 24 * 3600 },
    ...(deployment.runAnnotations ? { workflowMetadata: { annotations: { ...deployment.runAnnotations } } } : {}),
    ...(deployment.metrics && deployment.metrics.run.length > 0 ? { metrics: { prometheus: [...deployment.metrics.run] } } : {}),
    ...(definition.onExit ? { onExit: EXIT_HANDLER } : {}),
    templates: [
      dagTemplate(definition, steps),
      ...steps.map((step) => stepTemplate(definition, step, deployment)),
      ...(definition.onExit ? exitHandlerTemplates(definition, definition.onExit, deployment) : []),
    ],
  };
}

/**
 * The run parameters, each with its default; a required one has none, so a submission without
 * it is refused before any pod starts (validate.go at Argo v4.0.10 wants a value or valueFrom for
 * every workflow parameter at submission).
 */
function runParameters(definition: PipelineDefinition, deployment: PipelineDeployment): Parameter[] {
  return definition.parameters.map((parameter) => {
    const value = deployment.parameterDefaults[parameter.name] ?? (parameter.required ? undefined : parameter.default);
    return { name: parameter.name, ...(value === undefined ? {} : { value }), description: parameter.description };
  });
}

/** A pipeline input file arrives as a workflow parameter whose default is a ConfigMap key. */
function inputParameters(definition: PipelineDefinition, deployment: PipelineDeployment): Parameter[] {
  return definition.inputs.map((input) => {
    const source = deployment.inputSources[input.name];
    if (!source) throw new Error(`pipeline input ${input.name} has no source; add it to inputSources`);
    return {
      name: input.name,
      valueFrom: { configMapKeyRef: { name: source.configMap, key: source.key } },
      description: `the content of ${input.file} (default: ConfigMap ${source.configMap}, key ${source.key})`,
    };
  });
}

/**
 * A deployment's parameter defaults are checked by the parsers the steps' flags use, so a default
 * every run would refuse at its first step fails `npm run synth` instead. (A value given with
 * `argo submit -p` reaches the step's flag as it is written and is refused there, before any work.)
 */
function checkParameterDefaults(definition: PipelineDefinition, deployment: PipelineDeployment): void {
  const known = new Map(definition.parameters.map((p) => [p.name, p]));
  for (const [name, value] of Object.entries(deployment.parameterDefaults)) {
    const parameter = known.get(name);
    if (!parameter) {
      throw new Error(`deployment config: parameters.${name} is not a pipeline parameter; known: ${[...known.keys()].join(", ")}`);
    }
    try {
      parameter.parse(value);
    } catch (err) {
      if (!(err instanceof ValueRefused)) throw err;
      throw new Error(`deployment config: parameters.${name}: ${err.message}`);
    }
  }
}

/** The DAG: one task per step, each waiting for the steps it reads from. */
function dagTemplate(definition: PipelineDefinition, steps: readonly StepDefinition[]): Template {
  return {
    name: definition.name,
    dag: { tasks: steps.map((step) => dagTask(definition, step)) },
  };
}

function dagTask(definition: PipelineDefinition, step: StepDefinition): DAGTask {
  const upstream = upstreamOf(step);
  const parameters = parametersOf(definition, step).map(({ name }) => ({ name, value: `{{workflow.parameters.${name}}}` }));
  const artifacts: Artifact[] = step.inputs.map((input) =>
    "step" in input.from
      ? { name: input.name, from: `{{tasks.${input.from.step}.outputs.artifacts.${input.from.output}}}` }
      : { name: input.name, raw: { data: `{{workflow.parameters.${input.from.pipelineInput}}}` } },
  );
  return {
    name: step.name,
    template: step.name,
    ...(upstream.length > 0 ? { dependencies: upstream } : {}),
    arguments: {
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(artifacts.length > 0 ? { artifacts } : {}),
    },
  };
}

function stepTemplate(definition: PipelineDefinition, step: StepDefinition, deployment: PipelineDeployment): Template {
  const parameters = parametersOf(definition, step).map((p) => p.name);
  const settings = settingValues(definition, deployment.settings, "deployment config: settings");
  const needs = settingsOf(definition, step).flatMap((setting) => {
    const need = deployment.settingNeeds[setting.name];
    return need ? [need] : [];
  });
  const retry = retryStrategy(step);
  return {
    name: step.name,
    metadata: { labels: Object.assign(componentLabels("stock-rsi", step.name), ...needs.map((n) => n.labels ?? {})) },
    inputs: {
      ...(parameters.length > 0 ? { parameters: parameters.map((name) => ({ name })) } : {}),
      ...(step.inputs.length > 0
        ? { artifacts: step.inputs.map((input) => ({ name: input.name, path: artifactPath(sourceOf(definition, input).file.file) })) }
        : {}),
    },
    outputs: {
      ...(step.outputs.length > 0
        ? // Not archived: the UI shows a plain JSON file (and links it), a .tgz it cannot. An
          // artifact the exit step reads is also the workflow's, under its own name.
          {
            artifacts: step.outputs.map((o) => ({
              name: o.name,
              path: artifactPath(o.file),
              archive: { none: {} },
              ...(readByExitStep(definition, step.name, o.name) ? { globalName: o.name } : {}),
            })),
          }
        : {}),
      ...(step.outputParameters.length > 0
        ? {
            parameters: step.outputParameters.map((o) => ({
              name: o.name,
              description: o.description,
              // Shown on the step's node and, through globalName, on the workflow itself.
              globalName: o.name,
              valueFrom: { path: artifactPath(o.file), default: "" },
            })),
          }
        : {}),
    },
    ...(retry ? { retryStrategy: retry } : {}),
    ...(deployment.metrics?.steps[step.name] ? { metrics: { prometheus: [...deployment.metrics.steps[step.name]!] } } : {}),
    activeDeadlineSeconds: attemptDeadlineSeconds(step),
    // The argv after `stock-rsi`, derived from the step's declarations as in a local run.
    ...podOf(
      deployment,
      needs,
      deployment.imageFor(step.image ?? step.name),
      stepArgv(definition, step, {
        parameter: (parameter) => `{{inputs.parameters.${parameter.name}}}`,
        setting: (setting) => settings[setting.name]!,
        input: (input) => artifactPath(sourceOf(definition, input).file.file),
        output: (output) => artifactPath(output.file),
      }),
    ),
  };
}

/** Whether the exit step reads a step's output: it then reaches the exit handler as a global output. */
function readByExitStep(definition: PipelineDefinition, step: StepName, output: string): boolean {
  return definition.onExit?.results.some((r) => r.from.step === step && r.from.output === output) ?? false;
}

/** The workflow's exit handler: the template `spec.onExit` names. */
export const EXIT_HANDLER = "on-exit";

/**
 * The exit step as Argo's exit handler, which runs when the DAG has ended, whatever its outcome:
 * a steps template (`on-exit`) calling the exit step's container template once.
 *
 * - The step is told how the run ended by Argo itself: `{{workflow.status}}` and
 *   `{{workflow.failures}}`, set before the exit handler starts (operator.go).
 * - It reads the steps' results as global outputs (`globalName`): each output parameter as a file
 *   (raw data `{{workflow.outputs.parameters.NAME}}`, which arrives unresolved, as the reference
 *   itself, when the step never ran; notify then leaves it out), and the report, an artifact,
 *   `from: {{workflow.outputs.artifacts.report}}` with `optional: true`, so a run that never got to
 *   persist still notifies.
 * - Its failure must not fail the run. In Argo v4, a workflow whose DAG succeeded is marked Failed
 *   (or Error) when its exit handler's node fails or errors (workflow/controller/operator.go at
 *   v4.0.10, `operate`: "if main workflow succeeded, but the exit node was unsuccessful the
 *   workflow is now considered unsuccessful"). The call therefore continues on failure and error
 *   (`continueOn`): the steps node succeeds whatever notify exits, and a channel that is down
 *   leaves a successful run Succeeded. The notify node itself still shows red, with its one line.
 */
function exitHandlerTemplates(definition: PipelineDefinition, exit: ExitStepDefinition, deployment: PipelineDeployment): Template[] {
  const results = exit.results.map((result) => {
    const file = resultFile(definition, result);
    const producer = definition.steps.find((s) => s.name === result.from.step)!;
    return { result, file, artifact: producer.outputs.includes(file) };
  });
  const parameters = parametersOf(definition, exit).map((p) => p.name);
  const handler: Template = {
    name: EXIT_HANDLER,
    steps: [
      [
        {
          name: exit.name,
          template: exit.name,
          continueOn: { failed: true, error: true },
          arguments: {
            ...(parameters.length > 0 ? { parameters: parameters.map((name) => ({ name, value: `{{workflow.parameters.${name}}}` })) } : {}),
            artifacts: results.map(({ file, artifact }) =>
              artifact
                ? { name: file.name, from: `{{workflow.outputs.artifacts.${file.name}}}`, optional: true }
                : { name: file.name, raw: { data: `{{workflow.outputs.parameters.${file.name}}}` } },
            ),
          },
        },
      ],
    ],
  };
  const settings = settingValues(definition, deployment.settings, "deployment config: settings");
  const needs = settingsOf(definition, exit).flatMap((setting) => {
    const need = deployment.settingNeeds[setting.name];
    return need ? [need] : [];
  });
  const base = deployment.exitStep?.argoUiUrl.replace(/\/+$/, "") ?? "";
  const metrics = deployment.exitStep?.metrics ?? [];
  const notify: Template = {
    name: exit.name,
    metadata: { labels: Object.assign(componentLabels("stock-rsi", exit.name), ...needs.map((n) => n.labels ?? {})) },
    inputs: {
      ...(parameters.length > 0 ? { parameters: parameters.map((name) => ({ name })) } : {}),
      artifacts: results.map(({ file, artifact }) => ({ name: file.name, path: artifactPath(file.file), ...(artifact ? { optional: true } : {}) })),
    },
    outputs: {
      parameters: exit.outputParameters.map((o) => ({
        name: o.name,
        description: o.description,
        // A notify that ended before writing its count (a bug) counts as one undelivered message.
        valueFrom: { path: artifactPath(o.file), default: "1" },
      })),
    },
    ...(metrics.length > 0 ? { metrics: { prometheus: [...metrics] } } : {}),
    // Each channel has --notify-deadline-seconds (30 s) at most; this is for a pod that never gets that far.
    activeDeadlineSeconds: 5 * 60,
    ...podOf(deployment, needs, deployment.imageFor(exit.image), exitStepArgv(definition, {
      outcome: (what) =>
        what === "status" ? "{{workflow.status}}" : what === "failures" ? "{{workflow.failures}}" : base === "" ? "" : `${base}/workflows/{{workflow.namespace}}/{{workflow.name}}`,
      result: (_result, file) => artifactPath(file.file),
      output: (output) => artifactPath(output.file),
      parameter: (parameter) => `{{inputs.parameters.${parameter.name}}}`,
      setting: (setting) => settings[setting.name]!,
    })),
  };
  return [handler, notify];
}

/** What a step's pod is, besides its inputs and outputs: the user it runs as, its volumes, its one container. */
function podOf(deployment: PipelineDeployment, needs: readonly PodNeeds[], image: string, args: string[]): Pick<Template, "securityContext" | "volumes" | "container"> {
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: deployment.runAsUser,
      runAsGroup: deployment.runAsUser,
      // Secret files (the MySQL password) are mounted group-readable for this group.
      fsGroup: deployment.runAsUser,
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...needs.flatMap((n) => n.volumes ?? [])],
    container: {
      name: "main",
      image,
      imagePullPolicy: pullPolicyFor(image),
      command: ["stock-rsi"],
      args,
      ...(needs.some((n) => n.env) ? { env: needs.flatMap((n) => n.env ?? []) } : {}),
      resources: STEP_RESOURCES,
      securityContext: RESTRICTED_CONTAINER,
      // When a step fails, the end of its log (its one-line `stock-rsi: ...` reason last) becomes
      // the node's message in the Argo UI.
      terminationMessagePolicy: "FallbackToLogsOnError",
      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...needs.flatMap((n) => n.volumeMounts ?? [])],
    },
  };
}

/**
 * The definition's retry hint as an Argo retryStrategy: another attempt when the step said a
 * service was away (exit 3) or its pod was taken from it (evicted, drained, preempted, its node
 * shut down), never for anything else; `retry.ts` says how each is recognised. `retryPolicy:
 * Always` hands every failed attempt to the expression, which alone decides. Waits double from
 * the hint's back-off: for fetch 30 s then 60 s.
 */
export function retryStrategy(step: StepDefinition): RetryStrategy | undefined {
  if (!step.retry) return undefined;
  return {
    limit: String(step.retry.limit),
    retryPolicy: "Always",
    expression: retryExpression(),
    backoff: { duration: `${step.retry.backoffSeconds}s`, factor: "2" },
  };
}

export function artifactPath(file: string): string {
  return `${ARTIFACT_DIR}/${file}`;
}

export interface PipelineTemplateProps {
  /** The template's title in the UI's list of templates (markdown). */
  readonly title: string;
  /** Where a run's outcome is to be seen, the last line of the template's description (markdown). */
  readonly outcome: string;
  readonly namespace: string;
  readonly definition: PipelineDefinition;
  readonly deployment: Omit<PipelineDeployment, "inputSources">;
  /** The content of each pipeline input file (the symbols list), kept in a ConfigMap. */
  readonly inputFiles: Readonly<Record<string, string>>;
}

/**
 * The pipeline as Argo runs it: the WorkflowTemplate rendered from the definition, and the
 * ConfigMap holding its input files (the user's symbols list), which the template's parameters
 * default to. `argo submit --from workflowtemplate/stock-rsi -p symbols="$(cat my-list)"` runs
 * another list once.
 */
export class PipelineTemplate extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: PipelineTemplateProps) {
    super(scope, id);
    const { namespace, definition } = props;
    this.name = definition.name;
    const inputsConfigMap = `${definition.name}-inputs`;

    new kplus.ConfigMap(this, "inputs", {
      metadata: {
        name: inputsConfigMap,
        namespace,
        // Argo reads parameter values only from ConfigMaps labelled as parameter stores.
        labels: { ...componentLabels(inputsConfigMap, "pipeline"), "workflows.argoproj.io/configmap-type": "Parameter" },
      },
      data: { ...props.inputFiles },
    });

    const inputSources = Object.fromEntries(definition.inputs.map((input) => [input.name, { configMap: inputsConfigMap, key: input.name }]));
    for (const input of definition.inputs) {
      if (props.inputFiles[input.name] === undefined) throw new Error(`pipeline input ${input.name}: no file content given`);
    }

    argoObject(this, "workflow-template", {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "WorkflowTemplate",
      metadata: {
        name: definition.name,
        namespace,
        labels: componentLabels(definition.name, "pipeline"),
        annotations: {
          "workflows.argoproj.io/title": props.title,
          "workflows.argoproj.io/description": [
            definition.steps.map((s) => `**${s.name}**`).join(" → "),
            "",
            ...definition.steps.map((s) => `- **${s.name}**: ${s.summary}`),
            "",
            props.outcome,
          ].join("\n"),
        },
      },
      spec: renderPipelineSpec(definition, { ...props.deployment, inputSources }),
    });
  }
}

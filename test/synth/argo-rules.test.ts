/* eslint-disable @typescript-eslint/no-explicit-any -- negative tests break parsed YAML at arbitrary depth */
/**
 * The rules of Argo's controller (support/argo-rules.ts) and the API server's rule for names,
 * through the lint over dist/: each rule refuses one mistake in an otherwise unchanged dist/, and
 * says nothing else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { formatLint, lintManifests } from "./support/lint.ts";
import { cloneManifests, loadManifests, type Manifest } from "./support/manifests.ts";

let manifests: Manifest[];
beforeAll(() => {
  manifests = loadManifests();
});

const PIPELINE = "dist/0003-pipeline.k8s.yaml";
const WT = `${PIPELINE}: WorkflowTemplate stock-rsi`;
const CRON = `${PIPELINE}: CronWorkflow stock-rsi-daily`;

type Json = Record<string, any>;

function object(objects: readonly Manifest[], kind: string, name?: string): Json {
  const m = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name));
  if (!m) throw new Error(`no ${kind} ${name ?? ""} in dist/`);
  return m.object as Json;
}
const workflowTemplate = (objects: readonly Manifest[]) => object(objects, "WorkflowTemplate");
const cronWorkflow = (objects: readonly Manifest[]) => object(objects, "CronWorkflow");

/** A template of the WorkflowTemplate, with the JSON path the lint names it by. */
function template(objects: readonly Manifest[], name: string): { t: Json; path: string } {
  const templates = workflowTemplate(objects).spec.templates as Json[];
  const index = templates.findIndex((t) => t.name === name);
  if (index < 0) throw new Error(`no template ${name}`);
  return { t: templates[index]!, path: `/spec/templates/${index}` };
}

/** A task of the pipeline's DAG (the entrypoint), with its JSON path. */
function task(objects: readonly Manifest[], name: string): { t: Json; path: string } {
  const dag = template(objects, "stock-rsi");
  const index = (dag.t.dag.tasks as Json[]).findIndex((t) => t.name === name);
  if (index < 0) throw new Error(`no task ${name}`);
  return { t: dag.t.dag.tasks[index], path: `${dag.path}/dag/tasks/${index}` };
}

/** Breaks a copy of dist/ and returns the findings the lint must report, exactly. */
type Case = readonly [behaviour: string, breakIt: (broken: Manifest[]) => string[]];

function expectOnly(breakIt: Case[1]): void {
  const broken = cloneManifests(manifests);
  const expected = breakIt(broken);
  expect(lintManifests(broken).map(formatLint)).toEqual(expected);
}

describe("the lint over dist/", () => {
  it("finds nothing wrong with the Argo objects by the controller's rules", () => {
    expect(lintManifests(manifests).map(formatLint)).toEqual([]);
  });
});

describe("names and lengths", () => {
  it.each<Case>([
    [
      "a WorkflowTemplate name over 63 characters",
      (b) => {
        const name = `stock-rsi-${"x".repeat(54)}`;
        workflowTemplate(b).metadata.name = name;
        cronWorkflow(b).spec.workflowSpec.workflowTemplateRef.name = name;
        return [`${PIPELINE}: WorkflowTemplate ${name}: /metadata/name: "${name}" is 64 characters; a WorkflowTemplate's name may have at most 63`];
      },
    ],
    [
      "a CronWorkflow name over 52 characters (its runs add a 10-digit time)",
      (b) => {
        const name = `stock-rsi-daily-${"x".repeat(37)}`;
        cronWorkflow(b).metadata.name = name;
        return [`${PIPELINE}: CronWorkflow ${name}: /metadata/name: "${name}" is 53 characters; a CronWorkflow's (its runs add a 10-digit time) name may have at most 52`];
      },
    ],
    [
      "an object name the API server refuses (uppercase; a dot in a Service's)",
      (b) => {
        object(b, "Role").metadata.name = "Stock-RSI-Workflow";
        object(b, "Service", "mysql").metadata.name = "mysql.db";
        return [
          'dist/0001-mysql.k8s.yaml: Service mysql.db: /metadata/name: "mysql.db" is not a DNS-1123 label (at most 63 characters: lowercase alphanumerics and \'-\', starting and ending alphanumeric)',
          `${PIPELINE}: Role Stock-RSI-Workflow: /metadata/name: "Stock-RSI-Workflow" is not a DNS-1123 subdomain (at most 253 characters, dot-separated labels: lowercase alphanumerics and '-', starting and ending alphanumeric)`,
        ];
      },
    ],
    [
      "a template name with a character Argo refuses",
      (b) => {
        const { t, path } = template(b, "persist");
        t.name = "persist_db";
        task(b, "persist").t.template = "persist_db";
        return [`${WT}: ${path}/name: "persist_db" is not a valid template name: alphanumerics or '-', starting with an alphanumeric`];
      },
    ],
    [
      "an uppercase name on a template that runs a pod (pod names are lowercase)",
      (b) => {
        const { t, path } = template(b, "persist");
        t.name = "Persist";
        task(b, "persist").t.template = "Persist";
        return [`${WT}: ${path}/name: "Persist" becomes part of this template's pod names, which Kubernetes requires lowercase`];
      },
    ],
    [
      "a second template of the same name",
      (b) => {
        const templates = workflowTemplate(b).spec.templates as Json[];
        templates.push(structuredClone(template(b, "fetch").t));
        return [`${WT}: /spec/templates/${templates.length - 1}/name: a second template named "fetch"`];
      },
    ],
    [
      "a task name with a character Argo refuses",
      (b) => {
        const { t, path } = task(b, "persist");
        t.name = "persist.db";
        return [`${WT}: ${path}/name: "persist.db" is not a valid task name: alphanumerics or '-', starting with an alphanumeric`];
      },
    ],
    [
      "a task name starting with a digit in a DAG with dependencies",
      (b) => {
        const { t, path } = task(b, "persist");
        t.name = "4-persist";
        return [`${WT}: ${path}/name: "4-persist" cannot begin with a digit when the dag uses depends or dependencies`];
      },
    ],
    [
      "a workflow parameter name with a character Argo refuses",
      (b) => {
        const parameters = workflowTemplate(b).spec.arguments.parameters as Json[];
        parameters.push({ name: "run.note", value: "" });
        return [`${WT}: /spec/arguments/parameters/${parameters.length - 1}/name: "run.note" is not a valid parameter name: alphanumerics, '_' or '-'`];
      },
    ],
    [
      "a second input parameter of the same name",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.inputs.parameters.push({ name: "source" });
        return [`${WT}: ${path}/inputs/parameters/${t.inputs.parameters.length - 1}/name: a second parameter named "source"`];
      },
    ],
    [
      "an output artifact name with a space",
      (b) => {
        const { t, path } = template(b, "persist");
        // Renamed, still exported under its global name (the exit handler reads it).
        t.outputs.artifacts[0].name = "ranking file";
        return [`${WT}: ${path}/outputs/artifacts/0/name: "ranking file" is not a valid artifact name: alphanumerics, '_' or '-'`];
      },
    ],
    [
      "an output parameter's global name with a space",
      (b) => {
        const { t, path } = template(b, "validate");
        // ranked-count: a global output nothing else reads (the exit handler reads failed-symbols).
        t.outputs.parameters[1].globalName = "failed symbols";
        return [`${WT}: ${path}/outputs/parameters/1/globalName: "failed symbols": a global name consists of alphanumerics, '_' or '-'`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("the workflow", () => {
  it("refuses switching the pods' token off without an account for Argo's executor", () => {
    expectOnly((b) => {
      delete workflowTemplate(b).spec.executor;
      return [`${WT}: /spec/executor/serviceAccountName: must not be empty if automountServiceAccountToken is false (Argo refuses every pod otherwise)`];
    });
  });
});

describe("templates", () => {
  it.each<Case>([
    [
      "a template with no type",
      (b) => {
        const templates = workflowTemplate(b).spec.templates as Json[];
        templates.push({ name: "idle" });
        return [`${WT}: /spec/templates/${templates.length - 1}: template type unspecified: give one of container, containerSet, steps, script, resource, dag, suspend, data, http, plugin`];
      },
    ],
    [
      "a template with two types",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.script = { image: t.container.image, source: "true" };
        return [`${WT}: ${path}: several template types (container, script): give one`];
      },
    ],
    [
      "activeDeadlineSeconds on the DAG",
      (b) => {
        const { t, path } = template(b, "stock-rsi");
        t.activeDeadlineSeconds = 600;
        return [`${WT}: ${path}/activeDeadlineSeconds: is only valid for leaf templates (container, script, ...)`];
      },
    ],
    [
      "an attempt deadline that is not a whole number of seconds",
      (b) => {
        template(b, "fetch").t.activeDeadlineSeconds = "15m";
        template(b, "persist").t.activeDeadlineSeconds = -1;
        return [
          `${WT}: ${template(b, "fetch").path}/activeDeadlineSeconds: "15m": must be a whole number ≥ 0 or an argo variable`,
          `${WT}: ${template(b, "persist").path}/activeDeadlineSeconds: -1: must be a whole number ≥ 0 or an argo variable`,
        ];
      },
    ],
    [
      "parallelism on a container template",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.parallelism = 2;
        return [`${WT}: ${path}/parallelism: is only valid for steps and dag templates`];
      },
    ],
    [
      "a timeout that is a bare number",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.timeout = "600";
        return [`${WT}: ${path}/timeout: "600" is a bare number; give a duration (e.g. 600s)`];
      },
    ],
    [
      "a container without an image",
      (b) => {
        const { t, path } = template(b, "compute-rsi");
        t.container.image = "";
        return [`${WT}: ${path}/container/image: may not be empty`, `${WT}: ${path}/container/image: image "" has no tag; pin one`];
      },
    ],
    [
      "two volumes mounted at one path",
      (b) => {
        const { t, path } = template(b, "persist");
        t.container.volumeMounts.push({ name: "mysql-password", mountPath: "/tmp" });
        return [`${WT}: ${path}/container/volumeMounts/${t.container.volumeMounts.length - 1}/mountPath: "/tmp" is already mounted by volume tmp`];
      },
    ],
    [
      "an input artifact placed where a volume is mounted",
      (b) => {
        const { t, path } = template(b, "compute-rsi");
        t.inputs.artifacts[0].path = "/tmp";
        return [`${WT}: ${path}/inputs/artifacts/0/path: "/tmp" is already mounted by volume tmp`];
      },
    ],
    [
      "`from` on a template's input artifact (a task passes it)",
      (b) => {
        const { t, path } = template(b, "compute-rsi");
        t.inputs.artifacts[0].from = "{{tasks.fetch.outputs.artifacts.prices}}";
        return [
          `${WT}: ${path}/inputs/artifacts/0/from: {{tasks.fetch.outputs.artifacts.prices}}: a task output can only be used inside a DAG`,
          `${WT}: ${path}/inputs/artifacts/0/from: is not valid in inputs (a task passes it in its arguments)`,
        ];
      },
    ],
    [
      "an artifact of a container template without a path, or escaping with ..",
      (b) => {
        const { t, path } = template(b, "compute-rsi");
        delete t.inputs.artifacts[0].path;
        t.outputs.artifacts[0].path = "/tmp/stock-rsi/../rsi.json";
        return [`${WT}: ${path}/inputs/artifacts/0/path: is required in a leaf template`, `${WT}: ${path}/outputs/artifacts/0/path: "/tmp/stock-rsi/../rsi.json" contains '..'; Argo refuses directory traversal`];
      },
    ],
    [
      "an output parameter with both a value and valueFrom",
      (b) => {
        const { t, path } = template(b, "persist");
        t.outputs.parameters[0].value = "";
        return [`${WT}: ${path}/outputs/parameters/0: has both value and valueFrom; choose one`];
      },
    ],
    [
      "a container's output parameter read from somewhere other than a path",
      (b) => {
        const { t, path } = template(b, "persist");
        t.outputs.parameters[0].valueFrom = { expression: "'x'", default: "" };
        return [`${WT}: ${path}/outputs/parameters/0/valueFrom/path: must be given for container templates`];
      },
    ],
    [
      "an output parameter with two sources",
      (b) => {
        const { t, path } = template(b, "persist");
        t.outputs.parameters[0].valueFrom.jsonPath = "{.status}";
        return [`${WT}: ${path}/outputs/parameters/0/valueFrom: names several sources (path, jsonPath); choose one`];
      },
    ],
    [
      "an init container without a name",
      (b) => {
        const { t, path } = template(b, "fetch");
        const { image, resources, securityContext } = t.container;
        t.initContainers = [{ image, resources, securityContext, command: ["true"] }];
        return [`${WT}: ${path}/initContainers/0/name: is required`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("DAGs", () => {
  it.each<Case>([
    [
      "a DAG without tasks",
      (b) => {
        const { t, path } = template(b, "stock-rsi");
        t.dag.tasks = [];
        return [`${WT}: ${path}/dag/tasks: a dag must have at least one task`];
      },
    ],
    [
      "depends mixed with dependencies",
      (b) => {
        const compute = task(b, "compute-rsi").t;
        delete compute.dependencies;
        compute.depends = "fetch";
        return [
          `${WT}: ${task(b, "validate").path}/dependencies: cannot be used with depends in the same dag`,
          `${WT}: ${task(b, "persist").path}/dependencies: cannot be used with depends in the same dag`,
        ];
      },
    ],
    [
      "continueOn with depends",
      (b) => {
        for (const t of template(b, "stock-rsi").t.dag.tasks as Json[]) {
          if (t.dependencies) t.depends = (t.dependencies as string[]).join(" && ");
          delete t.dependencies;
        }
        const { t, path } = task(b, "persist");
        t.continueOn = { failed: true };
        return [`${WT}: ${path}/continueOn: cannot be used with depends; use 'TASK.Failed' or 'TASK.Errored' in depends`];
      },
    ],
    [
      "a task naming both a template and a templateRef",
      (b) => {
        const { t, path } = task(b, "persist");
        t.templateRef = { name: "stock-rsi", template: "persist" };
        return [`${WT}: ${path}/template: cannot be given with templateRef`];
      },
    ],
    [
      "a task with two loops",
      (b) => {
        const { t, path } = task(b, "persist");
        t.withItems = ["a"];
        t.withParam = "[]";
        return [`${WT}: ${path}: only one of withItems, withParam, withSequence can be given (found withItems, withParam)`];
      },
    ],
    [
      "a target that is not a task",
      (b) => {
        const { t, path } = template(b, "stock-rsi");
        t.dag.target = "validate persist-all";
        return [`${WT}: ${path}/dag/target: target "persist-all" is not a task of this dag`];
      },
    ],
    [
      "a task argument without a value",
      (b) => {
        const { t, path } = task(b, "fetch");
        const i = (t.arguments.parameters as Json[]).findIndex((p) => p.name === "source");
        delete t.arguments.parameters[i].value;
        return [`${WT}: ${path}/arguments/parameters/${i}: parameter "source" needs a value or valueFrom: a task passes what it names`];
      },
    ],
    [
      "a task argument read from a path (an output's source)",
      (b) => {
        const { t, path } = task(b, "fetch");
        t.arguments.parameters[0] = { name: "as-of", valueFrom: { path: "/tmp/as-of" } };
        return [
          `${WT}: ${path}/arguments/parameters/0/valueFrom: an argument's valueFrom takes a configMapKeyRef, an event or a supplied value (with an optional default)`,
          `${WT}: ${path}/arguments/parameters/0/valueFrom/path: is only valid in an output parameter, not in arguments`,
        ];
      },
    ],
    [
      "a task's artifact argument with no source",
      (b) => {
        const { t, path } = task(b, "fetch");
        delete t.arguments.artifacts[0].raw;
        return [`${WT}: ${path}/arguments/artifacts/0: artifact "symbols" needs from, a location (raw, s3, http, ...) or a key`];
      },
    ],
    [
      "a lifecycle hook without an expression",
      (b) => {
        const { t, path } = task(b, "persist");
        t.hooks = { running: { template: "persist" } };
        return [`${WT}: ${path}/hooks/running/expression: hook "running" needs an expression (only "exit" runs without one)`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("the workflow", () => {
  it.each<Case>([
    [
      "an unknown podGC strategy",
      (b) => {
        workflowTemplate(b).spec.podGC.strategy = "OnWorkflowSucess";
        return [`${WT}: /spec/podGC/strategy: unknown strategy "OnWorkflowSucess"; one of OnPodCompletion, OnPodSuccess, OnWorkflowCompletion, OnWorkflowSuccess`];
      },
    ],
    [
      "a podGC delay that is not a duration",
      (b) => {
        workflowTemplate(b).spec.podGC.deleteDelayDuration = "1 hour";
        return [`${WT}: /spec/podGC/deleteDelayDuration: "1 hour" is neither whole seconds nor a Go duration (e.g. 30s, 5m, 1h30m)`];
      },
    ],
    [
      "a scheduled template without an entrypoint",
      (b) => {
        delete workflowTemplate(b).spec.entrypoint;
        return [`${WT}: /spec/entrypoint: is required: CronWorkflow stock-rsi-daily runs this template`];
      },
    ],
    [
      "a scheduled template's parameter without a value",
      (b) => {
        const parameters = workflowTemplate(b).spec.arguments.parameters as Json[];
        const i = parameters.findIndex((p) => p.name === "source");
        delete parameters[i]!.value;
        return [`${WT}: /spec/arguments/parameters/${i}: parameter "source" needs a value or valueFrom: CronWorkflow stock-rsi-daily runs it with no one to pass -p`];
      },
    ],
    [
      "a workflow parameter whose valueFrom names no ConfigMap, event or supplied value",
      (b) => {
        const parameters = workflowTemplate(b).spec.arguments.parameters as Json[];
        const i = parameters.findIndex((p) => p.name === "symbols");
        parameters[i]!.valueFrom = { default: "" };
        return [`${WT}: /spec/arguments/parameters/${i}/valueFrom: an argument's valueFrom takes a configMapKeyRef, an event or a supplied value (with an optional default)`];
      },
    ],
    [
      "a parameter value outside its enum",
      (b) => {
        const parameters = workflowTemplate(b).spec.arguments.parameters as Json[];
        const i = parameters.findIndex((p) => p.name === "method");
        parameters[i]!.enum = ["seed", "wilder", "cutler"];
        parameters[i]!.value = "ema";
        return [`${WT}: /spec/arguments/parameters/${i}/value: "ema" is not one of the enum: seed, wilder, cutler`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("retryStrategy", () => {
  it.each<Case>([
    [
      "a retry policy Argo does not know",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.retryStrategy.retryPolicy = "OnTransientErrors";
        return [`${WT}: ${path}/retryStrategy/retryPolicy: "OnTransientErrors" is not a valid RetryPolicy; one of Always, OnFailure, OnError, OnTransientError`];
      },
    ],
    [
      "a retry limit that is not a whole number ≥ 0",
      (b) => {
        template(b, "fetch").t.retryStrategy.limit = "two";
        template(b, "persist").t.retryStrategy.limit = -1;
        return [
          `${WT}: ${template(b, "fetch").path}/retryStrategy/limit: "two": must be a whole number ≥ 0 or an argo variable`,
          `${WT}: ${template(b, "persist").path}/retryStrategy/limit: -1: must be a whole number ≥ 0 or an argo variable`,
        ];
      },
    ],
    [
      "back-off durations Go cannot parse",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.retryStrategy.backoff.duration = "30 seconds";
        t.retryStrategy.backoff.maxDuration = "1d";
        return [
          `${WT}: ${path}/retryStrategy/backoff/duration: "30 seconds" is neither whole seconds nor a Go duration (e.g. 30s, 5m, 1h30m)`,
          `${WT}: ${path}/retryStrategy/backoff/maxDuration: "1d" is neither whole seconds nor a Go duration (e.g. 30s, 5m, 1h30m)`,
        ];
      },
    ],
    [
      "a back-off without a duration",
      (b) => {
        const { t, path } = template(b, "fetch");
        delete t.retryStrategy.backoff.duration;
        return [`${WT}: ${path}/retryStrategy/backoff/duration: is required with a backoff`];
      },
    ],
    [
      "a back-off factor that is not a whole number",
      (b) => {
        const { t, path } = template(b, "fetch");
        t.retryStrategy.backoff.factor = "1.5";
        return [`${WT}: ${path}/retryStrategy/backoff/factor: "1.5" is not a whole number (Argo reads the factor as an integer)`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("metrics.prometheus", () => {
  const metric = { name: "stock_rsi_runs", help: "runs of the persist step", labels: [{ key: "step", value: "persist" }], counter: { value: "1" } };

  it("accept a well-formed metric, on a template and on the workflow", () => {
    const b = cloneManifests(manifests);
    template(b, "persist").t.metrics = { prometheus: [structuredClone(metric)] };
    workflowTemplate(b).spec.metrics = { prometheus: [structuredClone(metric)] };
    expect(lintManifests(b).map(formatLint)).toEqual([]);
  });

  it.each<Case>([
    [
      "a metric name with a dash",
      (b) => {
        const { t, path } = template(b, "persist");
        t.metrics = { prometheus: [{ ...metric, name: "stock-rsi_runs" }] };
        return [`${WT}: ${path}/metrics/prometheus/0/name: metric name "stock-rsi_runs" is invalid: letters, digits and '_', not starting with a digit`];
      },
    ],
    [
      "a metric without help, with a bad label key and a counter without a value, on the workflow",
      (b) => {
        workflowTemplate(b).spec.metrics = { prometheus: [{ name: "stock_rsi_runs", labels: [{ key: "1step", value: "x" }], counter: {} }] };
        return [
          `${WT}: /spec/metrics/prometheus/0/labels/0/key: metric label "1step" is invalid: letters, digits and '_', not starting with a digit`,
          `${WT}: /spec/metrics/prometheus/0/help: metric "stock_rsi_runs" must have a help string`,
          `${WT}: /spec/metrics/prometheus/0/counter/value: is required for a counter`,
        ];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("CronWorkflow", () => {
  it.each<Case>([
    [
      "a schedule with weekday 7 (robfig/cron's weekdays are 0-6)",
      (b) => {
        cronWorkflow(b).spec.schedules = ["30 17 * * 1-7"];
        return [`${CRON}: /spec/schedules/0: cron schedule "30 17 * * 1-7" is malformed: day of week "1-7": 7 is above the maximum 6`];
      },
    ],
    [
      "a schedule with a seconds field",
      (b) => {
        cronWorkflow(b).spec.schedules = ["30 17 * * 1-5", "0 30 17 * * 1-5"];
        return [`${CRON}: /spec/schedules/1: cron schedule "0 30 17 * * 1-5" is malformed: expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6`];
      },
    ],
    [
      "no schedule at all",
      (b) => {
        cronWorkflow(b).spec.schedules = [];
        return [`${CRON}: /spec/schedules: a CronWorkflow needs at least one schedule`];
      },
    ],
    [
      "an unknown time zone",
      (b) => {
        cronWorkflow(b).spec.timezone = "America/NewYork";
        return [`${CRON}: /spec/timezone: unknown time zone "America/NewYork" (an IANA name such as America/New_York)`];
      },
    ],
    [
      "a concurrency policy Argo does not know",
      (b) => {
        cronWorkflow(b).spec.concurrencyPolicy = "forbid";
        return [`${CRON}: /spec/concurrencyPolicy: "forbid" is not a valid concurrencyPolicy; one of Allow, Forbid, Replace`];
      },
    ],
    [
      "a negative starting deadline",
      (b) => {
        cronWorkflow(b).spec.startingDeadlineSeconds = -1;
        return [`${CRON}: /spec/startingDeadlineSeconds: must not be negative`];
      },
    ],
    [
      "templates beside a workflowTemplateRef",
      (b) => {
        cronWorkflow(b).spec.workflowSpec.templates = [structuredClone(template(b, "persist").t)];
        return [`${CRON}: /spec/workflowSpec/templates: cannot be given with a workflowTemplateRef`];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

describe("references Argo resolves", () => {
  it.each<Case>([
    [
      "a workflow parameter nobody declares",
      (b) => {
        const { t, path } = task(b, "fetch");
        const i = (t.arguments.parameters as Json[]).findIndex((p) => p.name === "lookback-days");
        t.arguments.parameters[i].value = "{{workflow.parameters.lookback}}";
        return [`${WT}: ${path}/arguments/parameters/${i}/value: {{workflow.parameters.lookback}}: the workflow declares no parameter "lookback"`];
      },
    ],
    [
      "an annotation a run does not have",
      (b) => {
        const { t, path } = template(b, "persist");
        t.container.args.push("{{workflow.annotations.owner}}");
        return [`${WT}: ${path}/container/args/${t.container.args.length - 1}: {{workflow.annotations.owner}}: a run has no annotation "owner"`];
      },
    ],
    [
      "the retry count in a template without a retryStrategy",
      (b) => {
        const { t, path } = template(b, "validate");
        t.container.args.push("{{retries}}");
        return [`${WT}: ${path}/container/args/${t.container.args.length - 1}: {{retries}}: {{retries}} is defined only in a template with a retryStrategy`];
      },
    ],
    [
      "the status of a task that is not upstream",
      (b) => {
        const { t, path } = task(b, "compute-rsi");
        t.arguments.parameters.push({ name: "after", value: "{{tasks.persist.status}}" });
        const i = t.arguments.parameters.length - 1;
        return [
          `${WT}: ${path}/arguments/parameters/${i}/value: {{tasks.persist.status}}: task "persist" is not upstream of this task (add it to dependencies)`,
          `${WT}: ${path}/arguments/parameters/${i}/name: template "compute-rsi" declares no input parameter "after"`,
        ];
      },
    ],
  ])("refuse %s", (_behaviour, breakIt) => expectOnly(breakIt));
});

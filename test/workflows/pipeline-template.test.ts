/**
 * The WorkflowTemplate is rendered from the pipeline definition, generically: what is added to
 * the definition appears in the template, and what the deployment cannot fill in fails synth.
 */
import { describe, expect, it } from "vitest";
import { PARAMETERS, pipeline, type PipelineDefinition, type StepDefinition } from "../../steps/pipeline.ts";
import { renderPipelineSpec, retryStrategy, type PipelineDeployment } from "../../workflows/pipeline-template.ts";
import { retryExpression } from "../../workflows/retry.ts";

const deployment: PipelineDeployment = {
  serviceAccountName: "sa",
  artifactGcServiceAccountName: "gc",
  inputSources: { symbols: { configMap: "inputs", key: "symbols" } },
  parameterDefaults: {},
  settings: { db: "sqlite:x.db", "run-id": "{{workflow.name}}" },
  settingNeeds: {},
  imageFor: (step) => `registry/${step}:1`,
  runAsUser: 1000,
};

type Template = NonNullable<ReturnType<typeof renderPipelineSpec>["templates"]>[number];
const templateOf = (definition: PipelineDefinition, name: string, d = deployment): Template =>
  renderPipelineSpec(definition, d).templates!.find((t) => t.name === name)!;

/** The definition with one step changed, as a later change to the pipeline might. */
function withStep(name: string, change: (step: StepDefinition) => StepDefinition, more: Partial<PipelineDefinition> = {}): PipelineDefinition {
  return { ...pipeline, ...more, steps: pipeline.steps.map((s) => (s.name === name ? change(s) : s)) };
}

describe("rendering the pipeline definition", () => {
  it("runs each step's subcommand with its argv, artifacts at their declared paths", () => {
    const compute = templateOf(pipeline, "compute-rsi");
    expect(compute.container!.command).toEqual(["stock-rsi"]);
    expect(compute.container!.args).toEqual([
      "compute-rsi", "--in", "/tmp/stock-rsi/prices.json", "--out", "/tmp/stock-rsi/rsi.json",
      "--method", "{{inputs.parameters.method}}", "--period", "{{inputs.parameters.period}}",
    ]);
    expect(compute.container!.image).toBe("registry/compute-rsi:1");
    expect(compute.inputs!.artifacts).toEqual([{ name: "prices", path: "/tmp/stock-rsi/prices.json" }]);
    expect(compute.outputs!.artifacts).toEqual([{ name: "rsi", path: "/tmp/stock-rsi/rsi.json", archive: { none: {} } }]);
  });

  it("a parameter added to the definition becomes a workflow parameter, a task argument and an argv word", () => {
    const timeout = { name: "timeout-seconds", flag: "--timeout-seconds", valueName: "seconds", description: "per-request timeout", default: "30", parse: Number } as const;
    const definition = withStep("fetch", (s) => ({ ...s, parameters: [...s.parameters, timeout.name] }), { parameters: [...pipeline.parameters, timeout] });
    const spec = renderPipelineSpec(definition, deployment);
    expect(spec.arguments!.parameters).toContainEqual({ name: "timeout-seconds", value: "30", description: "per-request timeout" });
    const task = spec.templates!.find((t) => t.dag)!.dag!.tasks!.find((t) => t.name === "fetch")!;
    expect(task.arguments!.parameters).toContainEqual({ name: "timeout-seconds", value: "{{workflow.parameters.timeout-seconds}}" });
    expect(templateOf(definition, "fetch").container!.args!.slice(-2)).toEqual(["--timeout-seconds", "{{inputs.parameters.timeout-seconds}}"]);
  });

  it("a setting added to the definition is passed when the deployment sets it, and takes its default when not, as in a local run", () => {
    const proxy = { name: "proxy-url", flag: "--proxy-url", valueName: "url", description: "an HTTP proxy", default: "http://default-proxy:3128" } as const;
    const definition = withStep("fetch", (s) => ({ ...s, settings: [...s.settings, proxy.name] }), { settings: [...pipeline.settings, proxy] });
    expect(templateOf(definition, "fetch").container!.args!.slice(-2)).toEqual(["--proxy-url", "http://default-proxy:3128"]);
    const withUrl = { ...deployment, settings: { ...deployment.settings, "proxy-url": "http://proxy:8080" } };
    expect(templateOf(definition, "fetch", withUrl).container!.args!.slice(-2)).toEqual(["--proxy-url", "http://proxy:8080"]);
    const withEmpty = { ...deployment, settings: { ...deployment.settings, "proxy-url": "" } };
    expect(templateOf(definition, "fetch", withEmpty).container!.args).toEqual(templateOf(pipeline, "fetch").container!.args);
  });

  it("a deployment setting the pipeline does not define fails synth", () => {
    const typo = { ...deployment, settings: { ...deployment.settings, "yahoo-ulr": "http://mirror" } };
    expect(() => renderPipelineSpec(pipeline, typo)).toThrow('deployment config: settings: "yahoo-ulr" is not a pipeline setting');
  });

  it("a config default for a parameter the pipeline does not have fails synth", () => {
    expect(() => renderPipelineSpec(pipeline, { ...deployment, parameterDefaults: { methdo: "wilder" } })).toThrow(/parameters\.methdo is not a pipeline parameter/);
    const spec = renderPipelineSpec(pipeline, { ...deployment, parameterDefaults: { [PARAMETERS.method.name]: "wilder" } });
    expect(spec.arguments!.parameters).toContainEqual(expect.objectContaining({ name: "method", value: "wilder" }));
  });

  it("a retry hint becomes a retryStrategy whose expression alone decides, with doubling back-off", () => {
    const fetch = pipeline.steps.find((s) => s.name === "fetch")!;
    expect(retryStrategy(fetch)).toEqual({
      limit: String(fetch.retry!.limit),
      retryPolicy: "Always",
      expression: retryExpression(),
      backoff: { duration: `${fetch.retry!.backoffSeconds}s`, factor: "2" },
    });
    expect(templateOf(pipeline, "compute-rsi").retryStrategy).toBeUndefined();
  });

  it("output parameters are read from their files and exported to the workflow; the report is a plain HTML artifact", () => {
    const persist = templateOf(pipeline, "persist");
    expect(persist.outputs!.parameters![0]).toEqual(
      { name: "ranking", description: "the ranking: SYMBOL VALUE lines, strongest first", globalName: "ranking", valueFrom: { path: "/tmp/stock-rsi/ranking.txt", default: "" } },
    );
    expect(persist.outputs!.parameters!.map((p) => p.name)).toEqual(["ranking", "signals"]);
    // Not archived: the Argo UI shows an .html artifact in its frame, a .tgz it cannot. The exit
    // handler reads it, so it is also the workflow's (globalName).
    expect(persist.outputs!.artifacts).toEqual([{ name: "report", path: "/tmp/stock-rsi/report.html", archive: { none: {} }, globalName: "report" }]);
    expect(templateOf(pipeline, "validate").outputs!.parameters![0]).toMatchObject({ name: "failed-symbols", valueFrom: { path: "/tmp/stock-rsi/failed-symbols.txt" } });
  });

  it("what a setting needs (the database's password file and NetworkPolicy label) goes only to the steps using it", () => {
    const needs = { labels: { client: "yes" }, env: [{ name: "MYSQL_PASSWORD_FILE", value: "/s/password" }], volumes: [{ name: "pw", secret: { secretName: "s" } }], volumeMounts: [{ name: "pw", mountPath: "/s" }] };
    const d = { ...deployment, settingNeeds: { db: needs } };
    const persist = templateOf(pipeline, "persist", d);
    expect(persist.metadata!.labels).toMatchObject({ client: "yes" });
    expect(persist.container!.env).toEqual(needs.env);
    expect(persist.volumes).toContainEqual(needs.volumes[0]);
    const fetch = templateOf(pipeline, "fetch", d);
    expect(fetch.metadata!.labels).not.toHaveProperty("client");
    expect(fetch.container!.env).toBeUndefined();
  });
});

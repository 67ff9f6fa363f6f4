import { describe, expect, it } from "vitest";
import { executionOrder, pipeline, upstreamOf, type PipelineDefinition } from "../../steps/pipeline.ts";

describe("the pipeline definition", () => {
  it("is fetch → compute-rsi → validate → persist", () => {
    expect(executionOrder(pipeline).map((s) => s.name)).toEqual(["fetch", "compute-rsi", "validate", "persist"]);
    expect(pipeline.steps.map((s) => [s.name, upstreamOf(s)])).toEqual([
      ["fetch", []],
      ["compute-rsi", ["fetch"]],
      ["validate", ["compute-rsi"]],
      ["persist", ["validate"]],
    ]);
  });

  it("reads every input from an output its upstream step declares", () => {
    for (const step of pipeline.steps) {
      for (const input of step.inputs) {
        if ("pipelineInput" in input.from) {
          expect(pipeline.inputs.map((i) => i.name)).toContain(input.from.pipelineInput);
          continue;
        }
        const { step: producer, output } = input.from;
        const upstream = pipeline.steps.find((s) => s.name === producer);
        expect(upstream?.outputs.map((o) => o.name), `${step.name}.${input.name}`).toContain(output);
      }
    }
  });

  it("names only declared parameters, inputs and outputs in its args", () => {
    for (const step of pipeline.steps) {
      for (const token of step.args) {
        if (typeof token === "string") continue;
        if ("parameter" in token) expect(pipeline.parameters.map((p) => p.name)).toContain(token.parameter);
        if ("input" in token) expect(step.inputs.map((i) => i.name)).toContain(token.input);
        if ("output" in token) expect([...step.outputs, ...step.outputParameters].map((o) => o.name)).toContain(token.output);
      }
    }
  });

  it("refuses a cycle", () => {
    const cyclic: PipelineDefinition = {
      ...pipeline,
      steps: pipeline.steps.map((s) =>
        s.name === "fetch" ? { ...s, inputs: [...s.inputs, { name: "validated", file: "v.json", from: { step: "persist", output: "x" } }] } : s,
      ),
    };
    expect(() => executionOrder(cyclic)).toThrow("pipeline stock-rsi: cycle through step");
  });
});

/**
 * Objects against the CustomResourceDefinitions that will hold them on the cluster, checked as the
 * API server checks a custom resource on create (Kubernetes' apiextensions: a structural schema
 * and its CEL rules):
 *
 * - the version's `openAPIV3Schema`, with ajv: types, required fields, enums, patterns (Go's RE2
 *   syntax, through @bufbuild/re2), formats, bounds, and `x-kubernetes-int-or-string` (an
 *   integer or a string);
 * - an unknown field is refused, as `kubectl apply` refuses it (its default strict field
 *   validation); `x-kubernetes-preserve-unknown-fields` lets any field through, and an
 *   `x-kubernetes-embedded-resource` holds an object of any kind; the root `metadata` is
 *   Kubernetes' own ObjectMeta, not the CRD's to check;
 * - `nullable: true` takes null; elsewhere null is refused;
 * - every CEL rule (`x-kubernetes-validations`) on the way, evaluated by @bufbuild/cel (Buf's CEL
 *   for ECMAScript, run against the cel-spec conformance tests) with `self` the value at that
 *   place: objects as CEL maps, integers as CEL ints. Kubernetes adds library functions to CEL
 *   (its string, list, regex, quantity and URL extensions) that @bufbuild/cel does not have; a
 *   rule that calls one fails to evaluate and is reported as such, never passed. A transition
 *   rule (one naming `oldSelf`) applies only to updates and is not evaluated here.
 *
 * Not checked: `x-kubernetes-list-type`/`-map-keys` uniqueness, and the CEL cost budget.
 */
import { readFileSync } from "node:fs";
import { isCelError, run } from "@bufbuild/cel";
import { RE2JS } from "@bufbuild/re2";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { RegExpEngine } from "ajv/dist/types/index.js";
import ajvFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import { describe, type Manifest } from "./manifests.ts";
import { escapePointer, suggestion } from "./schema-findings.ts";

export interface CrdFinding {
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

export function formatCrdFinding(f: CrdFinding): string {
  return `${f.object}: ${f.path || "/"}: ${f.message}`;
}

type Node = Record<string, unknown>;

interface CelRule {
  readonly rule: string;
  readonly message?: string;
}

interface ServedVersion {
  readonly crd: string;
  readonly schema: Node;
  readonly validate: ValidateFunction;
}

export interface CrdSchema {
  /** `group/version Kind` of every version the CRDs serve. */
  readonly kinds: readonly string[];
  /** The CEL rules the CRDs hold, each with the number of places it stands. */
  readonly rules: ReadonlyMap<string, number>;
  /** Whether an object's kind is one these CRDs define. */
  covers(manifest: Manifest): boolean;
  checkObject(manifest: Manifest): CrdFinding[];
}

/** Loads the CRDs in `files` (YAML, one or more documents each) and compiles their served versions. */
export function crdSchema(files: readonly string[]): CrdSchema {
  // A CRD's `pattern` is a Go regular expression (RE2 syntax: `(?i)` is common), not JavaScript's.
  const re2: RegExpEngine = Object.assign((pattern: string) => new RE2JS(pattern), { code: "new RE2JS" });
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, allowUnionTypes: true, code: { regExp: re2 } });
  ajvFormats.default(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  for (const format of ["double", "float", "quantity"]) ajv.addFormat(format, true);

  const versions = new Map<string, ServedVersion>();
  const rules = new Map<string, number>();
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS() as Node | null;
      if (!crd || crd.kind !== "CustomResourceDefinition") continue;
      const spec = crd.spec as { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: Node } }> };
      for (const version of spec.versions.filter((v) => v.served)) {
        const schema = version.schema.openAPIV3Schema;
        countRules(schema, rules);
        versions.set(`${spec.group}/${version.name} ${spec.names.kind}`, {
          crd: String((crd.metadata as Node).name),
          schema,
          validate: ajv.compile(toJsonSchema(schema, true)),
        });
      }
    }
  }

  return {
    kinds: [...versions.keys()],
    rules,
    covers: (m) => versions.has(`${m.object.apiVersion} ${m.object.kind}`),
    checkObject(manifest) {
      const object = describe(manifest);
      const version = versions.get(`${manifest.object.apiVersion} ${manifest.object.kind}`);
      if (!version) return [{ object, path: "/kind", message: `no CRD here defines ${manifest.object.apiVersion} ${manifest.object.kind}` }];
      const findings: CrdFinding[] = [];
      if (!version.validate(manifest.object)) findings.push(...(version.validate.errors ?? []).map((e) => toFinding(e, object)));
      // CEL rules run on a value the schema accepted, as the API server runs them.
      if (findings.length === 0) checkRules(version.schema, manifest.object, "", (path, message) => findings.push({ object, path, message }));
      return findings;
    },
  };
}

/** A structural schema node as a JSON schema ajv reads, strict about unknown fields (see the module comment). */
function toJsonSchema(node: Node, root = false): Node {
  const out: Node = {};
  for (const key of ["type", "required", "enum", "pattern", "format", "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "uniqueItems", "multipleOf"]) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  // OpenAPI 3.0's exclusive bounds are flags on minimum and maximum.
  if (node.minimum !== undefined) out[node.exclusiveMinimum === true ? "exclusiveMinimum" : "minimum"] = node.minimum;
  if (node.maximum !== undefined) out[node.exclusiveMaximum === true ? "exclusiveMaximum" : "maximum"] = node.maximum;
  for (const key of ["anyOf", "allOf", "oneOf"] as const) {
    if (Array.isArray(node[key])) out[key] = (node[key] as Node[]).map((n) => toJsonSchema(n));
  }
  if (node.not) out.not = toJsonSchema(node.not as Node);
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  const properties = node.properties as Record<string, Node> | undefined;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, root && k === "metadata" ? {} : toJsonSchema(v)]));
  }
  if (node.items) out.items = toJsonSchema(node.items as Node);
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true || node["x-kubernetes-embedded-resource"] === true;
  if (typeof node.additionalProperties === "object") out.additionalProperties = toJsonSchema(node.additionalProperties as Node);
  else if (node.additionalProperties !== undefined) out.additionalProperties = node.additionalProperties;
  else if (node.type === "object" && !preserve) out.additionalProperties = false;
  if (node.nullable === true) return { anyOf: [{ type: "null" }, out] };
  return out;
}

function countRules(node: unknown, rules: Map<string, number>): void {
  if (Array.isArray(node)) node.forEach((n) => countRules(n, rules));
  else if (node && typeof node === "object") {
    for (const r of ((node as Node)["x-kubernetes-validations"] as CelRule[] | undefined) ?? []) rules.set(r.rule, (rules.get(r.rule) ?? 0) + 1);
    Object.values(node).forEach((n) => countRules(n, rules));
  }
}

/** Walks `value` beside its schema, evaluating the CEL rules of every node it passes. */
function checkRules(node: Node, value: unknown, path: string, report: (path: string, message: string) => void): void {
  if (value === undefined || value === null) return;
  for (const rule of (node["x-kubernetes-validations"] as CelRule[] | undefined) ?? []) {
    if (/\boldSelf\b/.test(rule.rule)) continue;
    const result = run(rule.rule, { self: toCel(value, node) as never });
    if (isCelError(result)) report(path, `CEL rule ${JSON.stringify(rule.rule)} could not be evaluated: ${result.message}`);
    else if (result !== true) report(path, rule.message ?? `failed rule: ${rule.rule}`);
  }
  const properties = node.properties as Record<string, Node> | undefined;
  if (properties && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const schema = properties[key] ?? (typeof node.additionalProperties === "object" ? (node.additionalProperties as Node) : undefined);
      if (schema) checkRules(schema, child, `${path}/${escapePointer(key)}`, report);
    }
  } else if (typeof node.additionalProperties === "object" && value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) checkRules(node.additionalProperties as Node, child, `${path}/${escapePointer(key)}`, report);
  }
  if (node.items && Array.isArray(value)) value.forEach((item, i) => checkRules(node.items as Node, item, `${path}/${i}`, report));
}

/** A JSON value as CEL sees it under its schema: an integer field a CEL int, objects as maps. */
function toCel(value: unknown, node: Node | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => toCel(v, node?.items as Node | undefined));
  if (value && typeof value === "object") {
    const properties = node?.properties as Record<string, Node> | undefined;
    const extra = typeof node?.additionalProperties === "object" ? (node.additionalProperties as Node) : undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, properties?.[k] ?? extra)]));
  }
  if (typeof value === "number" && node?.type === "integer") return BigInt(value);
  return value;
}

function toFinding(error: ErrorObject, object: string): CrdFinding {
  const at = error.instancePath;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      const known = Object.keys(((error.parentSchema as Node | undefined)?.properties as Node | undefined) ?? {});
      return { object, path: `${at}/${escapePointer(field)}`, message: `unknown field "${field}"${suggestion(field, known)}` };
    }
    case "required":
      return { object, path: `${at}/${escapePointer(String(error.params.missingProperty))}`, message: "is required" };
    case "type":
      return { object, path: at, message: `${JSON.stringify(error.data)} ${error.message ?? "has the wrong type"}` };
    case "enum":
      return { object, path: at, message: `${JSON.stringify(error.data)} must be one of ${JSON.stringify(error.params.allowedValues)}` };
    default:
      return { object, path: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

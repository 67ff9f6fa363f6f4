/**
 * Argo's own JSON schema (`api/jsonschema/schema.json` of the release in
 * `workflows/argo/release.ts`), made strict, as a validator of Argo objects.
 *
 * As published, the schema checks types and required fields but lets any unknown field through:
 * `imagePulPolicy: Always`, or v3's `schedule` on a v4 CronWorkflow, validates, and Argo's
 * default (minimal) CRDs then store the object and the controller ignores the field silently.
 * `argo lint` refuses unknown fields; it is a Go binary, so this does what it does with the
 * schema instead:
 *
 * - every object schema that lists `properties` refuses any other (`additionalProperties:
 *   false`); a schema that already says what its other keys hold (labels, annotations,
 *   resources, lifecycle hooks, node selectors: maps) keeps saying so;
 * - an object schema without properties is an empty Go struct, a marker such as
 *   `archive: {none: {}}`, and refuses every field; except FieldsV1 and Plugin, which hold any
 *   JSON (Go types that decode themselves);
 * - Kubernetes' IntOrString takes an integer as well as a string, and Quantity a number, as the
 *   API server's own decoding does (`cpu: 1`, `limit: 2`); the schema says string only;
 * - a parameter's `value`, `default`, `enum` and `description`, and `valueFrom.default`, take a
 *   number or a boolean as well: Argo's Go type for them (AnyString) turns either into its
 *   string. (Argo's optional *full* CRDs type them as strings, so a cluster that installed those
 *   refuses a bare number there; the manifests here quote them anyway.)
 *
 * A finding names the object and the JSON path of the field at fault.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { ARGO_JSON_SCHEMA, ARGO_RELEASE } from "../../../workflows/argo/release.ts";
import { describe, type Manifest } from "./manifests.ts";
import { escapePointer, suggestion } from "./schema-findings.ts";

export interface SchemaFinding {
  readonly object: string;
  /** JSON pointer of the field at fault, e.g. `/spec/templates/1/container/imagePulPolicy`. */
  readonly path: string;
  readonly message: string;
}

export function formatSchemaFinding(f: SchemaFinding): string {
  return `${f.object}: ${f.path || "/"}: ${f.message}`;
}

type SchemaNode = Record<string, unknown>;

const ARGO = "io.argoproj.workflow.v1alpha1";

/** Kubernetes' integer-or-string and quantity types, and what their decoders also accept. */
const NUMERIC_STRINGS: Readonly<Record<string, readonly string[]>> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ["string", "integer"],
  "io.k8s.apimachinery.pkg.api.resource.Quantity": ["string", "number"],
};

/** Object schemas without properties that hold any JSON; every other one is an empty Go struct. */
const FREE_FORM = new Set(["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", `${ARGO}.Plugin`]);

/** The fields Argo's Go types declare as AnyString: a string, number or boolean on input. */
const ANY_STRING_FIELDS: ReadonlyArray<readonly [definition: string, property: string]> = [
  [`${ARGO}.Parameter`, "value"],
  [`${ARGO}.Parameter`, "default"],
  [`${ARGO}.Parameter`, "description"],
  [`${ARGO}.Parameter`, "enum"],
  [`${ARGO}.ValueFrom`, "default"],
];

/** The definition an ArtifactRepository (a value in the `artifact-repositories` ConfigMap) fits. */
export const ARTIFACT_REPOSITORY = `${ARGO}.ArtifactRepository`;

export interface ArgoSchema {
  /** The definition for an apiVersion and kind, found by the schema's own group-version-kind marks. */
  definitionOf(apiVersion: string, kind: string): string | undefined;
  /** An Argo object of `dist/` against its kind's definition. */
  checkObject(manifest: Manifest): SchemaFinding[];
  /** A value embedded in an object (e.g. YAML inside a ConfigMap) against a definition; `path` prefixes the findings. */
  checkValue(definition: string, value: unknown, object: string, path: string): SchemaFinding[];
}

/** Loads and compiles the strict schema (about a second); validators are compiled per definition on first use. */
export function argoSchema(): ArgoSchema {
  const schema = strictArgoSchema();
  const definitions = schema.definitions as Record<string, SchemaNode>;
  const id = String(schema.$id);

  // The schema's own extension keywords (x-kubernetes-*) annotate; ajv's strict mode would refuse them as typos.
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addVocabulary([...extensionKeywords(schema)]);
  ajvFormats.default(ajv);
  ajv.addSchema(schema);

  const kinds = new Map<string, string>();
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of (definition["x-kubernetes-group-version-kind"] as Array<Record<string, string>> | undefined) ?? []) {
      kinds.set(`${gvk.group ? `${gvk.group}/` : ""}${gvk.version} ${gvk.kind}`, name);
    }
  }

  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (definition: string): ValidateFunction => {
    let validate = validators.get(definition);
    if (!validate) {
      if (!(definition in definitions)) throw new Error(`argo-schema: Argo ${ARGO_RELEASE.tag}'s schema has no definition ${definition}`);
      validate = ajv.getSchema(`${id}#/definitions/${definition}`)!;
      validators.set(definition, validate);
    }
    return validate;
  };

  const checkValue = (definition: string, value: unknown, object: string, path: string): SchemaFinding[] => {
    const validate = validatorOf(definition);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => toFinding(error, object, path));
  };
  const definitionOf = (apiVersion: string, kind: string) => kinds.get(`${apiVersion} ${kind}`);

  return {
    definitionOf,
    checkValue,
    checkObject(manifest) {
      const { apiVersion, kind } = manifest.object;
      const definition = definitionOf(apiVersion, kind);
      if (!definition) return [{ object: describe(manifest), path: "/kind", message: `Argo ${ARGO_RELEASE.tag} defines no ${apiVersion} ${kind}` }];
      return checkValue(definition, manifest.object, describe(manifest), "");
    },
  };
}

/** The vendored schema with the changes the module comment describes. */
export function strictArgoSchema(): SchemaNode {
  const schema = JSON.parse(readFileSync(ARGO_JSON_SCHEMA, "utf8")) as SchemaNode;
  const definitions = schema.definitions as Record<string, SchemaNode>;
  for (const [name, definition] of Object.entries(definitions)) if (!FREE_FORM.has(name)) closeObjects(definition);

  for (const [name, types] of Object.entries(NUMERIC_STRINGS)) {
    const definition = definitions[name];
    if (definition?.type !== "string") throw new Error(`argo-schema: expected ${name} to be a string in the schema, found ${JSON.stringify(definition?.type)}`);
    definition.type = [...types];
  }
  for (const [name, property] of ANY_STRING_FIELDS) {
    const field = (definitions[name]?.properties as Record<string, SchemaNode> | undefined)?.[property];
    const target = field?.type === "array" ? (field.items as SchemaNode | undefined) : field;
    if (target?.type !== "string") throw new Error(`argo-schema: expected ${name}.${property} to be a string (or strings) in the schema`);
    target.type = ["string", "number", "boolean"];
  }
  return schema;
}

/** Adds `additionalProperties: false` to every object schema in `node` that says nothing about fields it does not list. */
function closeObjects(node: SchemaNode): void {
  const properties = node.properties as Record<string, SchemaNode> | undefined;
  if ((properties || node.type === "object") && !("additionalProperties" in node)) node.additionalProperties = false;
  for (const child of Object.values(properties ?? {})) closeObjects(child);
  for (const key of ["items", "additionalProperties"] as const) {
    const child = node[key];
    if (child && typeof child === "object" && !Array.isArray(child)) closeObjects(child as SchemaNode);
  }
}

function extensionKeywords(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) extensionKeywords(item, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith("x-")) found.add(key);
      else extensionKeywords(child, found);
    }
  }
  return found;
}

function toFinding(error: ErrorObject, object: string, base: string): SchemaFinding {
  const at = `${base}${error.instancePath}`;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      const known = Object.keys(((error.parentSchema as SchemaNode | undefined)?.properties as SchemaNode | undefined) ?? {});
      return { object, path: `${at}/${escapePointer(field)}`, message: `unknown field "${field}"${suggestion(field, known)}` };
    }
    case "required":
      return { object, path: `${at}/${escapePointer(String(error.params.missingProperty))}`, message: "is required" };
    case "type":
      return { object, path: at, message: `${JSON.stringify(error.data)} ${error.message ?? "has the wrong type"}` };
    case "const":
      return { object, path: at, message: `${JSON.stringify(error.data)} must be ${JSON.stringify(error.params.allowedValue)}` };
    default:
      return { object, path: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

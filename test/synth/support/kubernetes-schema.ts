/**
 * Strict validation of the Kubernetes objects in `dist/` (everything but Argo's, which
 * `argo-schema.ts` checks against Argo's own schema), against the Kubernetes API that
 * cdk8s-plus-33 is built on: its bundled `cdk8s import` of Kubernetes 1.33's OpenAPI spec
 * (`cdk8s-plus-33/lib/imports/k8s.d.ts`, re-exported as `kplus.k8s`). That file declares every
 * definition of the spec as a TypeScript interface whose properties carry the spec's own name in
 * a `@schema <definition>#<field>` tag, so it describes each object completely:
 *
 * - every field must be one the definition declares, all the way down (the API server would drop
 *   an unknown one silently, or refuse it under strict field validation: `imagePulPolicy: Always`
 *   must fail here, not in the cluster);
 * - every field the definition requires is present;
 * - a value has the declared type: a number, a string, a boolean, a list, a map; an IntOrString
 *   takes an integer or a string and a Quantity a number or a string, as the API server decodes them.
 *
 * The JSON name of a field is read from its `@schema` tag, not from the TypeScript name: the
 * import renames a few (`setHostnameAsFQDN` is `setHostnameAsFqdn` in TypeScript).
 * The spec has no enums and no formats for these kinds, so neither is checked.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as kplus from "cdk8s-plus-33";
import ts from "typescript";
import { describe, type Manifest } from "./manifests.ts";
import { escapePointer, suggestion } from "./schema-findings.ts";

/** The import cdk8s-plus-33 ships, and the Kubernetes release it was generated from. */
const K8S_DECLARATIONS = join(dirname(createRequire(import.meta.url).resolve("cdk8s-plus-33")), "imports/k8s.d.ts");
export const KUBERNETES_API = "1.33";

export interface SchemaFinding {
  readonly object: string;
  /** JSON pointer of the field at fault, e.g. `/spec/template/spec/containers/0/imagePulPolicy`. */
  readonly path: string;
  readonly message: string;
}

export function formatFinding(f: SchemaFinding): string {
  return `${f.object}: ${f.path || "/"}: ${f.message}`;
}

export interface KubernetesSchema {
  /** The declaration a kind is checked against, e.g. `KubeDeploymentProps`; undefined for a kind the import lacks. */
  declarationOf(apiVersion: string, kind: string): string | undefined;
  /** Every field of the object against its kind's declaration. */
  checkObject(manifest: Manifest): SchemaFinding[];
}

/** Loads the declarations (a TypeScript program over one 1.2 MB file: a few seconds) and returns the checker. */
export function kubernetesSchema(): KubernetesSchema {
  const program = ts.createProgram([K8S_DECLARATIONS], { noEmit: true, skipLibCheck: true, types: [], strict: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(K8S_DECLARATIONS);
  if (!source) throw new Error(`kubernetes-schema: cannot read ${K8S_DECLARATIONS}`);
  const declared = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((s) => [s.name, s]));
  const typeNamed = (name: string): ts.Type => {
    const symbol = declared.get(name);
    if (!symbol) throw new Error(`kubernetes-schema: ${K8S_DECLARATIONS} declares no ${name}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };

  // The import's classes know their apiVersion and kind (`KubeDeployment.GVK`); their props are `<class>Props`.
  const kinds = new Map<string, string>();
  for (const [name, value] of Object.entries(kplus.k8s)) {
    const gvk = (value as { GVK?: { apiVersion: string; kind: string } }).GVK;
    if (gvk) kinds.set(`${gvk.apiVersion} ${gvk.kind}`, `${name}Props`);
  }
  const declarationOf = (apiVersion: string, kind: string) => kinds.get(`${apiVersion} ${kind}`);

  return {
    declarationOf,
    checkObject(manifest) {
      const { apiVersion, kind, ...fields } = manifest.object;
      const object = describe(manifest);
      const declaration = declarationOf(apiVersion, kind);
      if (!declaration) return [{ object, path: "/kind", message: `Kubernetes ${KUBERNETES_API} has no ${apiVersion} ${kind}` }];
      const findings: SchemaFinding[] = [];
      walk(checker, fields, typeNamed(declaration), "", (path, message) => findings.push({ object, path, message }));
      return findings;
    },
  };
}

type Report = (path: string, message: string) => void;

/** The spec definition a declaration stands for, from its `@schema` tag, e.g. `io.k8s.apimachinery.pkg.util.intstr.IntOrString`. */
function schemaTag(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string | undefined {
  const tag = symbol?.getJsDocTags(checker).find((t) => t.name === "schema");
  return tag?.text?.map((part) => part.text).join("");
}

/** What the API server decodes into the two Kubernetes types that are either a number or a string. */
const NUMBER_OR_STRING: Readonly<Record<string, (value: unknown) => boolean>> = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (v) => typeof v === "string" || Number.isInteger(v),
  "io.k8s.apimachinery.pkg.api.resource.Quantity": (v) => typeof v === "string" || typeof v === "number",
};

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, report: Report): void {
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const members = type.isUnion() ? type.types : [type];

  const special = members.map((t) => schemaTag(checker, t.getSymbol())).find((tag) => tag !== undefined && tag in NUMBER_OR_STRING);
  if (special) {
    if (!NUMBER_OR_STRING[special]!(value)) report(path, `${JSON.stringify(value)} is not ${special.split(".").pop()}`);
    return;
  }
  if (Array.isArray(value)) {
    const arrays = members.filter((t) => checker.isArrayType(t));
    if (arrays.length === 0) return report(path, `is a list, expected ${checker.typeToString(type)}`);
    const element = checker.getTypeArguments(arrays[0] as ts.TypeReference)[0]!;
    value.forEach((item, i) => walk(checker, item, element, `${path}/${i}`, report));
    return;
  }
  if (value !== null && typeof value === "object") {
    const objects = members.filter((t) => !checker.isArrayType(t) && (t.flags & ts.TypeFlags.Object) !== 0);
    if (objects.length === 0) return report(path, `is an object, expected ${checker.typeToString(type)}`);
    walkObject(checker, value as Record<string, unknown>, objects[0]!, path, report);
    return;
  }
  if (!members.some((t) => primitiveFits(checker, value, t))) report(path, `${JSON.stringify(value)} is not ${checker.typeToString(type)}`);
}

function walkObject(checker: ts.TypeChecker, value: Record<string, unknown>, type: ts.Type, path: string, report: Report): void {
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  // Field name in the manifest → its declaration.
  const fields = new Map(checker.getPropertiesOfType(type).map((p) => [schemaTag(checker, p)?.split("#")[1] ?? p.name, p]));
  for (const [name, property] of fields) {
    if (!(property.flags & ts.SymbolFlags.Optional) && !(name in value)) report(`${path}/${escapePointer(name)}`, "is required");
  }
  for (const [key, child] of Object.entries(value)) {
    const property = fields.get(key);
    const childPath = `${path}/${escapePointer(key)}`;
    if (property) walk(checker, child, checker.getTypeOfSymbol(property), childPath, report);
    else if (index) walk(checker, child, index.type, childPath, report);
    else report(childPath, `unknown field "${key}"${suggestion(key, [...fields.keys()])}`);
  }
}

function primitiveFits(checker: ts.TypeChecker, value: unknown, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (type.isStringLiteral() || type.isNumberLiteral()) return type.value === value;
  if (type.flags & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type) === String(value);
  if (type.flags & ts.TypeFlags.StringLike) return typeof value === "string";
  if (type.flags & ts.TypeFlags.NumberLike) return typeof value === "number";
  if (type.flags & ts.TypeFlags.BooleanLike) return typeof value === "boolean";
  return false;
}

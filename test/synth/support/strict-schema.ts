/**
 * Strict schema validation of Kubernetes and Argo objects.
 *
 * `kubernetes-models` and `@kubernetes-models/argo-workflows` (generated from the Kubernetes
 * OpenAPI and Argo v4's Go types) ship compiled validators that check types, required fields,
 * enums and formats, but let any unknown field through: `imagePulPolicy: Always` validates, and
 * the API server (or Argo's minimal CRDs) then ignores it silently. This closes that gap with
 * the TypeScript declarations the same packages ship: every field of every object must be a
 * property of the model's interface, all the way down, or it is reported with its path.
 *
 * Both checks run: the packages' own validators (types, enums, required fields), and the walk
 * over the declarations (unknown fields).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, type KubeObject, type Manifest } from "./manifests.ts";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** The package module that declares a kind, e.g. `kubernetes-models/apps/v1/Deployment`. */
export function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith("argoproj.io/")) return `@kubernetes-models/argo-workflows/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

export interface SchemaFinding {
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

export function formatFinding(f: SchemaFinding): string {
  return `${f.object}: ${f.path || "/"}: ${f.message}`;
}

/** A model to check values against: the interface `name` declared by `module`. */
export interface ModelRef {
  readonly module: string;
  readonly name: string;
}

/** The model of a Kubernetes or Argo kind, e.g. `IDeployment` from `kubernetes-models/apps/v1/Deployment`. */
export function kindModel(apiVersion: string, kind: string): ModelRef {
  return { module: modelModule(apiVersion, kind), name: `I${kind}` };
}

export interface StrictSchema {
  /** Every field of the object against its kind's model. */
  checkObject(manifest: Manifest): SchemaFinding[];
  /** A value embedded in an object (e.g. YAML inside a ConfigMap) against another model. */
  checkValue(model: ModelRef, value: unknown, object: string, path: string): SchemaFinding[];
}

/**
 * Loads the declarations of the given models once (a TypeScript program over the packages'
 * `.d.ts` files; a few seconds) and returns checkers over them.
 */
export function strictSchema(models: readonly ModelRef[]): StrictSchema {
  const unique = [...new Map(models.map((m) => [key(m), m])).values()];
  // A throwaway entry file inside the repository, so node_modules resolution finds the packages.
  const dir = mkdtempSync(join(REPO_ROOT, "node_modules/.strict-schema-"));
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, unique.map((m, i) => `import type { ${m.name} as T${i} } from "${m.module}";\nexport type M${i} = T${i};\n`).join(""));
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry)!;
  const diagnostics = ts.getPreEmitDiagnostics(program, source);
  rmSync(dir, { recursive: true, force: true });
  if (diagnostics.length > 0) {
    throw new Error(`strict-schema: cannot load the models: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, "\n")}`);
  }
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
  const typeOf = new Map(unique.map((m, i) => [key(m), checker.getDeclaredTypeOfSymbol(exports.find((s) => s.name === `M${i}`)!)]));

  const checkValue = (model: ModelRef, value: unknown, object: string, path: string): SchemaFinding[] => {
    const type = typeOf.get(key(model));
    if (!type) return [{ object, path, message: `no model loaded for ${model.name}` }];
    const findings: SchemaFinding[] = [];
    walk(checker, value, type, path, (p, message) => findings.push({ object, path: p, message }));
    return findings;
  };
  return {
    checkValue,
    checkObject: (manifest) => checkValue(kindModel(manifest.object.apiVersion, manifest.object.kind), manifest.object, describe(manifest), ""),
  };
}

function key(model: ModelRef): string {
  return `${model.module}#${model.name}`;
}

/** Runs the package's own validator (types, enums, required fields, formats). */
export async function modelValidation(manifest: Manifest): Promise<SchemaFinding[]> {
  const { object } = manifest;
  const module = (await import(modelModule(object.apiVersion, object.kind))) as Record<string, unknown>;
  const Model = module[object.kind] as (new (data: KubeObject) => { validate(): void }) | undefined;
  if (!Model) return [{ object: describe(manifest), path: "", message: `no model for ${object.apiVersion} ${object.kind}` }];
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    const details = (err as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!details) throw err;
    return details.map((d) => ({ object: describe(manifest), path: d.instancePath, message: d.message ?? "invalid" }));
  }
}

type Report = (path: string, message: string) => void;

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, report: Report): void {
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const members = type.isUnion() ? type.types : [type];

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
    // Where several object shapes are allowed, the value must fit one of them.
    let best: Array<[string, string]> | undefined;
    for (const candidate of objects) {
      const found: Array<[string, string]> = [];
      walkObject(checker, value as Record<string, unknown>, candidate, path, (p, m) => found.push([p, m]));
      if (!best || found.length < best.length) best = found;
      if (found.length === 0) break;
    }
    for (const [p, m] of best ?? []) report(p, m);
    return;
  }
  if (!members.some((t) => primitiveFits(checker, value, t))) {
    report(path, `${JSON.stringify(value)} is not ${checker.typeToString(type)}`);
  }
}

function walkObject(checker: ts.TypeChecker, value: Record<string, unknown>, type: ts.Type, path: string, report: Report): void {
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  for (const [key, child] of Object.entries(value)) {
    const property = type.getProperty(key);
    const childPath = `${path}/${key}`;
    if (property) walk(checker, child, checker.getTypeOfSymbol(property), childPath, report);
    else if (index) walk(checker, child, index.type, childPath, report);
    else {
      const known = checker.getPropertiesOfType(type).map((p) => p.name);
      report(childPath, `unknown field "${key}"${suggestion(key, known)}`);
    }
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

/** `; did you mean "imagePullPolicy"?` for a field one or two edits away from a known one. */
function suggestion(key: string, known: readonly string[]): string {
  const close = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return close.length > 0 ? `; did you mean "${close[0]}"?` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

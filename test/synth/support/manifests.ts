/**
 * The synthesized manifests as the user applies them: every YAML document of every file in
 * `dist/`, with where it came from, so a finding can name the file and the object.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export const DIST = resolve(import.meta.dirname, "../../../dist");

export interface Manifest {
  /** e.g. `dist/0003-pipeline.k8s.yaml` */
  readonly file: string;
  readonly object: KubeObject;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [field: string]: unknown;
}

export function loadManifests(dir: string = DIST): Manifest[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  return files.flatMap((f) => parseManifests(readFileSync(join(dir, f), "utf8"), `dist/${f}`));
}

export function parseManifests(text: string, file: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as KubeObject | null;
    return object ? [{ file, object }] : [];
  });
}

/** `dist/0001-mysql.k8s.yaml: Deployment mysql` — how findings name an object. */
export function describe(m: Manifest): string {
  return `${m.file}: ${m.object.kind} ${m.object.metadata?.name ?? "(unnamed)"}`;
}

/** A deep copy to mutate in a negative test. */
export function cloneManifests(manifests: readonly Manifest[]): Manifest[] {
  return manifests.map((m) => ({ file: m.file, object: structuredClone(m.object) }));
}

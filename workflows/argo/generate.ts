/**
 * `npm run types:argo`: writes `workflows/argo/types.ts`, the TypeScript types of Argo's objects,
 * generated from the swagger Argo publishes for the release in `release.ts`.
 * `npm run types:argo:check` (`--check`) writes nothing and fails when the committed file is not
 * what this script generates, so the types cannot drift from the vendored spec or the generator.
 *
 * Why the steps:
 * - openapi-typescript 7 reads OpenAPI 3 only, and Argo publishes Swagger 2.0, so swagger2openapi
 *   converts it first.
 * - Only the schemas are kept: the REST operations of Argo's server (`paths`) describe no object
 *   the constructs write, and would add a third to the file.
 * - The swagger types Kubernetes' IntOrString and Quantity as `string`, but the API server and
 *   Argo's controller take a number as well (`activeDeadlineSeconds: 3600`, `cpu: 1`), so both
 *   become `string | number`.
 * - FieldsV1 and Plugin hold any JSON (`Record<string, unknown>`); the other objects without
 *   properties are empty Go structs (`archive: {none: {}}`) and stay `Record<string, never>`.
 * - The aliases of the kinds a manifest holds (WorkflowTemplate, CronWorkflow, ...) require
 *   `apiVersion` and `kind`, as literals, where the swagger leaves them optional.
 * - Properties are sorted, so the output depends on the spec's content alone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import openapiTS, { astToString, NUMBER, STRING, UNKNOWN } from "openapi-typescript";
import { convertObj } from "swagger2openapi";
import ts from "typescript";
import { ARGO_RELEASE, ARGO_SWAGGER, ARGO_TYPES } from "./release.ts";

const ROOT = resolve(import.meta.dirname, "../..");

const ARGO = "io.argoproj.workflow.v1alpha1";
const CORE = "io.k8s.api.core.v1";

/** Schemas that hold a number or a string, as Kubernetes' own JSON (un)marshalling does. */
const STRING_OR_NUMBER = new Set(["io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.apimachinery.pkg.api.resource.Quantity"]);

/**
 * Schemas the swagger gives as an object without properties that hold any JSON (Go types that
 * decode themselves). Every other such schema is an empty Go struct, a marker like
 * `archive: {none: {}}`, and stays `Record<string, never>`.
 */
const FREE_FORM = new Set(["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", `${ARGO}.Plugin`]);

/** The kinds a manifest holds: their aliases require apiVersion and kind, which the swagger leaves optional. */
const KINDS = new Set(["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"]);

/**
 * The names the constructs use, each an alias of one generated schema. Argo's objects first,
 * then the Kubernetes types as Argo embeds them in a template (its container, volumes, ...).
 */
const ALIASES: ReadonlyArray<readonly [alias: string, schema: string]> = [
  ["Workflow", `${ARGO}.Workflow`],
  ["WorkflowTemplate", `${ARGO}.WorkflowTemplate`],
  ["ClusterWorkflowTemplate", `${ARGO}.ClusterWorkflowTemplate`],
  ["CronWorkflow", `${ARGO}.CronWorkflow`],
  ["CronWorkflowSpec", `${ARGO}.CronWorkflowSpec`],
  ["WorkflowSpec", `${ARGO}.WorkflowSpec`],
  ["WorkflowTemplateRef", `${ARGO}.WorkflowTemplateRef`],
  ["Template", `${ARGO}.Template`],
  ["DAGTemplate", `${ARGO}.DAGTemplate`],
  ["DAGTask", `${ARGO}.DAGTask`],
  ["Arguments", `${ARGO}.Arguments`],
  ["Inputs", `${ARGO}.Inputs`],
  ["Outputs", `${ARGO}.Outputs`],
  ["Parameter", `${ARGO}.Parameter`],
  ["ValueFrom", `${ARGO}.ValueFrom`],
  ["Artifact", `${ARGO}.Artifact`],
  ["RawArtifact", `${ARGO}.RawArtifact`],
  ["ArchiveStrategy", `${ARGO}.ArchiveStrategy`],
  ["RetryStrategy", `${ARGO}.RetryStrategy`],
  ["Backoff", `${ARGO}.Backoff`],
  ["Metrics", `${ARGO}.Metrics`],
  ["Prometheus", `${ARGO}.Prometheus`],
  ["PodGC", `${ARGO}.PodGC`],
  ["TTLStrategy", `${ARGO}.TTLStrategy`],
  ["Synchronization", `${ARGO}.Synchronization`],
  ["TemplateMetadata", `${ARGO}.Metadata`],
  ["WorkflowMetadata", `${ARGO}.WorkflowMetadata`],
  ["ArtifactRepository", `${ARGO}.ArtifactRepository`],
  ["S3ArtifactRepository", `${ARGO}.S3ArtifactRepository`],
  ["ArtifactRepositoryRef", `${ARGO}.ArtifactRepositoryRef`],
  ["ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"],
  ["IntOrString", "io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
  ["Quantity", "io.k8s.apimachinery.pkg.api.resource.Quantity"],
  ["Container", `${CORE}.Container`],
  ["UserContainer", `${ARGO}.UserContainer`],
  ["EnvVar", `${CORE}.EnvVar`],
  ["Volume", `${CORE}.Volume`],
  ["VolumeMount", `${CORE}.VolumeMount`],
  ["ResourceRequirements", `${CORE}.ResourceRequirements`],
  ["PodSecurityContext", `${CORE}.PodSecurityContext`],
  ["SecurityContext", `${CORE}.SecurityContext`],
  ["SecretKeySelector", `${CORE}.SecretKeySelector`],
  ["ConfigMapKeySelector", `${CORE}.ConfigMapKeySelector`],
];

async function generateArgoTypes(): Promise<string> {
  const swagger = JSON.parse(readFileSync(ARGO_SWAGGER, "utf8")) as { definitions: Record<string, unknown> };
  const { openapi } = await convertObj(swagger, { patch: true, warnOnly: true });
  const components = openapi.components as { schemas: Record<string, unknown> };
  for (const [alias, schema] of ALIASES) {
    if (!(schema in components.schemas)) throw new Error(`types:argo: alias ${alias}: no schema ${schema} in ${relative(ROOT, ARGO_SWAGGER)}`);
  }
  const ast = await openapiTS(
    { ...openapi, paths: {} } as Parameters<typeof openapiTS>[0],
    {
      alphabetize: true,
      silent: true,
      transform(_schema, { path }) {
        const name = path?.startsWith("#/components/schemas/") ? path.slice("#/components/schemas/".length) : undefined;
        if (name === undefined) return undefined;
        if (STRING_OR_NUMBER.has(name)) return ts.factory.createUnionTypeNode([STRING, NUMBER]);
        if (FREE_FORM.has(name)) return ts.factory.createTypeReferenceNode("Record", [STRING, UNKNOWN]);
        return undefined;
      },
    },
  );
  const header = [
    "/**",
    ` * Argo Workflows ${ARGO_RELEASE.tag} (${ARGO_RELEASE.commit}): the schemas of`,
    ` * api/openapi-spec/swagger.json as TypeScript. Generated by \`npm run types:argo\`; do not edit.`,
    " */",
    "",
  ].join("\n");
  const aliases = ALIASES.map(([alias, schema]) => {
    const type = `components["schemas"]["${schema}"]`;
    return `export type ${alias} = ${KINDS.has(alias) ? `Manifest<${type}, "${alias}">` : type};`;
  }).join("\n");
  const manifest = [
    "/** An object as a manifest holds it: the swagger leaves apiVersion and kind optional (the API server knows them); a manifest gives both. */",
    'type Manifest<T, Kind extends string> = Omit<T, "apiVersion" | "kind"> & { apiVersion: "argoproj.io/v1alpha1"; kind: Kind };',
  ].join("\n");
  return `${header}\n${astToString(ast)}\n// The names the constructs use.\n${manifest}\n${aliases}\n`;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const generated = await generateArgoTypes();
  const target = relative(ROOT, ARGO_TYPES);
  if (!check) {
    writeFileSync(ARGO_TYPES, generated);
    process.stderr.write(`types:argo: wrote ${target} from Argo ${ARGO_RELEASE.tag} in ${(performance.now() / 1000).toFixed(1)} s\n`);
    return;
  }
  let committed: string | undefined;
  try {
    committed = readFileSync(ARGO_TYPES, "utf8");
  } catch {
    committed = undefined;
  }
  if (committed === generated) {
    process.stderr.write(`types:argo:check: ${target} matches Argo ${ARGO_RELEASE.tag}'s swagger\n`);
  } else {
    process.stderr.write(`types:argo:check: ${target} is ${committed === undefined ? "missing" : "not what the generator writes"}\nrun \`npm run types:argo\` and commit ${target}\n`);
    process.exitCode = 1;
  }
}

await main();

/**
 * The Argo Workflows release whose own published API description this project is built and
 * checked against: its OpenAPI spec types the constructs (`types.ts`, generated), and its JSON
 * schema, full CRDs and controller rules check `dist/` in the tests. The files are vendored, byte
 * for byte, under `workflows/argo/<tag>/`; README.md beside this file says where they came from.
 */
import { resolve } from "node:path";

export const ARGO_RELEASE = {
  tag: "v4.0.10",
  commit: "2334ea9dd8ccb0e5a6bfd1399fb84a114279e7d6",
} as const;

const RELEASE_DIR = resolve(import.meta.dirname, ARGO_RELEASE.tag);

/** Argo's `api/openapi-spec/swagger.json` (Swagger 2.0) at the release. */
export const ARGO_SWAGGER = resolve(RELEASE_DIR, "swagger.json");

/** Argo's `api/jsonschema/schema.json` (JSON Schema 2020-12) at the release. */
export const ARGO_JSON_SCHEMA = resolve(RELEASE_DIR, "schema.json");

/**
 * Argo's full CRDs at the release (`manifests/base/crds/full/`), the ones its `install.yaml`
 * applies (`manifests/cluster-install/kustomization.yaml`), for the kinds `dist/` holds: the API
 * server checks every WorkflowTemplate and CronWorkflow against them.
 */
export const ARGO_FULL_CRDS = ["argoproj.io_workflowtemplates.yaml", "argoproj.io_cronworkflows.yaml"].map((file) => resolve(RELEASE_DIR, "crds", file));

/** The TypeScript types generated from the swagger by `npm run types:argo`. */
export const ARGO_TYPES = resolve(import.meta.dirname, "types.ts");

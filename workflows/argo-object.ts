/**
 * Argo's objects in a chart, typed by Argo's own API description (`argo/types.ts`, generated from
 * the release's swagger by `npm run types:argo`), so a misspelt field, or one the release removed,
 * is a compile error. cdk8s and cdk8s-plus have no constructs for Argo's kinds, so each is a plain
 * `ApiObject` holding the typed manifest.
 */
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";
import type { CronWorkflow, WorkflowTemplate } from "./argo/types.ts";

/** Adds one Argo object to the chart, exactly as given (cdk8s only sorts its keys). */
export function argoObject(scope: Construct, id: string, manifest: WorkflowTemplate | CronWorkflow): ApiObject {
  const { apiVersion, kind, ...rest } = manifest;
  return new ApiObject(scope, id, { apiVersion, kind, ...rest });
}

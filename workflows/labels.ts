/**
 * Labels shared by every object the app writes, and the labels that say what a pod is allowed
 * to talk to. NetworkPolicies select on these, so they are defined once, here.
 */
import { ApiObject, JsonPatch } from "cdk8s";
import type * as kplus from "cdk8s-plus-33";

export const PART_OF = "stock-rsi";

/** The standard `app.kubernetes.io` labels for one component of stock-rsi. */
export function componentLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
  };
}

/**
 * A pod carrying this label may open connections to MySQL on 3306: the MySQL NetworkPolicy
 * admits exactly these pods. The pipeline's templates add it to the steps that are given the
 * database (today: persist).
 */
export const MYSQL_CLIENT_LABEL = { "stock-rsi/mysql-client": "true" } as const;

/**
 * A pod carrying this label may read and write the in-cluster artifact store. Argo puts it on
 * every pod of a workflow in the namespace through the template's `podMetadata`.
 */
export const ARTIFACT_CLIENT_LABEL = { "stock-rsi/artifact-client": "true" } as const;

/**
 * Leaves a workload's pods with the labels given, and without the one cdk8s-plus adds
 * (`cdk8s.io/metadata.addr`, derived from the construct's path). Our workloads select their pods
 * by their `app.kubernetes.io/name` instead, so that label would only make a change of the code's
 * layout restart the pods. The workload must then not be used as a selector itself
 * (`connections`, `Service({selector: workload})`): select its pods by their labels.
 */
export function pinPodLabels(workload: kplus.Deployment): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove("/spec/template/metadata/labels/cdk8s.io~1metadata.addr"));
}

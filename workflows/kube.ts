/**
 * Kubernetes objects written as plain data, typed by the `kubernetes-models` interfaces: the same
 * models the tests validate `dist/` against, so what the constructs write and what CI checks are
 * described by one set of types.
 */
import { ApiObject } from "cdk8s";
import type { Construct } from "constructs";

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
}

/** Adds one object to the chart, exactly as given (cdk8s only sorts its keys). */
export function kube<T extends Manifest>(scope: Construct, id: string, manifest: T): ApiObject {
  const { apiVersion, kind, ...rest } = manifest;
  return new ApiObject(scope, id, { apiVersion, kind, ...rest });
}

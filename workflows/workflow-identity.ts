/**
 * The identity the pipeline's pods run as, with exactly what Argo's executor needs and nothing
 * more. Since Argo 3.4 the executor (the `wait` container beside each step) reports a step's
 * outputs by creating and patching a `WorkflowTaskResult`; without that permission every step
 * fails with exit code 64. The steps themselves call no Kubernetes API.
 */
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Construct } from "constructs";
import { kube } from "./kube.ts";
import { componentLabels } from "./labels.ts";

export class WorkflowIdentity extends Construct {
  readonly serviceAccountName = "stock-rsi-workflow";

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const { namespace } = props;
    const name = this.serviceAccountName;
    const labels = componentLabels(name, "pipeline");

    kube<IServiceAccount>(this, "service-account", {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace, labels },
    });
    kube<IRole>(this, "role", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels },
      rules: [{ apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] }],
    });
    kube<IRoleBinding>(this, "role-binding", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    });
  }
}

/**
 * The identity the pipeline's pods run as, with exactly what Argo's executor needs and nothing
 * more. Since Argo 3.4 the executor (the `wait` container beside each step) reports a step's
 * outputs by creating and patching a `WorkflowTaskResult`; without that permission every step
 * fails with exit code 64. The steps themselves call no Kubernetes API.
 */
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { componentLabels } from "./labels.ts";

export class WorkflowIdentity extends Construct {
  readonly serviceAccountName = "stock-rsi-workflow";

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const metadata = { name: this.serviceAccountName, namespace: props.namespace, labels: componentLabels(this.serviceAccountName, "pipeline") };

    const account = new kplus.ServiceAccount(this, "service-account", {
      metadata,
      // The executor in each pod authenticates with this account's token, so it must be mounted
      // (cdk8s-plus' default is not to).
      automountToken: true,
    });
    // The workflow's account may create and patch its steps' results, and nothing else.
    const role = new kplus.Role(this, "role", { metadata });
    role.allow(["create", "patch"], kplus.ApiResource.custom({ apiGroup: "argoproj.io", resourceType: "workflowtaskresults" }));
    new kplus.RoleBinding(this, "role-binding", { metadata, role }).addSubjects(account);
  }
}

/**
 * The identities the pipeline's pods run as, each with exactly what Argo needs and nothing more.
 *
 * - The steps themselves call no Kubernetes API, so their containers get **no token**: a step
 *   that talks to the internet (fetch) or to MySQL (persist) holds nothing that could act on the
 *   cluster. The workflows say `automountServiceAccountToken: false`.
 * - Argo's executor, the `init` and `wait` containers beside each step, reports a step's outputs
 *   by creating and patching a `WorkflowTaskResult` (since Argo 3.4; without that permission every
 *   step fails with exit code 64). With the pod's token switched off, Argo v4.0.10 mounts the
 *   token of `executor.serviceAccountName` into those two containers only, from a Secret named
 *   `<account>.service-account-token` (`workflow/controller/workflowpod.go`, `setupServiceAccount`
 *   and `newExecContainer`; `util/secrets/secret_name.go`). Kubernetes no longer creates such
 *   Secrets (1.24 on), so it is in `dist/`: empty, of type `kubernetes.io/service-account-token`,
 *   and Kubernetes' token controller fills it in.
 * - Argo's artifact garbage collection runs its own pods when a run is deleted (`artifactGC`):
 *   they list their `WorkflowArtifactGCTask` and patch its status
 *   (`cmd/argoexec/commands/artifact/delete.go` at v4.0.10), as their own account.
 */
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { componentLabels } from "./labels.ts";

export class WorkflowIdentity extends Construct {
  /** The account the steps' pods run as, and whose token only Argo's executor gets. */
  readonly serviceAccountName = "stock-rsi-workflow";
  /** The account Argo's artifact garbage collection pods run as. */
  readonly artifactGcServiceAccountName = "stock-rsi-artifact-gc";

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const { namespace } = props;

    const workflow = this.account("workflow", this.serviceAccountName, namespace, [
      { verbs: ["create", "patch"], resource: "workflowtaskresults" },
    ]);
    // The token Argo mounts into the executor's containers (the name Argo looks for by default).
    new kplus.ServiceAccountTokenSecret(this, "executor-token", {
      metadata: { name: `${this.serviceAccountName}.service-account-token`, namespace, labels: componentLabels(this.serviceAccountName, "pipeline") },
      serviceAccount: workflow,
    });

    this.account("artifact-gc", this.artifactGcServiceAccountName, namespace, [
      { verbs: ["list"], resource: "workflowartifactgctasks" },
      { verbs: ["patch"], resource: "workflowartifactgctasks/status" },
    ]);
  }

  /** A ServiceAccount whose pods get no token of their own, and a Role allowing it `rules` on Argo's resources. */
  private account(id: string, name: string, namespace: string, rules: ReadonlyArray<{ verbs: string[]; resource: string }>): kplus.ServiceAccount {
    const metadata = { name, namespace, labels: componentLabels(name, "pipeline") };
    const account = new kplus.ServiceAccount(this, `${id}-account`, { metadata, automountToken: false });
    const role = new kplus.Role(this, `${id}-role`, { metadata });
    for (const rule of rules) role.allow(rule.verbs, kplus.ApiResource.custom({ apiGroup: "argoproj.io", resourceType: rule.resource }));
    new kplus.RoleBinding(this, `${id}-role-binding`, { metadata, role }).addSubjects(account);
    return account;
  }
}

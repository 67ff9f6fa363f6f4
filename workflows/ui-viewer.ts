/**
 * The account a person logs in to the Argo UI with to watch the pipeline: it may read the runs,
 * their templates and schedule, the steps' logs and the artifacts, and change nothing.
 *
 * The Argo server's default auth mode, `client`, acts with the token a user logs in with:
 * `kubectl create token stock-rsi-viewer` makes one for this account (docs/deploying.md). What the
 * server then asks Kubernetes in the user's name, read at argo-workflows v4.0.10 and v4.1.2 (the
 * same calls in both):
 *
 * - the Workflows list and a run's page: `list` workflows, checked with a SelfSubjectAccessReview
 *   (`server/workflow/workflow_server.go`, `ListWorkflows`; `auth.CanI` in `server/auth/authorizer.go`,
 *   which every authenticated user may create), `get` and `watch` workflows (`GetWorkflow`,
 *   `WatchWorkflows`), and `watch` events for the run's event stream (`WatchEvents`);
 * - the Workflow Templates and Cron Workflows pages: `list` and `get` workflowtemplates
 *   (`server/workflowtemplate/workflow_template_server.go`), `list` and `get` cronworkflows
 *   (`server/cronworkflow/cron_workflow_server.go`);
 * - a step's Logs: `get` the workflow, `list` and `watch` its pods, `get` pods/log
 *   (`util/logs/workflow-logger.go`);
 * - an artifact (the report): `get` the workflow, then the artifact driver reads the store's keys
 *   with the user's client, so `get` on the Secret `artifact-store-credentials`
 *   (`server/artifacts/artifact_server.go`, `getArtifactAndDriver`; `server/artifacts/resources.go`,
 *   `GetSecret`). The repository's ConfigMap is read with the server's own account.
 *
 * So whoever holds a viewer token can read the artifact store's keys (the files the steps pass,
 * not the database), and nothing else secret.
 */
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { ARTIFACT_SECRET } from "./artifact-repository.ts";
import { componentLabels } from "./labels.ts";

export class UiViewer extends Construct {
  readonly serviceAccountName = "stock-rsi-viewer";

  constructor(scope: Construct, id: string, props: { readonly namespace: string }) {
    super(scope, id);
    const metadata = { name: this.serviceAccountName, namespace: props.namespace, labels: componentLabels(this.serviceAccountName, "ui") };

    // No pod runs as it; its tokens are made on request (`kubectl create token`) and expire.
    const account = new kplus.ServiceAccount(this, "service-account", { metadata, automountToken: false });
    const role = new kplus.Role(this, "role", { metadata });
    const argo = (resourceType: string) => kplus.ApiResource.custom({ apiGroup: "argoproj.io", resourceType });
    role.allow(["get", "list", "watch"], argo("workflows"), argo("workflowtemplates"), argo("cronworkflows"), kplus.ApiResource.PODS);
    role.allow(["get"], kplus.ApiResource.custom({ apiGroup: "", resourceType: "pods/log" }));
    role.allow(["list", "watch"], kplus.ApiResource.EVENTS);
    role.allow(["get"], kplus.Secret.fromSecretName(this, "artifact-store-credentials", ARTIFACT_SECRET.name));
    new kplus.RoleBinding(this, "role-binding", { metadata, role }).addSubjects(account);
  }
}

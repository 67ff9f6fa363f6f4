/**
 * Where Argo keeps the files the steps pass to each other. Argo moves artifacts through an
 * artifact repository (without one a step fails with "artifact storage is not configured"); it
 * finds it in the namespace's ConfigMap `artifact-repositories`, under the key the annotation
 * `workflows.argoproj.io/default-artifact-repository` names.
 *
 * Two choices (`artifacts.kind` in the deployment config):
 * - `in-cluster`: a small S3 server in the namespace, SeaweedFS, with its data on its own NFS
 *   export (why SeaweedFS: docs/decisions.md);
 * - `existing`: a bucket on an S3-compatible store the user already runs (Ceph RGW, Garage, ...).
 *
 * Either way the access keys come from the Secret `artifact-store-credentials` the user creates.
 */
import type { IArtifactRepository } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/ArtifactRepository";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IService } from "kubernetes-models/v1/Service";
import { Construct } from "constructs";
import { stringify } from "yaml";
import { kube } from "./kube.ts";
import { ARTIFACT_CLIENT_LABEL, componentLabels } from "./labels.ts";
import { NfsVolume, type NfsStorage } from "./nfs-volume.ts";

/**
 * Where Argo keeps the artifacts the steps pass to each other (S3-compatible).
 * - `in-cluster`: a small SeaweedFS S3 server in the namespace, its data on its own NFS export;
 * - `existing`: a bucket on an S3-compatible store the user already runs.
 * Either way the keys come from the Secret `artifact-store-credentials` (`access-key`, `secret-key`).
 */
export type ArtifactStoreConfig =
  | {
      readonly kind: "in-cluster";
      /** SeaweedFS image, pinned. */
      readonly image: string;
      readonly bucket: string;
      readonly storage: NfsStorage;
      /** The numeric user SeaweedFS runs as; its NFS export must be owned by it. */
      readonly runAsUser: number;
    }
  | {
      readonly kind: "existing";
      /** `host:port` of the S3 API, without a scheme. */
      readonly endpoint: string;
      readonly bucket: string;
      /** true for plain HTTP (no TLS). */
      readonly insecure: boolean;
      readonly region?: string;
    };

/** The Secret the user creates (README: "Deploy to your cluster"); its keys. */
export const ARTIFACT_SECRET = { name: "artifact-store-credentials", accessKey: "access-key", secretKey: "secret-key" } as const;

/** The key in `artifact-repositories` that the default-repository annotation names. */
export const DEFAULT_REPOSITORY_KEY = "default-v1";

const S3_PORT = 8333;

export interface ArtifactRepositoryProps {
  readonly namespace: string;
  readonly store: ArtifactStoreConfig;
  /** The namespace of the Argo server, which reads artifacts to show them in the UI. */
  readonly argoNamespace: string;
}

export class ArtifactRepository extends Construct {
  constructor(scope: Construct, id: string, props: ArtifactRepositoryProps) {
    super(scope, id);
    const { namespace, store } = props;
    const endpoint = store.kind === "in-cluster" ? new InClusterArtifactStore(this, "store", props, store).endpoint : store.endpoint;

    const repository: IArtifactRepository = {
      s3: {
        endpoint,
        bucket: store.bucket,
        insecure: store.kind === "in-cluster" ? true : store.insecure,
        ...(store.kind === "existing" && store.region ? { region: store.region } : {}),
        // Argo creates the bucket on first use; the in-cluster store starts empty.
        ...(store.kind === "in-cluster" ? { createBucketIfNotPresent: {} } : {}),
        accessKeySecret: { name: ARTIFACT_SECRET.name, key: ARTIFACT_SECRET.accessKey },
        secretKeySecret: { name: ARTIFACT_SECRET.name, key: ARTIFACT_SECRET.secretKey },
        keyFormat: "{{workflow.name}}/{{pod.name}}",
      },
    };

    kube<IConfigMap>(this, "config", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "artifact-repositories",
        namespace,
        labels: componentLabels("artifact-repositories", "artifacts"),
        annotations: { "workflows.argoproj.io/default-artifact-repository": DEFAULT_REPOSITORY_KEY },
      },
      data: { [DEFAULT_REPOSITORY_KEY]: stringify(repository) },
    });
  }
}

/** SeaweedFS serving S3 on 8333 from its own NFS export, reachable only by the pipeline and the Argo server. */
class InClusterArtifactStore extends Construct {
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: ArtifactRepositoryProps, store: Extract<ArtifactStoreConfig, { kind: "in-cluster" }>) {
    super(scope, id);
    const { namespace } = props;
    const name = "artifact-store";
    const labels = componentLabels(name, "artifacts");
    this.endpoint = `${name}.${namespace}.svc:${S3_PORT}`;

    const data = new NfsVolume(this, "data", { namespace, name, storage: store.storage });

    // SeaweedFS reads its S3 identities from a JSON file; it is written at start from the Secret
    // into memory-backed scratch space, so the keys never sit in a ConfigMap. The keys must not
    // contain `"` or `\` (the README generates hex keys).
    const writeIdentities = [
      'case "$ACCESS_KEY$SECRET_KEY" in *[\\"\\\\]*) echo "artifact-store-credentials: keys must not contain \\" or \\\\" >&2; exit 2;; esac',
      'printf \'{"identities":[{"name":"argo","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\' "$ACCESS_KEY" "$SECRET_KEY" > /config/s3.json',
    ].join("\n");
    const secretEnv = (envName: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: ARTIFACT_SECRET.name, key } } });
    const containerSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

    kube<IDeployment>(this, "server", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        // One `weed server` per data directory, like MySQL.
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: store.runAsUser,
              runAsGroup: store.runAsUser,
              fsGroup: store.runAsUser,
              seccompProfile: { type: "RuntimeDefault" },
            },
            initContainers: [
              {
                name: "identities",
                image: store.image,
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/sh", "-c", writeIdentities],
                env: [secretEnv("ACCESS_KEY", ARTIFACT_SECRET.accessKey), secretEnv("SECRET_KEY", ARTIFACT_SECRET.secretKey)],
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
                securityContext: containerSecurity,
                volumeMounts: [{ name: "config", mountPath: "/config" }],
              },
            ],
            containers: [
              {
                name: "seaweedfs",
                image: store.image,
                imagePullPolicy: "IfNotPresent",
                command: ["/usr/bin/weed"],
                args: [
                  "server",
                  "-dir=/data",
                  "-s3",
                  `-s3.port=${S3_PORT}`,
                  "-s3.config=/config/s3.json",
                  // Small volume files: the artifacts are kilobytes, the default 30 GB volumes would
                  // each reserve a large part of the export.
                  "-master.volumeSizeLimitMB=256",
                ],
                ports: [{ name: "s3", containerPort: S3_PORT, protocol: "TCP" }],
                startupProbe: { tcpSocket: { port: "s3" }, periodSeconds: 5, failureThreshold: 60 },
                readinessProbe: { tcpSocket: { port: "s3" }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: "s3" }, periodSeconds: 20, failureThreshold: 6 },
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                securityContext: containerSecurity,
                volumeMounts: [
                  { name: "data", mountPath: "/data" },
                  { name: "config", mountPath: "/config", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName: data.claimName } },
              { name: "config", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    });

    kube<IService>(this, "service", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "s3", port: S3_PORT, targetPort: "s3", protocol: "TCP" }],
      },
    });

    kube<INetworkPolicy>(this, "clients-only", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "artifact-store-clients-only", namespace, labels },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              // The workflow's pods (their wait containers upload and download artifacts)...
              { podSelector: { matchLabels: { ...ARTIFACT_CLIENT_LABEL } } },
              // ...and the Argo server, which reads them to show them in the UI.
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": props.argoNamespace } } },
            ],
            ports: [{ protocol: "TCP", port: S3_PORT }],
          },
        ],
      },
    });
  }
}

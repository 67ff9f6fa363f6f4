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
import { Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { stringify } from "yaml";
import type { ArtifactRepository as ArgoArtifactRepository } from "./argo/types.ts";
import { fromSecret, RESTRICTED_CONTAINER } from "./containers.ts";
import { ARTIFACT_CLIENT_LABEL, componentLabels, pinPodLabels } from "./labels.ts";
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

/**
 * The most a SeaweedFS volume file grows to before the master stops writing to it, in
 * SeaweedFS's MB (1024 × 1024 bytes: weed/server/master_server.go at 3.94). The artifacts are
 * kilobytes to a few megabytes; the default 30,000 MB would make one volume hold everything.
 */
export const SEAWEEDFS_VOLUME_MB = 256;

/**
 * Volumes SeaweedFS creates at once when a bucket needs room: `copy_1 = 7` for data kept in one
 * copy (weed/topology/volume_growth.go at 3.94). A store allowed fewer cannot grow its first batch.
 */
const SEAWEEDFS_VOLUMES_PER_GROWTH = 7;

/**
 * How many volumes SeaweedFS may keep on its export: the store's capacity. `weed server` allows 8
 * unless told (`-volume.max`, weed/command/server.go at 3.94), so at 256 MB each it stopped taking
 * artifacts near 2 GiB whatever the volume held. This follows the volume's size in the deployment
 * config instead, and leaves room on it for what is not a volume: a tenth for the filer's and the
 * master's metadata (kept in the same directory: server.go), and one volume's worth, which
 * vacuuming needs to copy a volume before it drops the deleted files from it.
 */
export function seaweedfsVolumeCount(storage: NfsStorage): number {
  const mib = Number(storage.size.slice(0, -"Gi".length)) * 1024;
  const count = Math.floor((mib * 0.9) / SEAWEEDFS_VOLUME_MB) - 1;
  if (count < SEAWEEDFS_VOLUMES_PER_GROWTH + 1) {
    const least = Math.ceil(((SEAWEEDFS_VOLUMES_PER_GROWTH + 2) * SEAWEEDFS_VOLUME_MB) / 0.9 / 1024);
    throw new Error(`deployment config: artifacts.storage.size ${storage.size} holds ${Math.max(count, 0)} SeaweedFS volumes of ${SEAWEEDFS_VOLUME_MB} MB; give at least ${least}Gi`);
  }
  return count;
}

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

    const repository: ArgoArtifactRepository = {
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

    new kplus.ConfigMap(this, "config", {
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
    const pods = kplus.Pods.select(this, "pods", { labels: { "app.kubernetes.io/name": name } });
    const credentials = kplus.Secret.fromSecretName(this, "credentials", ARTIFACT_SECRET.name);
    // SeaweedFS keeps its data on its own NFS volume.
    const data = new NfsVolume(this, "data", { namespace, name, storage: store.storage });

    const server = new kplus.Deployment(this, "server", {
      metadata: { name, namespace, labels },
      replicas: 1,
      // One `weed server` per data directory, like MySQL.
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      podMetadata: { labels },
      automountServiceAccountToken: false,
      securityContext: { user: store.runAsUser, group: store.runAsUser, fsGroup: store.runAsUser, ensureNonRoot: true },
    });
    server.select(kplus.LabelSelector.of({ labels: { "app.kubernetes.io/name": name } }));
    pinPodLabels(server);

    // SeaweedFS reads its S3 identities from a JSON file; it is written at start from the Secret
    // into memory-backed scratch space, so the keys never sit in a ConfigMap. The keys must not
    // contain `"` or `\` (docs/deploying.md generates hex keys).
    const writeIdentities = [
      'case "$ACCESS_KEY$SECRET_KEY" in *[\\"\\\\]*) echo "artifact-store-credentials: keys must not contain \\" or \\\\" >&2; exit 2;; esac',
      'printf \'{"identities":[{"name":"argo","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\' "$ACCESS_KEY" "$SECRET_KEY" > /config/s3.json',
    ].join("\n");
    const config = kplus.Volume.fromEmptyDir(this, "config", "config", { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1) });

    const identities = server.addInitContainer({
      name: "identities",
      image: store.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ["/bin/sh", "-c", writeIdentities],
      envVariables: {
        ACCESS_KEY: fromSecret(credentials, ARTIFACT_SECRET.accessKey),
        SECRET_KEY: fromSecret(credentials, ARTIFACT_SECRET.secretKey),
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(32) },
      },
      securityContext: RESTRICTED_CONTAINER,
    });
    identities.mount("/config", config);

    const listening = (periodSeconds: number, failureThreshold?: number) =>
      kplus.Probe.fromTcpSocket({ port: S3_PORT, periodSeconds: Duration.seconds(periodSeconds), failureThreshold });
    const seaweedfs = server.addContainer({
      name: "seaweedfs",
      image: store.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ["/usr/bin/weed"],
      args: [
        "server",
        "-dir=/data",
        "-s3",
        `-s3.port=${S3_PORT}`,
        "-s3.config=/config/s3.json",
        // Volume files of 256 MB, as many as the export holds (seaweedfsVolumeCount).
        `-master.volumeSizeLimitMB=${SEAWEEDFS_VOLUME_MB}`,
        `-volume.max=${seaweedfsVolumeCount(store.storage)}`,
      ],
      ports: [{ name: "s3", number: S3_PORT, protocol: kplus.Protocol.TCP }],
      startup: listening(5, 60),
      readiness: listening(10),
      liveness: listening(20, 6),
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
      },
      securityContext: RESTRICTED_CONTAINER,
    });
    seaweedfs.mount("/data", kplus.Volume.fromPersistentVolumeClaim(this, "data-claim", data.claim, { name: "data" }));
    seaweedfs.mount("/config", config, { readOnly: true });
    seaweedfs.mount("/tmp", kplus.Volume.fromEmptyDir(this, "tmp", "tmp"));

    new kplus.Service(this, "service", {
      metadata: { name, namespace, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: pods,
      ports: [{ name: "s3", port: S3_PORT, targetPort: S3_PORT, protocol: kplus.Protocol.TCP }],
    });

    // The workflow's pods (their wait containers upload and download artifacts) and the Argo
    // server (which reads them to show them in the UI) may reach it; nothing else.
    const clientsOnly = new kplus.NetworkPolicy(this, "clients-only", {
      metadata: { name: "artifact-store-clients-only", namespace, labels },
      selector: pods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const s3 = [kplus.NetworkPolicyPort.tcp(S3_PORT)];
    clientsOnly.addIngressRule(kplus.Pods.select(this, "workflow-pods", { labels: { ...ARTIFACT_CLIENT_LABEL } }), s3);
    clientsOnly.addIngressRule(kplus.Namespaces.select(this, "argo-server", { names: [props.argoNamespace] }), s3);
  }
}

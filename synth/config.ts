/**
 * The deployment settings, typed, with defaults: one place for everything that differs between
 * one cluster and another. The cdk8s app (this folder) renders manifests from it, and
 * `npm run images` names the images from it, so the manifests and the images cannot disagree.
 *
 * To deploy somewhere else, change `defaultConfig` below (or build another `DeploymentConfig`
 * in `synth/main.ts`), run `npm run synth`, and commit `dist/`.
 */
import type { StepName } from "../steps/pipeline.ts";

export interface ImageConfig {
  /** e.g. `registry.example.com:5000/stock-rsi`; the image name is `<registry>/<step>`. */
  readonly registry: string;
  /** A pinned tag; never `latest`. */
  readonly tag: string;
}

/** A directory exported by an NFS server, mounted with `nfsvers=4.1` as the user's cluster does. */
export interface NfsExport {
  readonly server: string;
  readonly path: string;
}

/** A static NFS PersistentVolume and the claim bound to it. */
export interface NfsStorage {
  readonly nfs: NfsExport;
  /** The capacity the volume advertises, e.g. `30Gi` (NFS does not enforce it). */
  readonly size: string;
}

export interface ScheduleConfig {
  /** Cron expressions (Argo v4's `schedules` list), read in `timeZone`. */
  readonly crons: readonly string[];
  /** IANA time zone of the crons; the market's, so a run follows the close through daylight saving. */
  readonly timeZone: string;
}

export interface MysqlConfig {
  /** The official image, pinned to the 8.4 LTS line. */
  readonly image: string;
  readonly storage: NfsStorage;
  /**
   * Networks (CIDR) besides the pipeline's persist pods that may reach MySQL on 3306, e.g. the
   * nodes' network for a `mysql` client run on a node, or Excel over ODBC through a NodePort.
   * Empty: only the pipeline (and `kubectl exec` / `kubectl port-forward`, which bypass it).
   */
  readonly allowedClientCidrs: readonly string[];
}

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

export interface DeploymentConfig {
  readonly namespace: string;
  readonly images: ImageConfig;
  /**
   * The numeric user (and group) the step containers run as: the images' non-root user (65532,
   * distroless's `nonroot`, see the Dockerfile). The pods state it so Kubernetes can enforce
   * `runAsNonRoot`.
   */
  readonly stepRunAsUser: number;
  /** The symbols file, relative to the repository root; synth copies it into a ConfigMap. */
  readonly symbolsFile: string;
  /**
   * Defaults for the pipeline's run parameters (`steps/pipeline.ts`), by parameter name, e.g.
   * `{ method: "wilder" }`; `argo submit -p` still overrides them per run. Unknown names fail synth.
   */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Values for the pipeline's settings (`SETTINGS` in `steps/pipeline.ts`) beyond the ones the
   * manifests derive themselves (`db`, `run-id`): text passes `--NAME TEXT` ("" passes nothing),
   * a switch passes `--NAME` when true. A setting set nowhere takes its definition's default, as
   * in a local run; a name the pipeline does not define fails synth.
   */
  readonly settings: Readonly<Record<string, string | boolean>>;
  readonly schedule: ScheduleConfig;
  readonly mysql: MysqlConfig;
  readonly artifacts: ArtifactStoreConfig;
  /** The namespace Argo Workflows runs in; its server reads artifacts for the UI. */
  readonly argoNamespace: string;
}

export const defaultConfig: DeploymentConfig = {
  namespace: "stock-rsi",
  images: { registry: "localhost:5000/stock-rsi", tag: "0.1.0" },
  stepRunAsUser: 65532,
  symbolsFile: "symbols",
  parameters: {},
  settings: {
    // "": fetch talks to Yahoo itself. Set a base URL (scheme://host:port) to use a mirror.
    "yahoo-url": "",
    // false: persist also keeps the user's wide `stocks` table (Excel over ODBC) up to date.
    "no-wide-table": false,
  },
  schedule: {
    // 17:30 New York time, Monday to Friday: 90 minutes after the 16:00 close, when Yahoo's
    // daily bar for the day has settled.
    crons: ["30 17 * * 1-5"],
    timeZone: "America/New_York",
  },
  mysql: {
    image: "mysql:8.4",
    storage: { nfs: { server: "c1-nfs1", path: "/export/volumes/mysql" }, size: "30Gi" },
    allowedClientCidrs: [],
  },
  artifacts: {
    kind: "in-cluster",
    image: "chrislusf/seaweedfs:3.94",
    bucket: "stock-rsi-artifacts",
    storage: { nfs: { server: "c1-nfs1", path: "/export/volumes/stock-rsi-artifacts" }, size: "5Gi" },
    runAsUser: 1000,
  },
  argoNamespace: "argo",
};

/** The full image reference a step's container runs, e.g. `localhost:5000/stock-rsi/fetch:0.1.0`. */
export function imageFor(step: StepName, config: DeploymentConfig = defaultConfig): string {
  return `${config.images.registry}/${step}:${config.images.tag}`;
}

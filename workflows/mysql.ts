/**
 * MySQL as Kubernetes' single-instance tutorial runs it, hardened: one mysqld, its data on the
 * NFS volume, its passwords from a Secret the user creates, reachable on 3306 only by the pods
 * the pipeline marks as its clients.
 *
 * - One replica with `strategy: Recreate`: a rolling update would start a second mysqld on the
 *   same data directory before stopping the first, and two InnoDB instances on one directory
 *   corrupt it. Never scale it.
 * - `mysql:8.4`, the LTS line (8.4.x patch releases keep the on-disk format); never `latest`,
 *   which moved to the 9.x innovation line.
 * - The probes never kill a first initialisation: on an empty NFS directory mysqld initialises
 *   the data directory, runs a temporary server for the init script, and restarts, which can take
 *   minutes; the startup probe allows ten, and liveness only starts counting after it.
 * - It runs as the image's `mysql` user, uid/gid 999. The in-tree NFS volume ignores `fsGroup`,
 *   so the export itself must be owned by 999:999 (see the README).
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IService } from "kubernetes-models/v1/Service";
import { Construct } from "constructs";
import type { MysqlAccounts } from "../steps/store/mysql/grants.ts";
import { kube } from "./kube.ts";
import { componentLabels, MYSQL_CLIENT_LABEL } from "./labels.ts";
import { mysqlInitScript, PASSWORD_ENV } from "./mysql-init.ts";
import type { NfsVolume } from "./nfs-volume.ts";
import type { PodNeeds } from "./pipeline-template.ts";

/** The Secret the user creates (README: "Deploy to your cluster"); its keys. */
export const MYSQL_SECRET = {
  name: "mysql-credentials",
  rootPassword: "root-password",
  pipelinePassword: "pipeline-password",
  readerPassword: "reader-password",
} as const;

export const MYSQL_PORT = 3306;
const MYSQL_UID = 999;

export interface MysqlDatabaseProps {
  readonly namespace: string;
  readonly image: string;
  readonly accounts: MysqlAccounts;
  /** Where the data directory lives. */
  readonly dataVolume: NfsVolume;
  /** Networks besides the pipeline's clients that may connect (e.g. the nodes, for a `mysql` client). */
  readonly allowedClientCidrs: readonly string[];
}

export class MysqlDatabase extends Construct {
  readonly serviceName = "mysql";
  private readonly props: MysqlDatabaseProps;

  constructor(scope: Construct, id: string, props: MysqlDatabaseProps) {
    super(scope, id);
    this.props = props;
    const { namespace } = props;
    const labels = componentLabels("mysql", "database");

    const initScript = kube<IConfigMap>(this, "init-script", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "mysql-init", namespace, labels },
      data: { "10-stock-rsi.sh": mysqlInitScript(props.accounts) },
    });

    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: MYSQL_SECRET.name, key } } });
    const ping = (extra: Partial<IProbe>): IProbe => ({
      // `mysqladmin ping` answers 0 whenever the server responds, even "access denied", so it
      // needs no password. Over TCP on purpose: during initialisation the temporary server
      // listens on the socket only, so the pod is not "started" until the real one is up.
      exec: { command: ["mysqladmin", "ping", "--host=127.0.0.1", `--port=${MYSQL_PORT}`, "--silent"] },
      timeoutSeconds: 5,
      ...extra,
    });

    kube<IDeployment>(this, "server", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "mysql", namespace, labels },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "app.kubernetes.io/name": "mysql" } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: MYSQL_UID,
              runAsGroup: MYSQL_UID,
              fsGroup: MYSQL_UID,
              seccompProfile: { type: "RuntimeDefault" },
            },
            // mysqld flushes InnoDB on SIGTERM; give it time on a slow NFS server.
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: "mysql",
                image: props.image,
                imagePullPolicy: "IfNotPresent",
                env: [
                  secretEnv("MYSQL_ROOT_PASSWORD", MYSQL_SECRET.rootPassword),
                  secretEnv(PASSWORD_ENV.pipeline, MYSQL_SECRET.pipelinePassword),
                  secretEnv(PASSWORD_ENV.reader, MYSQL_SECRET.readerPassword),
                ],
                ports: [{ name: "mysql", containerPort: MYSQL_PORT, protocol: "TCP" }],
                startupProbe: ping({ periodSeconds: 10, failureThreshold: 60 }),
                readinessProbe: ping({ periodSeconds: 10, failureThreshold: 3 }),
                livenessProbe: ping({ periodSeconds: 20, failureThreshold: 6 }),
                resources: {
                  requests: { cpu: "250m", memory: "512Mi" },
                  limits: { cpu: "1", memory: "1Gi" },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [
                  { name: "data", mountPath: "/var/lib/mysql" },
                  { name: "init-script", mountPath: "/docker-entrypoint-initdb.d", readOnly: true },
                  // The only other paths mysqld and its entrypoint write to.
                  { name: "run", mountPath: "/var/run/mysqld" },
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "files", mountPath: "/var/lib/mysql-files" },
                ],
              },
            ],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName: props.dataVolume.claimName } },
              // 0444: not executable, so the entrypoint sources the script instead of running it.
              { name: "init-script", configMap: { name: initScript.name, defaultMode: 0o444 } },
              { name: "run", emptyDir: {} },
              { name: "tmp", emptyDir: {} },
              { name: "files", emptyDir: {} },
            ],
          },
        },
      },
    });

    kube<IService>(this, "service", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: this.serviceName, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: { "app.kubernetes.io/name": "mysql" },
        ports: [{ name: "mysql", port: MYSQL_PORT, targetPort: "mysql", protocol: "TCP" }],
      },
    });

    const peers: INetworkPolicyPeer[] = [
      { podSelector: { matchLabels: { ...MYSQL_CLIENT_LABEL } } },
      ...props.allowedClientCidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ];
    kube<INetworkPolicy>(this, "clients-only", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "mysql-clients-only", namespace, labels },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "mysql" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: peers, ports: [{ protocol: "TCP", port: MYSQL_PORT }] }],
      },
    });
  }

  /** The `--db` URL the pipeline connects with; the password arrives separately, as a file. */
  get pipelineUrl(): string {
    const { accounts, namespace } = this.props;
    return `mysql://${accounts.pipelineUser}@${this.serviceName}.${namespace}.svc:${MYSQL_PORT}/${accounts.database}`;
  }

  /**
   * What a pod needs to connect as the pipeline account: the password as a mounted Secret file
   * (named by `MYSQL_PASSWORD_FILE`, never in the environment or the argv) and the label MySQL's
   * NetworkPolicy admits.
   */
  get pipelineClient(): PodNeeds {
    const dir = "/var/run/secrets/stock-rsi/mysql";
    return {
      labels: MYSQL_CLIENT_LABEL,
      env: [{ name: "MYSQL_PASSWORD_FILE", value: `${dir}/password` }],
      volumes: [
        {
          name: "mysql-password",
          secret: { secretName: MYSQL_SECRET.name, items: [{ key: MYSQL_SECRET.pipelinePassword, path: "password" }], defaultMode: 0o440 },
        },
      ],
      volumeMounts: [{ name: "mysql-password", mountPath: dir, readOnly: true }],
    };
  }
}

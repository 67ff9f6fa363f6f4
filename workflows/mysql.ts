/**
 * MySQL as Kubernetes' single-instance tutorial runs it, hardened: one mysqld, its data on the
 * NFS volume, its passwords from a Secret the user creates, reachable on 3306 only by the pods
 * allowed to (`allowFrom`): the pipeline's persist step, and the networks the config names.
 *
 * - One replica with `strategy: Recreate`: a rolling update would start a second mysqld on the
 *   same data directory before stopping the first, and two InnoDB instances on one directory
 *   corrupt it. Never scale it.
 * - A patch release of the 8.4 LTS line (`mysql:8.4.10` by default, synth/config.ts): 8.4.x patch
 *   releases keep the on-disk format, but a moving tag (`8.4`, `lts`, `latest`) would change the
 *   server under the data whenever a node pulls again.
 * - root exists only as `root@localhost`, on the local socket (`MYSQL_ROOT_HOST=localhost`; the
 *   entrypoint's default `%` would add a root reachable over the network). Nothing of stock-rsi
 *   connects as root.
 * - The probes never kill a first initialisation: on an empty NFS directory mysqld initialises
 *   the data directory, runs a temporary server for the init script, and restarts, which can take
 *   minutes; the startup probe allows ten, and liveness only starts counting after it. (Given a
 *   port, cdk8s-plus would add its own startup probe of about 30 s; this one replaces it.)
 * - It runs as the image's `mysql` user, uid/gid 999. The in-tree NFS volume ignores `fsGroup`,
 *   so the export itself must be owned by 999:999 (docs/deploying.md).
 * - Its pods are selected by `app.kubernetes.io/name: mysql`, never by cdk8s-plus' label derived
 *   from the construct's path: a Deployment's selector cannot change once applied, and moving this
 *   construct in the code must not force deleting the Deployment (or restart mysqld).
 */
import { Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import type { MysqlAccounts } from "../steps/store/mysql/grants.ts";
import { fromSecret, RESTRICTED_CONTAINER } from "./containers.ts";
import { componentLabels, MYSQL_CLIENT_LABEL, pinPodLabels } from "./labels.ts";
import { mysqlInitScript, mysqlPasswordResetScript, PASSWORD_ENV, PASSWORD_RESET } from "./mysql-init.ts";
import type { NfsVolume } from "./nfs-volume.ts";
import type { PodNeeds } from "./pipeline-template.ts";

/** The Secret the user creates (docs/deploying.md, step 4); its keys. */
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
}

/**
 * A MySQL image that cannot change under the data: a patch release of the 8.4 LTS line
 * (`mysql:8.4.10`), or any image pinned by digest (`...@sha256:<64 hex>`).
 */
export const PINNED_MYSQL_IMAGE = /^(?:[^@\s]*:8\.4\.\d+(?:-[\w.]+)?|[^@\s]+@sha256:[0-9a-f]{64})$/;

export class MysqlDatabase extends Construct {
  readonly serviceName = "mysql";
  /**
   * The pods that may connect as the pipeline: those carrying `MYSQL_CLIENT_LABEL`, which
   * `pipelineClient` gives to the steps that use the database.
   */
  readonly pipelineClients: kplus.Pods;
  private readonly props: MysqlDatabaseProps;
  private readonly clientsOnly: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: MysqlDatabaseProps) {
    super(scope, id);
    if (!PINNED_MYSQL_IMAGE.test(props.image)) {
      throw new Error(`mysql.image ${props.image}: pin a patch release of 8.4 (mysql:8.4.10) or a digest; a moving tag changes the server under the data`);
    }
    this.props = props;
    const { namespace } = props;
    const labels = componentLabels("mysql", "database");
    const pods = kplus.Pods.select(this, "pods", { labels: { "app.kubernetes.io/name": "mysql" } });
    const credentials = kplus.Secret.fromSecretName(this, "credentials", MYSQL_SECRET.name);

    const initScript = new kplus.ConfigMap(this, "init-script", {
      metadata: { name: "mysql-init", namespace, labels },
      data: { "10-stock-rsi.sh": mysqlInitScript(props.accounts) },
    });
    // Run by hand when the Secret was made anew after the first start (docs/deploying.md).
    const passwordReset = new kplus.ConfigMap(this, "password-reset", {
      metadata: { name: "mysql-password-reset", namespace, labels },
      data: { [PASSWORD_RESET.file]: mysqlPasswordResetScript(props.accounts) },
    });

    const server = new kplus.Deployment(this, "server", {
      metadata: { name: "mysql", namespace, labels },
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      podMetadata: { labels },
      automountServiceAccountToken: false,
      securityContext: { user: MYSQL_UID, group: MYSQL_UID, fsGroup: MYSQL_UID, ensureNonRoot: true },
      // mysqld flushes InnoDB on SIGTERM; give it time on a slow NFS server.
      terminationGracePeriod: Duration.seconds(60),
    });
    server.select(kplus.LabelSelector.of({ labels: { "app.kubernetes.io/name": "mysql" } }));
    pinPodLabels(server);

    // `mysqladmin ping` answers 0 whenever the server responds, even "access denied", so it needs
    // no password. Over TCP on purpose: during initialisation the temporary server listens on the
    // socket only, so the pod is not "started" until the real one is up.
    const ping = (periodSeconds: number, failureThreshold: number) =>
      kplus.Probe.fromCommand(["mysqladmin", "ping", "--host=127.0.0.1", `--port=${MYSQL_PORT}`, "--silent"], {
        periodSeconds: Duration.seconds(periodSeconds),
        failureThreshold,
        timeoutSeconds: Duration.seconds(5),
      });

    const mysqld = server.addContainer({
      name: "mysql",
      image: props.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      envVariables: {
        MYSQL_ROOT_PASSWORD: fromSecret(credentials, MYSQL_SECRET.rootPassword),
        MYSQL_ROOT_HOST: kplus.EnvValue.fromValue("localhost"),
        [PASSWORD_ENV.pipeline]: fromSecret(credentials, MYSQL_SECRET.pipelinePassword),
        [PASSWORD_ENV.reader]: fromSecret(credentials, MYSQL_SECRET.readerPassword),
      },
      ports: [{ name: "mysql", number: MYSQL_PORT, protocol: kplus.Protocol.TCP }],
      startup: ping(10, 60),
      readiness: ping(10, 3),
      liveness: ping(20, 6),
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
      },
      securityContext: RESTRICTED_CONTAINER,
    });
    // MySQL keeps its data on the NFS volume.
    mysqld.mount("/var/lib/mysql", kplus.Volume.fromPersistentVolumeClaim(this, "data", props.dataVolume.claim, { name: "data" }));
    // 0444: not executable, so the entrypoint sources the script instead of running it.
    mysqld.mount("/docker-entrypoint-initdb.d", kplus.Volume.fromConfigMap(this, "init", initScript, { name: "init-script", defaultMode: 0o444 }), {
      readOnly: true,
    });
    mysqld.mount(PASSWORD_RESET.directory, kplus.Volume.fromConfigMap(this, "reset", passwordReset, { name: "password-reset", defaultMode: 0o444 }), {
      readOnly: true,
    });
    // The only other paths mysqld and its entrypoint write to.
    mysqld.mount("/var/run/mysqld", kplus.Volume.fromEmptyDir(this, "run", "run"));
    mysqld.mount("/tmp", kplus.Volume.fromEmptyDir(this, "tmp", "tmp"));
    mysqld.mount("/var/lib/mysql-files", kplus.Volume.fromEmptyDir(this, "files", "files"));

    new kplus.Service(this, "service", {
      metadata: { name: this.serviceName, namespace, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: pods,
      ports: [{ name: "mysql", port: MYSQL_PORT, targetPort: MYSQL_PORT, protocol: kplus.Protocol.TCP }],
    });

    // Nothing reaches mysqld but what `allowFrom` admits.
    this.clientsOnly = new kplus.NetworkPolicy(this, "clients-only", {
      metadata: { name: "mysql-clients-only", namespace, labels },
      selector: pods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    this.pipelineClients = kplus.Pods.select(this, "pipeline-clients", { labels: { ...MYSQL_CLIENT_LABEL } });
    this.allowFrom(this.pipelineClients);
  }

  /** Lets `peer` (pods, or a network) connect to MySQL on 3306. */
  allowFrom(peer: kplus.INetworkPolicyPeer): void {
    this.clientsOnly.addIngressRule(peer, [kplus.NetworkPolicyPort.tcp(MYSQL_PORT)]);
  }

  /** The `--db` URL the pipeline connects with; the password arrives separately, as a file. */
  get pipelineUrl(): string {
    const { accounts, namespace } = this.props;
    return `mysql://${accounts.pipelineUser}@${this.serviceName}.${namespace}.svc:${MYSQL_PORT}/${accounts.database}`;
  }

  /**
   * What a pod needs to connect as the pipeline account: the password as a mounted Secret file
   * (named by `MYSQL_PASSWORD_FILE`, never in the environment or the argv) and the label that
   * makes it one of `pipelineClients`.
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

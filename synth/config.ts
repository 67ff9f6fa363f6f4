/**
 * The deployment settings, typed, with defaults: one place for everything that differs between
 * one cluster and another. The cdk8s app (this folder) renders manifests from it, and
 * `npm run images` names the images from it, so the manifests and the images cannot disagree.
 *
 * To deploy somewhere else, change `defaultConfig` below (or build another `DeploymentConfig`
 * in `synth/main.ts`), run `npm run synth`, and commit `dist/`.
 */
import type { DeploymentConfig } from "../workflows/stock-rsi.ts";

export const defaultConfig: DeploymentConfig = {
  namespace: "stock-rsi",
  // `npm run images -- --push` builds and pushes `<registry>/<step>:<tag>` and records each image's
  // digest in synth/image-digests.json, which synth/main.ts reads: dist/ then names every image
  // by its digest.
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
    // The newest 8.4 LTS patch release: docker-library/mysql's versions.json (commit 99f090f,
    // 2026-06-16). A patch release, never the moving `8.4`: a node pulling again must not change
    // the server under the data.
    image: "mysql:8.4.10",
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
  // Where docs/deploying.md opens the UI (a port-forward); set the address your browser uses.
  argoUiUrl: "https://localhost:2746",
  // The Prometheus Operator's PodMonitor and PrometheusRule (dist/0004-monitoring.k8s.yaml). Set
  // the labels your Prometheus selects them by; false without the Operator (docs/deploying.md).
  monitoring: { prometheusOperator: true, labels: {} },
};

/**
 * The Prometheus Operator release whose CRDs check the PodMonitor and PrometheusRule in `dist/`
 * (vendored byte for byte under `workflows/prometheus-operator/<tag>/`; README.md says where from).
 */
import { resolve } from "node:path";

export const PROMETHEUS_OPERATOR_RELEASE = { tag: "v0.93.0", commit: "f8fafd475f3d132e239432ae6172de60a6cb6516" } as const;

export const PROMETHEUS_OPERATOR_CRDS = ["monitoring.coreos.com_podmonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml"].map((file) =>
  resolve(import.meta.dirname, PROMETHEUS_OPERATOR_RELEASE.tag, file),
);

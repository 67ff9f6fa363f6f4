/**
 * The deployment settings, typed, with defaults: one place for everything that differs between
 * one cluster and another. The cdk8s app (this folder) renders manifests from it, and
 * `npm run images` names the images from it, so the manifests and the images cannot disagree.
 */
import type { StepName } from "../steps/pipeline.ts";

export interface ImageConfig {
  /** e.g. `registry.example.com:5000/stock-rsi`; the image name is `<registry>/<step>`. */
  readonly registry: string;
  /** A pinned tag; never `latest`. */
  readonly tag: string;
}

export interface DeploymentConfig {
  readonly namespace: string;
  readonly images: ImageConfig;
}

export const defaultConfig: DeploymentConfig = {
  namespace: "stock-rsi",
  images: { registry: "localhost:5000/stock-rsi", tag: "0.1.0" },
};

/** The full image reference a step's container runs, e.g. `localhost:5000/stock-rsi/fetch:0.1.0`. */
export function imageFor(step: StepName, config: DeploymentConfig = defaultConfig): string {
  return `${config.images.registry}/${step}:${config.images.tag}`;
}

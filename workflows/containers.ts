/**
 * What every container stock-rsi ships has in common, written once: the locked-down security
 * settings, and environment variables read from a Secret the user creates.
 */
import * as kplus from "cdk8s-plus-33";

/**
 * A container that cannot gain privileges, write its image's filesystem, or use any Linux
 * capability, under the runtime's default seccomp filter: Kubernetes' "restricted" Pod Security
 * Standard. Each workload mounts the few paths it must write (`/tmp`, data directories) as volumes.
 *
 * The object fits both cdk8s-plus' container props (MySQL, SeaweedFS) and the Kubernetes
 * `SecurityContext` inside Argo's templates (the pipeline's steps), so the two cannot drift.
 */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
} satisfies kplus.ContainerSecurityContextProps;

/**
 * An environment variable filled from one key of a Secret. The Secrets are created by the user
 * with kubectl (docs/deploying.md), never synthesized: `dist/` holds no credentials.
 */
export function fromSecret(secret: kplus.ISecret, key: string): kplus.EnvValue {
  return kplus.EnvValue.fromSecretValue({ secret, key });
}

/**
 * When the kubelet pulls a container's image. A reference with a digest names one build for
 * ever, so a node that has it never asks again (`IfNotPresent`); a bare tag may be pushed again
 * with another build, so the kubelet asks the registry what the tag names at every container
 * start and pulls only when that differs from what it has (`Always`; Kubernetes' "Images" page,
 * "Image pull policy"). Without this a rebuilt image under the same tag would never reach a node
 * that ran the old one.
 */
export function pullPolicyFor(image: string): "IfNotPresent" | "Always" {
  return /@sha256:[0-9a-f]{64}$/.test(image) ? "IfNotPresent" : "Always";
}

/**
 * buildah as the image tests and `npm run bench:images` use it: a storage of their own under the
 * CI cache (so the stand-in bases and the layer cache survive between runs on one machine),
 * chroot isolation (no container runtime needed), and a way to run one image the way a pod runs
 * it: the image's numeric user, a read-only root filesystem, `/tmp` and the artifact directories
 * writable, nothing else.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { exec, REPO_ROOT, type CliResult } from "../../support/cli.ts";
import type { ContainerRun } from "../../support/argo-dag-runner.ts";


/** Runs a command that must succeed; its stderr becomes the error. */
export async function must(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await exec(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.code}:\n${result.stderr.trim()}`);
  return result.stdout;
}

/** The CI cache shared with .ci/node24-tests (Node 24 lives in it too). */
export const CI_CACHE = process.env.STOCK_RSI_CI_CACHE ?? join(REPO_ROOT, "build/ci");

/**
 * The environment every buildah call of the tests gets. The storage driver is overlay where the
 * kernel allows it (a container shares its image's files) and vfs otherwise (every container is
 * a full copy: correct, several times slower); STOCK_RSI_STORAGE_DRIVER forces one.
 */
export async function buildahEnv(): Promise<NodeJS.ProcessEnv> {
  if (process.getuid?.() !== 0) {
    throw new Error("the image tests need root (buildah without a container runtime, read-only bind mounts); .ci/run runs them with sudo");
  }
  const forced = process.env.STOCK_RSI_STORAGE_DRIVER;
  for (const driver of forced ? [forced] : ["overlay", "vfs"]) {
    const env = storageEnv(driver);
    if (forced || (await storageWorks(env))) return env;
  }
  throw new Error("buildah cannot use this machine's storage (neither overlay nor vfs)");
}

function storageEnv(driver: string): NodeJS.ProcessEnv {
  const dir = join(CI_CACHE, "containers", driver);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "storage.conf");
  writeFileSync(conf, `[storage]\ndriver = "${driver}"\ngraphroot = "${dir}/storage"\nrunroot = "${dir}/run"\n`);
  return { ...process.env, CONTAINERS_STORAGE_CONF: conf, BUILDAH_ISOLATION: "chroot" };
}

async function storageWorks(env: NodeJS.ProcessEnv): Promise<boolean> {
  const from = await exec("buildah", ["from", "scratch"], { env });
  if (from.code !== 0) return false;
  const container = from.stdout.trim();
  const mounted = await exec("buildah", ["mount", container], { env });
  await exec("buildah", ["rm", container], { env });
  return mounted.code === 0;
}

export interface Volume {
  readonly host: string;
  readonly container: string;
  readonly readOnly?: boolean;
}

export interface PodSpec {
  readonly image: string;
  /** What a pod's `command` + `args` are: the full argv, run without a shell. */
  readonly argv: readonly string[];
  readonly volumes?: readonly Volume[];
  readonly env?: Readonly<Record<string, string>>;
  /** `uid:gid`, as a pod's `runAsUser`/`runAsGroup`; default: the image's USER. */
  readonly user?: string | undefined;
}

/**
 * The pod a kubelet would start for one of runDag's containers: the template's image, argv and
 * user, and each folder the template declares an artifact file in bind-mounted from the folder
 * runDag put that file in (or expects it in), writable by any user as the pod's emptyDir is by
 * its fsGroup. What stands in for the cluster's services is the caller's to add.
 */
export function podFor(container: ContainerRun): PodSpec & { readonly volumes: readonly Volume[] } {
  const folders = new Map<string, string>();
  for (const file of [...container.inputs, ...container.outputs]) {
    const host = dirname(file.hostPath);
    if (basename(file.hostPath) !== basename(file.path) || (folders.get(dirname(file.path)) ?? host) !== host) {
      throw new Error(`task ${container.task}: ${file.path} cannot be ${file.hostPath} through a mounted folder`);
    }
    folders.set(dirname(file.path), host);
  }
  for (const host of folders.values()) chmodSync(host, 0o777);
  return {
    image: container.image,
    argv: container.argv,
    volumes: [...folders].map(([path, host]) => ({ host, container: path })),
    user: userOf(container),
  };
}

/** `runAsUser[:runAsGroup]` as `buildah run --user` takes it; undefined: the image's USER. */
function userOf({ task, runAsUser, runAsGroup }: ContainerRun): string | undefined {
  if (runAsUser === undefined) {
    if (runAsGroup !== undefined) throw new Error(`task ${task}: runAsGroup without runAsUser is not something buildah run --user can say`);
    return undefined;
  }
  return runAsGroup === undefined ? String(runAsUser) : `${runAsUser}:${runAsGroup}`;
}

/**
 * Runs one process of an image as a pod with `readOnlyRootFilesystem: true` runs it: the image's
 * USER (buildah run honours it) or the pod's, the root filesystem read-only, a fresh tmpfs on
 * /tmp (unless a volume is mounted there), the volumes writable, the host's network (where the
 * tests' servers listen on 127.0.0.1).
 *
 * buildah 1.28 has no `--read-only`, so the container's root is bind-mounted read-only over
 * itself before the run. buildah creates its mount points (/etc/hosts, the volume directories)
 * in the root on a first run, which therefore comes first (`stock-rsi --help`, writable root);
 * /run stays a small tmpfs because buildah writes /run/.containerenv on every run. Needs root.
 */
export async function runInPod(spec: PodSpec, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const container = (await must("buildah", ["from", "--pull=false", "--quiet", spec.image], { env })).trim();
  let root = "";
  const mounted: string[] = [];
  try {
    root = (await must("buildah", ["mount", container], { env })).trim();
    const runArgs = ["run", "--network", "host"];
    if (spec.user) runArgs.push("--user", spec.user);
    if (!(spec.volumes ?? []).some((v) => v.container === "/tmp")) runArgs.push("--mount", "type=tmpfs,destination=/tmp");
    for (const v of spec.volumes ?? []) runArgs.push("--volume", `${v.host}:${v.container}${v.readOnly ? ":ro" : ""}`);
    for (const [name, value] of Object.entries(spec.env ?? {})) runArgs.push("--env", `${name}=${value}`);
    const warmUp = await exec("buildah", [...runArgs, container, "--", "stock-rsi", "--help"], { env });
    if (warmUp.code !== 0) throw new Error(`${spec.image}: stock-rsi --help exited with ${warmUp.code}:\n${warmUp.stderr}`);

    await must("mount", ["--bind", root, root]);
    mounted.push(root);
    await must("mount", ["-o", "remount,bind,ro", root]);
    await must("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0755", "stock-rsi-run", join(root, "run")]);
    mounted.push(join(root, "run"));

    return await exec("buildah", [...runArgs, container, "--", ...spec.argv], { env });
  } finally {
    // A lazy unmount if the plain one finds the mount still busy (buildah's child just exiting).
    for (const path of mounted.reverse()) if ((await exec("umount", [path])).code !== 0) await exec("umount", ["--lazy", path]);
    if (root) await exec("buildah", ["umount", container], { env });
    await exec("buildah", ["rm", container], { env });
  }
}

/**
 * The four step images, built the way CI builds them: stand-in bases from Debian's packages and
 * the npm registry (`images/standin-bases.sh`), then the real Dockerfile with buildah, through
 * the same code as `npm run images`.
 */
import { join } from "node:path";
import { buildImage, type Builder } from "../../../images/build.ts";
import { pipeline, type StepName } from "../../../steps/pipeline.ts";
import { REPO_ROOT } from "../../support/cli.ts";
import { must } from "./buildah.ts";

export const BUILDER: Builder = "buildah";

export interface BuiltImages {
  /** The Dockerfile ARGs pointing at the stand-in bases. */
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly refs: Readonly<Record<StepName, string>>;
}

export async function buildStepImages(env: NodeJS.ProcessEnv): Promise<BuiltImages> {
  const standins = await must(join(REPO_ROOT, "images/standin-bases.sh"), [], { env });
  const buildArgs = Object.fromEntries(
    standins
      .split("\n")
      .filter((line) => /^NODE_(BUILD_)?BASE=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const refs = {} as Record<StepName, string>;
  for (const { name } of pipeline.steps) {
    const output: string[] = [];
    try {
      // The build stage's `npm ci` reaches the npm registry through this machine's TLS proxy:
      // buildImage passes $NODE_EXTRA_CA_CERTS as the build secret, never as a file in a layer.
      refs[name] = await buildImage({ builder: BUILDER, step: name, buildArgs, env, log: (text) => void output.push(text) });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output.join("").slice(-4000)}`);
    }
  }
  return { buildArgs, refs };
}

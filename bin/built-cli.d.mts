/** See built-cli.mjs: the URL of the built entry point, or undefined when the sources must run. */
export function freshBuild(repoRoot: string, buildDir?: string): string | undefined;

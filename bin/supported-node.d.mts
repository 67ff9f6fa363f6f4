/** See supported-node.mjs. */
export const NODE_DOWNLOAD_URL: string;
export interface NodeRequirement {
  readonly range: string;
  readonly newest: number;
  readonly described: string;
  accepts(version: string): boolean;
}
export function nodeRequirement(range: string): NodeRequirement;
export function projectNodeRequirement(repoRoot: string): NodeRequirement;

/**
 * The one function of `swagger2openapi` (a CommonJS package without type declarations) that
 * `generate.ts` calls. With `patch`, small Swagger 2 mistakes are fixed rather than refused;
 * with `warnOnly`, what cannot be fixed is marked (`x-s2o-warning`) instead of aborting.
 */
declare module "swagger2openapi" {
  interface ConvertOptions {
    readonly patch?: boolean;
    readonly warnOnly?: boolean;
  }
  interface ConvertResult {
    readonly openapi: Record<string, unknown>;
  }
  export function convertObj(swagger: unknown, options: ConvertOptions): Promise<ConvertResult>;
}

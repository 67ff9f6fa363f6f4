/**
 * The renderers are pure: plain data in, a string out. They import only each other and the
 * shared domain, no package and no Node built-in (so no file, network or database), and read
 * no clock, environment or randomness, so the same input always gives the same bytes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./fixture.ts";

const DIR = "steps/report";
const modules = readdirSync(join(REPO_ROOT, DIR)).filter((f) => f.endsWith(".ts"));
const source = (file: string) => readFileSync(join(REPO_ROOT, DIR, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");

describe("steps/report/", () => {
  it("imports only itself and steps/domain/", () => {
    expect(modules.length).toBeGreaterThan(0);
    for (const file of modules) {
      const specifiers = [...source(file).matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
      for (const spec of specifiers) expect(spec, file).toMatch(/^\.\/[\w-]+\.ts$|^\.\.\/domain\/[\w-]+\.ts$/);
    }
  });

  it("reads no clock, environment or randomness", () => {
    for (const file of modules) expect(source(file), file).not.toMatch(/\bDate\.now\b|new Date\(|\bprocess\.|Math\.random|performance\./);
  });
});

/**
 * The README and docs/ stay reachable and true: every relative link leads to a file that exists
 * (and, with `#anchor`, to a heading in it), every page in docs/ is linked from the README, and the
 * commands they show exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAllCommands } from "../cli/program.ts";
import { captureIo, REPO_ROOT } from "./support/cli.ts";

const pages = ["README.md", ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), "test/fixtures/README.md"];
const read = (page: string) => readFileSync(join(REPO_ROOT, page), "utf8");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsIn(page: string): Set<string> {
  const text = read(page).replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

/** `[text](target)` links that are not web addresses. */
function relativeLinks(page: string): string[] {
  const text = read(page).replace(/```[\s\S]*?```/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

describe("the README and docs/", () => {
  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const link of relativeLinks(page)) {
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? page : relative(REPO_ROOT, join(REPO_ROOT, dirname(page), path));
        if (!existsSync(join(REPO_ROOT, target))) broken.push(`${page}: ${link} (no file ${target})`);
        else if (anchor && target.endsWith(".md") && !anchorsIn(target).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("reach every page of docs/ from the README", () => {
    const linked = new Set(relativeLinks("README.md").map((l) => l.split("#")[0]));
    for (const page of pages.filter((p) => p.startsWith("docs/"))) expect(linked, page).toContain(page);
  });

  it("keep the README short enough for a newcomer to hold", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(200);
  });

  it("show only stock-rsi subcommands that exist", async () => {
    const names = new Set<string>();
    for (const factory of await loadAllCommands()) {
      const command = factory(captureIo(), async () => 0);
      names.add(command.name());
      command.aliases().forEach((a) => names.add(a));
    }
    for (const page of pages) {
      // A command as written to be run: `npx stock-rsi X`, `stock-rsi X` in backticks, a code line starting `stock-rsi X`.
      const text = read(page);
      const codeLines = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!).join("\n");
      const uses = [...text.matchAll(/(?:npx stock-rsi|`stock-rsi) ([a-z][a-z-]*)/g), ...codeLines.matchAll(/^stock-rsi ([a-z][a-z-]*)/gm)];
      for (const m of uses) expect(names, `${page}: stock-rsi ${m[1]}`).toContain(m[1]);
    }
  });
});

/**
 * `npm run synth:check`: synthesizes the app into a temporary directory and fails when the
 * result differs from the committed `dist/`, naming each file that differs. CI runs it, so
 * `dist/` (what a user applies without Node) is always exactly what the code says.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const committed = join(root, "dist");
const fresh = mkdtempSync(join(tmpdir(), "stock-rsi-synth-"));
try {
  execFileSync(join(root, "node_modules/.bin/cdk8s"), ["synth", "--no-check-upgrade", "--output", fresh], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const problems = compare(committed, fresh);
  if (problems.length > 0) {
    process.stderr.write(
      `synth:check: dist/ is not what \`cdk8s synth\` writes:\n${problems.map((p) => `  ${p}\n`).join("")}` +
        "run `npm run synth` and commit dist/\n",
    );
    process.exitCode = 1;
  } else {
    process.stderr.write(`synth:check: dist/ matches the app (${readdirSync(fresh).length} files)\n`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

function compare(expectedDir: string, actualDir: string): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  const have = list(expectedDir);
  const want = list(actualDir);
  const problems: string[] = [];
  for (const file of want) {
    if (!have.includes(file)) problems.push(`dist/${file}: missing`);
    else if (readFileSync(join(expectedDir, file), "utf8") !== readFileSync(join(actualDir, file), "utf8")) problems.push(`dist/${file}: differs`);
  }
  for (const file of have) if (!want.includes(file)) problems.push(`dist/${file}: not written by the app any more`);
  return problems;
}

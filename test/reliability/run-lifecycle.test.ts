/**
 * The local `run` from start to end: an artifacts directory that is a file, a run in which every
 * symbol failed (and the policy allowed it), a run stopped by SIGTERM or SIGINT, and which image
 * builder `npm run images` picks when a builder's command exists but does not work.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectBuilder } from "../../images/build.ts";
import { stockRsi, tempDir } from "../support/cli.ts";
import { expectPrintable, expectRefusal } from "./support.ts";

const dir = tempDir("stock-rsi-lifecycle-");
afterAll(() => dir.cleanup());
const symbols = join(dir.path, "symbols");
writeFileSync(symbols, "AAPL\nMSFT\n");

describe.concurrent("--artifacts-dir", () => {
  it("naming a file: exit 2, one line, no stack, nothing run", async () => {
    const file = join(dir.path, "a-file");
    writeFileSync(file, "not a directory");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--artifacts-dir", file]);
    expectRefusal(result, { code: 2, line: `--artifacts-dir ${file}: cannot use it as a directory (it is a file); give a directory (it is created if missing)` });
  });

  it("under a file: exit 2", async () => {
    const file = join(dir.path, "another-file");
    writeFileSync(file, "x");
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store", "--artifacts-dir", join(file, "sub")]);
    expectRefusal(result, { code: 2, line: `--artifacts-dir ${join(file, "sub")}: cannot use it as a directory (a parent is not a directory); give a directory (it is created if missing)` });
  });
});

describe("a run in which no symbol has a value", () => {
  it("with --max-failed-share 1 it passes, and persist says why nothing was stored, not --no-store", async () => {
    const prices = join(dir.path, "no-series.json");
    writeFileSync(prices, JSON.stringify({ schemaVersion: 1, kind: "prices", asOf: "2021-05-17", source: "sample", series: [], failures: [] }));
    const db = join(dir.path, "nothing.db");
    const result = await stockRsi(["run", symbols, "--source", `file:${prices}`, "--as-of", "2021-05-17", "--max-failed-share", "1", "--db", `sqlite:${db}`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("persist: nothing to store: none of the 2 symbols has a value\n");
    expect(result.stderr).not.toContain("--no-store");
    expect(result.stdout).toBe("");
    expect(existsSync(db)).toBe(false);
  });

  it("--no-store still says so", async () => {
    const result = await stockRsi(["run", symbols, "--source", "sample", "--as-of", "2021-05-17", "--no-store"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("persist: not storing (--no-store or --db none)\n");
  });
});

describe("a run stopped by a signal", () => {
  /** A run long enough to be stopped in fetch, with its own temporary directory to look into. */
  async function stopped(signal: "SIGTERM" | "SIGINT", name: string, extra: string[] = []) {
    const tmp = join(dir.path, `tmp-${name}`);
    mkdirSync(tmp);
    chmodSync(tmp, 0o777);
    const many = join(dir.path, `many-${name}`);
    writeFileSync(many, Array.from({ length: 6000 }, (_, i) => `S${i}`).join("\n"));
    let sent = false;
    const result = await stockRsi(["run", many, "--source", "sample", "--as-of", "2021-05-17", "--no-store", ...extra], {
      env: { TMPDIR: tmp },
      timeoutMs: 120_000,
      onStart: (child) =>
        child.stderr!.on("data", (d: Buffer) => {
          if (!sent && d.toString().includes("fetch: 6000 symbols from sample")) {
            sent = true;
            child.kill(signal);
          }
        }),
    });
    return { result, tmp };
  }

  it("SIGTERM during fetch: says what it stopped, removes its temporary directory, exits 143", async () => {
    const { result, tmp } = await stopped("SIGTERM", "term");
    expect(result.stderr).toMatch(new RegExp(`\\nrun: stopped by SIGTERM during fetch \\(step 1 of 4\\); nothing was stored; removed the temporary directory ${tmp.replace(/[.]/g, "\\.")}/stock-rsi-\\w+\\n$`));
    expect(result.code).toBe(143);
    expect(readdirSync(tmp).filter((f) => f.startsWith("stock-rsi-"))).toEqual([]);
    expectPrintable(result.stderr);
  }, 150_000);

  it("SIGINT (Ctrl-C) with --artifacts-dir: keeps the directory it was asked to keep, exits 130", async () => {
    const kept = join(dir.path, "kept");
    const { result } = await stopped("SIGINT", "int", ["--artifacts-dir", kept]);
    expect(result.stderr).toMatch(/\nrun: stopped by SIGINT during fetch \(step 1 of 4\); nothing was stored; the artifacts so far are in .*kept\n$/);
    expect(result.code).toBe(130);
    expect(existsSync(kept)).toBe(true);
  }, 150_000);
});

describe.concurrent("npm run images picks the first builder that works, and says why it skipped others", () => {
  /** A directory of stand-in builders: each answers its health check with the given status. */
  function builders(name: string, answers: Record<string, { code: number; say?: string }>): Record<string, string> {
    const bin = join(dir.path, `bin-${name}`);
    mkdirSync(bin);
    for (const [builder, { code, say }] of Object.entries(answers)) {
      writeFileSync(join(bin, builder), `#!/bin/sh\n${say ? `echo "${say}" >&2\n` : ""}exit ${code}\n`, { mode: 0o755 });
    }
    return { ...process.env, PATH: bin } as Record<string, string>;
  }

  it("docker on PATH without a daemon: podman is used, and the reason docker was not", async () => {
    const env = builders("no-daemon", {
      docker: { code: 1, say: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" },
      podman: { code: 0 },
    });
    expect(await detectBuilder(env)).toEqual({
      builder: "podman",
      skipped: ["docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"],
    });
  });

  it("docker that answers is used first", async () => {
    expect(await detectBuilder(builders("daemon", { docker: { code: 0 }, podman: { code: 0 } }))).toEqual({ builder: "docker", skipped: [] });
  });

  it("none that works: one error naming each and what it said", async () => {
    const env = builders("none", { docker: { code: 1, say: "Cannot connect to the Docker daemon" }, buildah: { code: 125, say: "cannot set up namespace" } });
    await expect(detectBuilder(env)).rejects.toThrow(
      "no image builder works here: docker: Cannot connect to the Docker daemon; podman: not installed; buildah: cannot set up namespace. Start or install one of docker, podman, buildah, or name one with --builder",
    );
  });
});

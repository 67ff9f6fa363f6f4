/**
 * The four step images, built from the real Dockerfile, and the pipeline run through them the way
 * Argo runs it: each step's container with the WorkflowTemplate's exact command and args, the
 * pod's numeric user, a read-only root filesystem, artifacts passed from step to step; fetch
 * downloads from the Yahoo double over HTTP, persist stores into a throwaway MariaDB.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectImage, measureImage, ownLayers, type ImageConfig, type ImageSize, type LayerSize } from "../../images/build.ts";
import { BUNDLE_DIR, BUNDLE_FILE, COMMAND_PATH } from "../../images/bundle.ts";
import { ExitCode } from "../../steps/domain/errors.ts";
import { pipeline, type StepName } from "../../steps/pipeline.ts";
import { defaultConfig, imageFor } from "../../synth/config.ts";
import { YAHOO_URL_ENV } from "../../steps/fetch/sources/yahoo-http.ts";
import { stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { YahooDouble } from "../support/yahoo-double.ts";
import { buildahEnv, runInPod, type ExecResult } from "./support/buildah.ts";
import { BUILDER, buildStepImages, type BuiltImages } from "./support/images.ts";
import { stepInvocations, type StepInvocation } from "./support/workflow.ts";

const STEPS = pipeline.steps.map((s) => s.name);
const subcommandOf = (step: StepName) => pipeline.steps.find((s) => s.name === step)!.args[0] as string;
const MB = 1e6;

let env: NodeJS.ProcessEnv;
let built: BuiltImages;
const sizes = {} as Record<StepName, ImageSize>;
const configs = {} as Record<StepName, ImageConfig>;

beforeAll(async () => {
  env = await buildahEnv();
  built = await buildStepImages(env);
  const seen = new Map<string, LayerSize>();
  for (const step of STEPS) {
    sizes[step] = await measureImage(BUILDER, built.refs[step], { env, seen, listFilesUpTo: 20 * MB, log: () => undefined });
    configs[step] = await inspectImage(BUILDER, built.refs[step], { env });
  }
  console.error(
    STEPS.map((s) => `${built.refs[s]}: ${(sizes[s].bytes / MB).toFixed(1)} MB, gzip ${(sizes[s].gzipBytes / MB).toFixed(1)} MB`).join("\n"),
  );
});

describe("the step images", () => {
  it("are named from the deployment config the manifests use", () => {
    for (const step of STEPS) expect(built.refs[step]).toBe(imageFor(step, defaultConfig));
  });

  it("run as a numeric non-root user in a directory any user may enter, stock-rsi as the entrypoint, the step's help as the default", () => {
    for (const step of STEPS) {
      const { user, entrypoint, cmd, workingDir } = configs[step];
      expect(user, step).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(workingDir, step).toBe("/");
      expect(entrypoint, step).toEqual(["stock-rsi"]);
      expect(cmd, step).toEqual([subcommandOf(step), "--help"]);
    }
  });

  it("share one base and add one small layer each, holding only that step's bundle and command", () => {
    const all = STEPS.map((s) => sizes[s]);
    const base = sizes.fetch.layers.slice(0, -1).map((l) => l.diffId);
    for (const step of STEPS) {
      expect(sizes[step].layers.slice(0, -1).map((l) => l.diffId), step).toEqual(base);
      const own = ownLayers(sizes[step], all);
      expect(own, step).toHaveLength(1);
      expect(own[0]!.bytes, step).toBeLessThan(10 * MB);
      const files = (own[0]!.files ?? []).filter((f) => !f.endsWith("/")).map((f) => `/${f.replace(/^\.?\//, "")}`);
      const expected = [COMMAND_PATH, `${BUNDLE_DIR}/${BUNDLE_FILE}`, ...(step === "persist" ? [`${BUNDLE_DIR}/better_sqlite3.node`] : [])];
      expect(files.sort(), step).toEqual(expected.sort());
    }
  });

  it("each answer only their own step's subcommand", async () => {
    for (const step of STEPS) {
      const other = STEPS.find((s) => s !== step)!;
      const help = await runInPod({ image: built.refs[step], argv: ["stock-rsi", "--help"] }, env);
      expect(help.code, help.stderr).toBe(0);
      const commands = help.stdout.slice(help.stdout.indexOf("Commands:")).match(/^ {2}([a-z-]+)/gm)?.map((c) => c.trim());
      expect(commands, `${step}: ${help.stdout}`).toEqual([subcommandOf(step), "help"]);
      const refused = await runInPod({ image: built.refs[step], argv: ["stock-rsi", subcommandOf(other), "--in", "/tmp/x.json"] }, env);
      expect(refused.code, `${step} image running ${subcommandOf(other)}: ${refused.stderr}`).toBe(ExitCode.badInput);
      expect(refused.stderr).toContain(`unknown command '${subcommandOf(other)}'`);
    }
  });

  it("cannot write outside /tmp and the mounted directories (the read-only root is real)", async () => {
    const work = tempDir("stock-rsi-images-ro-");
    try {
      chmodSync(work.path, 0o777);
      copyFileSync(USER_SYMBOLS, join(work.path, "symbols.txt"));
      const result = await runInPod(
        {
          image: built.refs.fetch,
          argv: ["stock-rsi", "fetch", "--symbols", "/work/symbols.txt", "--out", "/opt/stock-rsi/prices.json", "--source", "sample"],
          volumes: [{ host: work.path, container: "/work" }],
        },
        env,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/EROFS|read-only file system/i);
    } finally {
      work.cleanup();
    }
  });
});

describe("the pipeline through the four images", () => {
  const work = tempDir("stock-rsi-images-run-");
  const asOf = "2021-05-17";
  /** Symbols of the user's list that Yahoo no longer knows: they fail in fetch, as on a real day. */
  const gone = ["ATVI", "FB", "MRO", "PXD", "SPLK"];
  const results = new Map<StepName, ExecResult>();
  /** `<step>/<output>` → the host file a step's output landed in. */
  const produced = new Map<string, string>();
  let invocations: ReturnType<typeof stepInvocations>;
  let yahoo: YahooDouble;
  let mariadb: MariaDbServer;
  let database: TestDatabase;

  beforeAll(async () => {
    // The services are the tests' own, on 127.0.0.1 (the pods share the host's network): fetch
    // talks HTTP to the Yahoo double (the template's `source`, yahoo, stays; only the address is
    // the test's), persist stores into a throwaway MariaDB (the template's `--db` is replaced).
    yahoo = await YahooDouble.start({ unknown: gone });
    mariadb = await startMariaDb();
    database = await mariadb.createDatabase("images");
    invocations = stepInvocations({ parameters: { "as-of": asOf }, db: database.url, runId: "images-test" });
    console.error(`step commands from ${invocations.source}`);
    for (const invocation of invocations.steps) {
      const result = await runInPod(
        {
          image: built.refs[invocation.step],
          argv: invocation.argv,
          volumes: [...placeArtifacts(invocation), ...secretVolumes(invocation)],
          env: { ...passwordEnv(invocation), [YAHOO_URL_ENV]: yahoo.url },
          user: invocation.user,
        },
        env,
      );
      results.set(invocation.step, result);
      if (result.code !== 0) break;
    }
  });
  afterAll(async () => {
    await yahoo?.close();
    await mariadb?.destroy();
    work.cleanup();
  });

  /**
   * The database password as the template hands it over: a mounted Secret file named by
   * MYSQL_PASSWORD_FILE (the file here is the test's), or else MYSQL_PASSWORD itself.
   */
  function passwordEnv(invocation: StepInvocation): Record<string, string> {
    if (invocation.env.MYSQL_PASSWORD_FILE) return invocation.env;
    return { ...invocation.env, ...(invocation.step === "persist" ? database.env : {}) };
  }

  function secretVolumes(invocation: StepInvocation) {
    const file = invocation.env.MYSQL_PASSWORD_FILE;
    if (!file) return [];
    const dir = join(work.path, invocation.step, "secret");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, basename(file)), database.env.MYSQL_PASSWORD!, { mode: 0o444 });
    return [{ host: dir, container: dirname(file), readOnly: true }];
  }

  /** Argo's part: a fresh directory for each artifact folder, upstream outputs copied in. */
  function placeArtifacts(invocation: StepInvocation) {
    const hostDirs = new Map<string, string>();
    const hostPath = (path: string) => {
      let dir = hostDirs.get(dirname(path));
      if (!dir) {
        dir = join(work.path, invocation.step, String(hostDirs.size));
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o777);
        hostDirs.set(dirname(path), dir);
      }
      return join(dir, basename(path));
    };
    for (const input of invocation.inputs) {
      const source = "pipelineInput" in input.from ? USER_SYMBOLS : produced.get(`${input.from.step}/${input.from.output}`);
      if (!source) throw new Error(`${invocation.step}: input ${input.name} was never produced`);
      copyFileSync(source, hostPath(input.path));
    }
    for (const output of invocation.outputs) produced.set(`${invocation.step}/${output.name}`, hostPath(output.path));
    return [...hostDirs].map(([container, host]) => ({ host, container }));
  }

  const outputFile = (step: StepName, name: string) => {
    const file = produced.get(`${step}/${name}`);
    if (!file) throw new Error(`${step} declares no output ${name}`);
    return file;
  };

  it("runs every step with the images the WorkflowTemplate names, each exiting 0", () => {
    for (const invocation of invocations.steps) {
      expect(invocation.image, invocation.step).toBe(built.refs[invocation.step]);
      expect(invocation.argv[0], invocation.step).toBe(configs[invocation.step].entrypoint[0]);
      const result = results.get(invocation.step);
      expect(result?.code, `${invocation.step}: ${invocation.argv.join(" ")}\n${result?.stderr}`).toBe(0);
    }
  });

  it("fetches every symbol from Yahoo (the double) once", () => {
    expect(yahoo.stats.requests).toBeGreaterThanOrEqual(180);
    expect(results.get("fetch")?.stderr).toContain(`fetch: failed, not-found (5): ${gone.join(" ")}`);
  });

  it("prints the same ranking as stock-rsi run on the same inputs", async () => {
    const local = await stockRsi(["run", USER_SYMBOLS, "--source", "yahoo", "--as-of", asOf, "--no-store"], {
      env: { [YAHOO_URL_ENV]: yahoo.url },
    });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout.split("\n").filter(Boolean)).toHaveLength(175);
    expect(results.get("persist")?.stdout).toBe(local.stdout);
    expect(readFileSync(outputFile("persist", "ranking"), "utf8")).toBe(local.stdout);
  });

  it("stores every validated value in the database persist was given", async () => {
    const validated = JSON.parse(readFileSync(outputFile("validate", "validated"), "utf8")) as {
      tradeDate: string;
      results: Array<{ symbol: string; rsi: number }>;
    };
    const rows = await mariadb.query<RowDataPacket[]>(
      `SELECT symbol, rsi FROM \`${database.name}\`.rsi_values WHERE trade_date = ? ORDER BY symbol`,
      [validated.tradeDate],
    );
    const expected = validated.results.map(({ symbol, rsi }) => ({ symbol, rsi })).sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    expect(validated.results).toHaveLength(175);
    expect(rows.map(({ symbol, rsi }) => ({ symbol, rsi }))).toEqual(expected);
  });

  it("stores into SQLite too, its native addon loading in the image and its files beside the database", async () => {
    const dataDir = join(work.path, "sqlite");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    const validated = outputFile("validate", "validated");
    const result = await runInPod(
      {
        image: built.refs.persist,
        argv: ["stock-rsi", "persist", "--in", `/in/${basename(validated)}`, "--db", "sqlite:/data/stock-rsi.db", "--run-id", "images-sqlite"],
        volumes: [
          { host: dirname(validated), container: "/in", readOnly: true },
          { host: dataDir, container: "/data" },
        ],
      },
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(results.get("persist")?.stdout);
    const db = new Database(join(dataDir, "stock-rsi.db"), { readonly: true });
    try {
      expect(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM rsi_values").get()?.n).toBe(175);
    } finally {
      db.close();
    }
  });

  it("writes the artifacts as the pod's numeric user (the template's runAsUser, else the image's USER)", () => {
    for (const [step, output] of [["fetch", "prices"], ["persist", "ranking"]] as const) {
      const user = invocations.steps.find((i) => i.step === step)!.user ?? configs[step].user;
      expect(statSync(outputFile(step, output)).uid, step).toBe(Number(user.split(":")[0]));
    }
  });
});

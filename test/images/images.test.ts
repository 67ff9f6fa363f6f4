/**
 * The four step images, built from the real Dockerfile, and the pipeline run through them the way
 * Argo runs it: the WorkflowTemplate in dist/ executed by the tests' Argo stand-in (`runDag`),
 * with buildah as the kubelet: each step's container with the template's exact command and args,
 * the pod's numeric user, a read-only root filesystem, artifacts passed from step to step; fetch
 * downloads from the Yahoo double over HTTP, persist stores into a throwaway MariaDB.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectImage, measureImage, ownLayers, type ImageConfig, type ImageSize, type LayerSize } from "../../images/build.ts";
import { BUNDLE_DIR, BUNDLE_FILE, COMMAND_PATH } from "../../images/bundle.ts";
import { ExitCode } from "../../steps/domain/errors.ts";
import { backfillPipeline, pipeline, type StepName } from "../../steps/pipeline.ts";
import { defaultConfig } from "../../synth/config.ts";
import { imageName } from "../../workflows/stock-rsi.ts";
import { YAHOO_URL_ENV } from "../../steps/fetch/sources/yahoo-http.ts";
import { stockRsi, tempDir, USER_SYMBOLS } from "../support/cli.ts";
import { startMariaDb, type MariaDbServer, type TestDatabase } from "../support/mariadb.ts";
import { querySqlite } from "../support/sqlite.ts";
import { YahooDouble } from "../support/yahoo-double.ts";
import { runDag, workflowInDist, type ContainerRun, type DagRunResult, type ProcessResult } from "../support/argo-dag-runner.ts";
import { buildahEnv, podFor, runInPod, type Volume } from "./support/buildah.ts";
import { BUILDER, buildStepImages, type BuiltImages } from "./support/images.ts";

const STEPS = pipeline.steps.map((s) => s.name);
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
    for (const step of STEPS) expect(built.refs[step]).toBe(imageName(step, defaultConfig.images));
  });

  it("run as a numeric non-root user in a directory any user may enter, stock-rsi as the entrypoint, the step's help as the default", () => {
    for (const step of STEPS) {
      const { user, entrypoint, cmd, workingDir } = configs[step];
      expect(user, step).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(workingDir, step).toBe("/");
      expect(entrypoint, step).toEqual(["stock-rsi"]);
      expect(cmd, step).toEqual([step, "--help"]);
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

  it("each answer only their own step's subcommand (persist's also the backfill template's step and the exit handler's notify, which run in it)", async () => {
    for (const step of STEPS) {
      const other = STEPS.find((s) => s !== step)!;
      const help = await runInPod({ image: built.refs[step], argv: ["stock-rsi", "--help"] }, env);
      expect(help.code, help.stderr).toBe(0);
      const commands = help.stdout.slice(help.stdout.indexOf("Commands:")).match(/^ {2}([a-z-]+)/gm)?.map((c) => c.trim());
      const runsHere = [
        step,
        ...backfillPipeline.steps.filter((s) => s.image === step).map((s) => s.name),
        ...[pipeline.onExit, backfillPipeline.onExit].flatMap((exit) => (exit?.image === step ? [exit.name] : [])),
      ].filter((name, i, all) => all.indexOf(name) === i);
      expect(commands, `${step}: ${help.stdout}`).toEqual([...runsHere, "help"]);
      const refused = await runInPod({ image: built.refs[step], argv: ["stock-rsi", other, "--in", "/tmp/x.json"] }, env);
      expect(refused.code, `${step} image running ${other}: ${refused.stderr}`).toBe(ExitCode.badInput);
      expect(refused.stderr).toContain(`unknown command '${other}'`);
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
  /** Each task's container as runDag handed it over (its last attempt). */
  const containers = new Map<string, ContainerRun>();
  let dag: DagRunResult;
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
    dag = await runDag({
      ...workflowInDist(),
      parameters: { "as-of": asOf },
      workDir: join(work.path, "pods"),
      workflowName: "images-test",
      run: inImage,
      // Every step must succeed at its first attempt here; a retry fails the test, so no waiting.
      sleep: async () => undefined,
    });
  });
  afterAll(async () => {
    await yahoo?.close();
    await mariadb?.destroy();
    work.cleanup();
  });

  /**
   * buildah as the kubelet, and the tests' services as the cluster's: the `--db` value (the
   * cluster's MySQL Service, which does not exist here) becomes the test's database. Replaced here,
   * not by a runDag option, because runDag reads only what the template says; where a Service
   * name leads is the cluster's business, as the Yahoo address is.
   */
  async function inImage(container: ContainerRun): Promise<ProcessResult> {
    containers.set(container.task, container);
    const pod = podFor(container);
    const result = await runInPod(
      {
        ...pod,
        argv: container.argv.map((word, i) => (container.argv[i - 1] === "--db" ? database.url : word)),
        volumes: [...pod.volumes, ...secretVolumes(container)],
        env: { ...passwordEnv(container), [YAHOO_URL_ENV]: yahoo.url },
      },
      env,
    );
    return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * The database password as the template hands it over: a mounted Secret file named by
   * MYSQL_PASSWORD_FILE (the file here is the test's), or else MYSQL_PASSWORD itself.
   */
  function passwordEnv(container: ContainerRun): Readonly<Record<string, string>> {
    if (container.env.MYSQL_PASSWORD_FILE) return container.env;
    return { ...container.env, ...(container.task === "persist" ? database.env : {}) };
  }

  function secretVolumes(container: ContainerRun): Volume[] {
    const file = container.env.MYSQL_PASSWORD_FILE;
    if (!file) return [];
    const dir = join(work.path, "secrets", container.task);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, basename(file)), database.env.MYSQL_PASSWORD!, { mode: 0o444 });
    return [{ host: dir, container: dirname(file), readOnly: true }];
  }

  /** The file on this machine a task's output (an artifact or an output parameter's file) was written to. */
  const outputFile = (step: StepName, name: string) => {
    const file = containers.get(step)?.outputs.find((o) => o.name === name)?.hostPath;
    if (!file) throw new Error(`${step} ran with no output ${name}`);
    return file;
  };
  const attemptsOf = (step: StepName) => dag.tasks.find((t) => t.name === step)?.attempts ?? [];

  it("runs every step with the images the WorkflowTemplate names, each exiting 0", () => {
    for (const step of STEPS) {
      const container = containers.get(step);
      expect(container?.image, step).toBe(built.refs[step]);
      expect(container?.argv[0], step).toBe(configs[step].entrypoint[0]);
      const codes = attemptsOf(step).map((a) => a.code);
      expect(codes, `${step}: ${container?.argv.join(" ")}\n${attemptsOf(step).at(-1)?.stderr}`).toEqual([0]);
    }
  });

  it("fetches every symbol from Yahoo (the double) once", () => {
    expect(yahoo.stats.requests).toBeGreaterThanOrEqual(180);
    expect(attemptsOf("fetch").at(-1)?.stderr).toContain(`fetch: failed, not-found (5): ${gone.join(" ")}`);
  });

  it("prints the same ranking as stock-rsi run on the same inputs", async () => {
    const local = await stockRsi(["run", USER_SYMBOLS, "--source", "yahoo", "--as-of", asOf, "--no-store"], {
      env: { [YAHOO_URL_ENV]: yahoo.url },
    });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout.split("\n").filter(Boolean)).toHaveLength(175);
    expect(attemptsOf("persist").at(-1)?.stdout).toBe(local.stdout);
    expect(readFileSync(outputFile("persist", "ranking"), "utf8")).toBe(local.stdout);
    // The workflow's output parameter, as the Argo UI shows it, is the same ranking.
    expect(dag.outputs.ranking).toBe(local.stdout);
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
    expect(result.stdout).toBe(attemptsOf("persist").at(-1)?.stdout);
    expect(querySqlite(join(dataDir, "stock-rsi.db"), "SELECT COUNT(*) AS n FROM rsi_values")).toEqual([{ n: 175 }]);
  });

  it("writes the artifacts as the pod's numeric user (the template's runAsUser, else the image's USER)", () => {
    for (const [step, output] of [["fetch", "prices"], ["persist", "ranking"]] as const) {
      const uid = containers.get(step)?.runAsUser ?? Number(configs[step].user.split(":")[0]);
      expect(statSync(outputFile(step, output)).uid, step).toBe(uid);
    }
  });
});

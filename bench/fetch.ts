/**
 * `npm run bench:fetch`: how long the fetch step takes against a Yahoo that answers every
 * request in 100 ms, compared with the best any client holding `concurrency` requests in flight
 * can do: ceil(N / concurrency) × latency.
 *
 * Runs the real `stock-rsi fetch --source yahoo` (in-process: the real client, yahoo-finance2,
 * HTTP on 127.0.0.1) against the Yahoo double, for the user's 180 symbols and for 5,000 made-up
 * ones, at the default concurrency. The double runs in a child process (this file with
 * `--serve`), so that its work, which is Yahoo's in real life, is not charged to the client's
 * event loop. Prints one line per size; nothing is asserted.
 *
 *     npm run bench:fetch                                  # 180 and 5000 symbols, 100 ms, concurrency 4
 *     npm run bench:fetch -- --sizes 180 --latency 250 --concurrency 8
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Io } from "../steps/command-line/io.ts";
import { readSymbolsFile } from "../steps/files/symbols-file.ts";
import { runFetch } from "../steps/fetch/step.ts";
import { USER_SYMBOLS } from "../test/support/cli.ts";
import { syntheticSymbols, YahooDouble } from "../test/support/yahoo-double.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "180,5000" },
    latency: { type: "string", default: "100" },
    concurrency: { type: "string", default: "4" },
    serve: { type: "boolean", default: false },
  },
});

interface Counters {
  readonly requests: number;
  readonly peakInFlight: number;
}

if (values.serve) await serveDouble(Number(values.latency));
else await benchmark(values.sizes.split(",").map(Number), Number(values.latency), Number(values.concurrency));

async function benchmark(sizes: readonly number[], latencyMs: number, concurrency: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stock-rsi-bench-"));
  const userSymbols = readSymbolsFile(USER_SYMBOLS).symbols;
  const quietIo: Io = { out: () => undefined, err: () => undefined, stderrIsTTY: false, env: {}, now: () => new Date() };

  console.log(`fetch benchmark: Yahoo double answering in ${latencyMs} ms, concurrency ${concurrency}, Node ${process.versions.node}`);
  console.log("symbols  wall (s)  bound (s)  wall/bound  requests  peak in flight  fetched  failed");
  try {
    for (const size of sizes) {
      const symbols = size === userSymbols.length ? userSymbols : syntheticSymbols(size);
      const symbolsFile = join(dir, `symbols-${size}.txt`);
      writeFileSync(symbolsFile, symbols.map((s) => `${s}\n`).join(""));
      const double = await startDoubleProcess(latencyMs);
      try {
        const started = performance.now();
        const artifact = await runFetch(
          {
            symbols: symbolsFile,
            out: join(dir, `prices-${size}.json`),
            asOf: "2021-05-17",
            lookbackDays: 91,
            source: "yahoo",
            concurrency,
            fetchDeadlineSeconds: 0,
            yahooUrl: double.url,
          },
          quietIo,
        );
        const wallMs = performance.now() - started;
        const counters = await double.counters();
        const boundMs = Math.ceil(size / concurrency) * latencyMs;
        console.log(
          [
            String(size).padStart(7),
            (wallMs / 1000).toFixed(2).padStart(9),
            (boundMs / 1000).toFixed(2).padStart(10),
            `${(wallMs / boundMs).toFixed(3)}×`.padStart(11),
            String(counters.requests).padStart(9),
            String(counters.peakInFlight).padStart(15),
            String(artifact.series.length).padStart(8),
            String(artifact.failures.length).padStart(7),
          ].join(" "),
        );
      } finally {
        await double.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The double in a child process (this file with `--serve`), driven over IPC. */
async function startDoubleProcess(latencyMs: number) {
  const child: ChildProcess = fork(import.meta.filename, ["--serve", "--latency", String(latencyMs)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [ready] = (await once(child, "message")) as [{ url: string }];
  return {
    url: ready.url,
    async counters(): Promise<Counters> {
      child.send("counters");
      const [counters] = (await once(child, "message")) as [Counters];
      return counters;
    },
    async stop(): Promise<void> {
      const exited = once(child, "exit");
      child.send("close");
      await exited;
    },
  };
}

/** Child mode: run the double, tell the parent its URL, answer for its counters. */
async function serveDouble(latencyMs: number): Promise<void> {
  const double = await YahooDouble.start({ latencyMs });
  process.on("message", (message) => {
    if (message === "counters") process.send!({ requests: double.stats.requests, peakInFlight: double.stats.peakInFlight } satisfies Counters);
    if (message === "close") void double.close().then(() => process.exit(0));
  });
  process.send!({ url: double.url });
}

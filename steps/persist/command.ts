/**
 * `stock-rsi persist`: the last step. Reads the validated artifact, stores the day's values,
 * and prints the ranking the user reads: `SYMBOL VALUE`, strongest first. It refuses an
 * artifact whose validation failed, so a bad day can never reach the database.
 */
import { Command } from "commander";
import { validatedSchema, type ValidatedArtifact } from "../domain/artifacts.ts";
import { readArtifact, writeFileAtomic } from "../domain/artifact-files.ts";
import { PolicyFailedError } from "../domain/errors.ts";
import { formatRanking, rank, roundHalfEven } from "../domain/ranking.ts";
import { logLine, type Io } from "../cli/io.ts";
import { DEFAULT_DB, openStore } from "./open-store.ts";

export interface PersistOptions {
  readonly in: string;
  readonly db: string;
  readonly store: boolean;
  readonly runId?: string;
  readonly rankingOut?: string;
  readonly json?: boolean;
}

export function persistCommand(io: Io): Command {
  return new Command("persist")
    .description("store the validated values and print the ranking, strongest first")
    .requiredOption("--in <file>", "the validated artifact written by `stock-rsi validate`")
    .option("--db <url>", "where to store: sqlite:PATH, or none to skip storing", DEFAULT_DB)
    .option("--no-store", "rank without storing (the same as --db none)")
    .option("--run-id <id>", "recorded with every value this run writes (default: local-<timestamp>)")
    .option("--ranking-out <file>", "also write the ranking lines to this file")
    .option("--json", "print the machine-readable result instead of the ranking lines")
    .action(async (options: PersistOptions) => {
      await runPersist(options, io);
    });
}

export async function runPersist(options: PersistOptions, io: Io): Promise<void> {
  const validated = readArtifact(options.in, validatedSchema, "stock-rsi validate");
  if (!validated.passed) {
    throw new PolicyFailedError(`${options.in}: validation failed for this run; refusing to store it (see its checks)`);
  }
  const ranking = rank(validated.results);
  const lines = formatRanking(ranking);

  if (options.store && options.db !== "none" && validated.tradeDate !== null) {
    const store = await openStore(options.db);
    try {
      const summary = await store.writeDay({
        runId: options.runId ?? `local-${io.now().toISOString()}`,
        tradeDate: validated.tradeDate,
        asOf: validated.asOf,
        source: validated.source ?? "unknown",
        method: validated.method,
        period: validated.period,
        results: validated.results,
        failures: validated.failures,
      });
      logLine(
        io,
        "persist",
        `stored ${validated.results.length} values for ${validated.tradeDate} in ${store.description} (${summary.inserted} new, ${summary.updated} updated)`,
      );
    } finally {
      await store.close();
    }
  } else {
    logLine(io, "persist", "not storing (--no-store)");
  }

  if (options.rankingOut) writeFileAtomic(options.rankingOut, lines.map((l) => `${l}\n`).join(""));
  if (options.json) io.out(`${JSON.stringify(jsonResult(validated, ranking), null, 2)}\n`);
  else io.out(lines.map((l) => `${l}\n`).join(""));
}

/** The `--json` result: the ranking (full precision and rounded) and what failed. */
export function jsonResult(v: ValidatedArtifact, ranking: ReturnType<typeof rank>) {
  return {
    asOf: v.asOf,
    tradeDate: v.tradeDate,
    method: v.method,
    period: v.period,
    ranking: ranking.map((r) => ({ symbol: r.symbol, rsi: r.rsi, rounded: roundHalfEven(r.rsi, 2), date: r.date })),
    failures: v.failures,
  };
}

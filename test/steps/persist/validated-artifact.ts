/**
 * Validated artifacts for driving `stock-rsi persist` directly, as the validate step writes them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidatedArtifact } from "../../../steps/domain/artifacts.ts";
import type { RsiMethod } from "../../../steps/domain/rsi.ts";

export interface ValidatedDay {
  readonly tradeDate: string;
  readonly asOf?: string;
  /** symbol → RSI */
  readonly values: Record<string, number>;
  readonly failed?: readonly string[];
  readonly method?: RsiMethod;
  readonly period?: number;
}

export function validatedArtifact(day: ValidatedDay): ValidatedArtifact {
  return {
    schemaVersion: 1,
    kind: "validated",
    asOf: day.asOf ?? day.tradeDate,
    source: "sample",
    method: day.method ?? "seed",
    period: day.period ?? 14,
    results: Object.entries(day.values).map(([symbol, rsi]) => ({ symbol, rsi, close: 100, date: day.tradeDate })),
    failures: (day.failed ?? []).map((symbol) => ({ symbol, reason: "not-found" as const, message: "No data found, symbol may be delisted" })),
    tradeDate: day.tradeDate,
    passed: true,
    checks: [],
  };
}

/** Writes the artifact into `dir` and returns its path. */
export function writeValidated(dir: string, day: ValidatedDay, name = "validated.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(validatedArtifact(day), null, 2));
  return path;
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTradingDay, nyseHolidays, tradingDaysBetween } from "../../../steps/domain/market-calendar.ts";
import { REPO_ROOT } from "../../support/cli.ts";

describe("the NYSE calendar", () => {
  it("closes on the holidays the exchange published for 2020-2026", () => {
    // As published by the NYSE (Holidays & Trading Hours), full-day closures only.
    const published: Record<number, string[]> = {
      2020: ["2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03", "2020-09-07", "2020-11-26", "2020-12-25"],
      2021: ["2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"],
      2022: ["2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26"],
      2023: ["2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"],
      2024: ["2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"],
      2025: ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
      2026: ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"],
    };
    for (const [year, days] of Object.entries(published)) expect([...nyseHolidays(Number(year))].sort(), year).toEqual(days);
  });

  it("keeps early closes and ordinary weekdays as trading days, weekends not", () => {
    expect(isTradingDay("2020-11-27")).toBe(true); // the day after Thanksgiving closes at 13:00
    expect(isTradingDay("2021-05-17")).toBe(true);
    expect(isTradingDay("2021-05-15")).toBe(false);
    expect(isTradingDay("2021-05-16")).toBe(false);
  });

  it("finds exactly the six weekdays the user's old program missed between its first and last stored day", () => {
    const dump = readFileSync(join(REPO_ROOT, "test/fixtures/legacy/prod-db.sql"), "utf8");
    const stored = new Set([...dump.matchAll(/\('(\d{4}-\d{2}-\d{2})'/g)].map((m) => m[1]!));
    const missed = tradingDaysBetween("2020-10-21", "2021-05-17").filter((d) => !stored.has(d));
    expect(missed).toEqual(["2020-12-11", "2021-02-19", "2021-03-31", "2021-04-26", "2021-04-30", "2021-05-03"]);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addDays, isWeekday } from "../../../steps/domain/dates.ts";
import { closedBecause, isTradingDay, nyseClosedOn, nyseHolidays, tradingDaysAfter, tradingDaysBetween } from "../../../steps/domain/market-calendar.ts";
import { REPO_ROOT } from "../../support/cli.ts";

describe("the NYSE calendar", () => {
  it("is closed on exactly the weekdays the exchange's published closings list, every year from 1970 to 2027", () => {
    const listed = new Set(
      readFileSync(join(REPO_ROOT, "test/fixtures/nyse-closings.txt"), "utf8")
        .split("\n")
        .filter((line) => /^\d/.test(line)),
    );
    expect(listed.size).toBe(509);
    const wrong: string[] = [];
    for (let day = "1970-01-01"; day <= "2027-12-31"; day = addDays(day, 1)) {
      if (!isWeekday(day)) continue;
      if (isTradingDay(day) === listed.has(day)) wrong.push(`${day} ${listed.has(day) ? "closed" : "open"}`);
    }
    expect(wrong).toEqual([]);
    for (let year = 1970; year <= 2027; year++) {
      expect([...nyseHolidays(year)].sort(), String(year)).toEqual([...listed].filter((d) => d.startsWith(`${year}-`)).sort());
    }
  });

  it("counts the sessions a close lags a later day by: holidays and weekends are not sessions", () => {
    expect(tradingDaysAfter("2021-11-24", "2021-11-29")).toBe(2); // Thanksgiving: Friday, Monday (3 weekdays)
    expect(tradingDaysAfter("2021-04-01", "2021-04-06")).toBe(2); // Good Friday: Monday, Tuesday (3 weekdays)
    expect(tradingDaysAfter("2021-05-14", "2021-05-16")).toBe(0); // a Friday's close on Sunday
    expect(tradingDaysAfter("2021-05-17", "2021-05-17")).toBe(0);
    expect(tradingDaysAfter("2021-05-17", "2021-05-14")).toBe(0);
    expect(tradingDaysAfter("2001-09-10", "2001-09-17")).toBe(1); // the exchange closed for four days after 9/11
  });

  it("counts like the trading days listed one by one, over every span up to 40 days from each day of 1970 to 2027", () => {
    const wrong: string[] = [];
    for (let from = "1970-01-01"; from <= "2027-12-31"; from = addDays(from, 1)) {
      const listed = tradingDaysBetween(addDays(from, 1), addDays(from, 40));
      for (let span = 0; span <= 40; span++) {
        const to = addDays(from, span);
        const expected = listed.filter((d) => d <= to).length;
        if (tradingDaysAfter(from, to) !== expected) wrong.push(`${from}..${to}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(tradingDaysAfter("1970-01-01", "2027-12-31")).toBe(tradingDaysBetween("1970-01-02", "2027-12-31").length);
  });

  it("names why it was closed, for the messages that refuse such a day", () => {
    expect(closedBecause("2021-05-16")).toBe("a Sunday");
    expect(closedBecause("2021-05-15")).toBe("a Saturday");
    expect(closedBecause("2021-11-25")).toBe("Thanksgiving Day");
    expect(closedBecause("2021-12-24")).toBe("Christmas Day, observed");
    expect(closedBecause("2022-06-20")).toBe("Juneteenth, observed");
    expect(closedBecause("2023-01-02")).toBe("New Year's Day, observed");
    expect(closedBecause("2021-12-31")).toBeUndefined(); // New Year's Day 2022 was a Saturday: not made up
    expect(closedBecause("1970-02-23")).toBe("Washington's Birthday, observed");
    expect(closedBecause("1976-11-02")).toBe("Election Day");
    expect(closedBecause("1994-04-27")).toBe("President Nixon's funeral");
    expect(closedBecause("2021-05-17")).toBeUndefined();
    expect(nyseClosedOn("2021-04-02")).toBe("the NYSE was closed on 2021-04-02 (Good Friday)");
    expect(nyseClosedOn("2021-04-01")).toBeUndefined();
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

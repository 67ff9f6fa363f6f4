/**
 * The Go syntaxes the lint parses as Argo's controller does: what robfig/cron's ParseStandard,
 * Argo's ParseStringToDuration and Go's LoadLocation accept, and what they refuse.
 */
import { describe, expect, it } from "vitest";
import { argoDurationError, cronScheduleError, goDurationError, timeZoneError } from "./support/go-syntax.ts";

describe("cron schedules, as robfig/cron v3 ParseStandard reads them", () => {
  it.each([
    "30 17 * * 1-5",
    "*/5 * * * *",
    "0 9-17/2 * * mon-fri",
    "0 0 1 jan,jul *",
    "15 8 ? * SUN",
    "0 0 1-31/10 * *",
    "5/15 * * * *",
    "@daily",
    "@midnight",
    "@every 1h30m",
    "CRON_TZ=America/New_York 30 17 * * 1-5",
  ])("accepts %j", (schedule) => {
    expect(cronScheduleError(schedule)).toBeUndefined();
  });

  it.each([
    ["30 17 * * 1-7", 'day of week "1-7": 7 is above the maximum 6'],
    ["0 30 17 * * 1-5", "expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6"],
    ["30 17 * *", "expected exactly 5 fields (minute hour day-of-month month day-of-week), found 4"],
    ["60 * * * *", 'minute "60": 60 is above the maximum 59'],
    ["0 24 * * *", 'hour "24": 24 is above the maximum 23'],
    ["0 0 0 * *", 'day of month "0": 0 is below the minimum 1'],
    ["0 0 * 13 *", 'month "13": 13 is above the maximum 12'],
    ["0 17-9 * * *", 'hour "17-9": the range 17-9 runs backwards'],
    ["*/0 * * * *", 'minute "*/0": a step must be positive'],
    ["0 0 L * *", 'day of month "L": "L" is not a number'],
    ["0 0 * * mon#2", 'day of week "mon#2": "mon#2" is not a number or a name'],
    ["0 0 * * 1-2-3", 'day of week "1-2-3": too many hyphens in "1-2-3"'],
    ["@weekdays", 'unrecognized descriptor "@weekdays"'],
    ["@every 1d", '"1d" is not a Go duration (e.g. 30s, 5m, 1h30m)'],
    ["TZ=Mars/Olympus 0 0 * * *", 'bad location "Mars/Olympus": unknown time zone "Mars/Olympus" (an IANA name such as America/New_York)'],
    ["", "empty schedule"],
  ])("refuses %j", (schedule, problem) => {
    expect(cronScheduleError(schedule)).toBe(problem);
  });
});

describe("durations", () => {
  it.each(["30s", "1h30m", "1.5h", ".5s", "250ms", "0", "-5m"])("Go accepts %j", (text) => {
    expect(goDurationError(text)).toBeUndefined();
  });
  it.each(["30", "1d", "30 seconds", "1hm", "s", ""])("Go refuses %j", (text) => {
    expect(goDurationError(text)).toBe(`"${text}" is not a Go duration (e.g. 30s, 5m, 1h30m)`);
  });
  it("Argo takes whole seconds as well, and nothing else", () => {
    expect(argoDurationError("30")).toBeUndefined();
    expect(argoDurationError("30s")).toBeUndefined();
    expect(argoDurationError("1.5")).toBe('"1.5" is neither whole seconds nor a Go duration (e.g. 30s, 5m, 1h30m)');
  });
});

describe("time zones, as Go's LoadLocation finds them", () => {
  it.each(["America/New_York", "Europe/Berlin", "UTC", "Etc/UTC", ""])("loads %j", (zone) => {
    expect(timeZoneError(zone)).toBeUndefined();
  });
  it("refuses a zone the database does not have, and a name in the wrong case", () => {
    expect(timeZoneError("America/NewYork")).toBe('unknown time zone "America/NewYork" (an IANA name such as America/New_York)');
    expect(timeZoneError("america/new_york")).toBe('time zone "america/new_york" is spelt "America/New_York"; Go looks names up case-sensitively');
  });
});

/**
 * The few Go syntaxes Argo's controller parses in a manifest's strings, restated so the lint
 * refuses what the controller would refuse, and accepts what it accepts:
 *
 * - durations: Argo's `ParseStringToDuration` takes a whole number of seconds (`30`) or Go's
 *   `time.ParseDuration` syntax (`30s`, `1h30m`, `1.5h`; units ns, us, µs, ms, s, m, h);
 * - cron schedules: Argo parses each of a CronWorkflow's `schedules` with robfig/cron v3's
 *   `ParseStandard`: exactly five fields (minute hour day-of-month month day-of-week), each a
 *   comma list of `*`, `?`, `N`, `N-M`, with `/STEP`; month and weekday names (`jan`, `mon`);
 *   weekdays 0-6 (7 is not Sunday there); or a descriptor (`@daily`, `@every 1h`). An npm cron
 *   parser would not do: the common ones take six fields (seconds), `L`, `W` and `#`, which this
 *   parser refuses, so they would pass schedules the controller rejects;
 * - time zones: Go's `time.LoadLocation` reads the IANA database, as the ICU data behind
 *   `Intl.DateTimeFormat` does; Go's lookup is case-sensitive (a file name), ICU's is not.
 *
 * Each function returns why the text does not parse, or undefined when it does.
 */

const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

/** Go's `time.ParseDuration`. */
export function goDurationError(text: string): string | undefined {
  return GO_DURATION.test(text) ? undefined : `"${text}" is not a Go duration (e.g. 30s, 5m, 1h30m)`;
}

/** Argo's `ParseStringToDuration`: whole seconds, or a Go duration. */
export function argoDurationError(text: string): string | undefined {
  if (/^[-+]?\d+$/.test(text)) return undefined;
  return GO_DURATION.test(text) ? undefined : `"${text}" is neither whole seconds nor a Go duration (e.g. 30s, 5m, 1h30m)`;
}

/** Go's `strconv.Atoi`, which Argo uses for integer-or-string values: an optional sign and digits. */
export function isGoInteger(text: string): boolean {
  return /^[-+]?\d+$/.test(text);
}

/** Go's `time.LoadLocation` (the empty name is UTC). */
export function timeZoneError(zone: string): string | undefined {
  if (zone === "" || zone === "UTC" || zone === "Local") return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone "${zone}" (an IANA name such as America/New_York)`;
  }
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    return `time zone "${zone}" is spelt "${resolved}"; Go looks names up case-sensitively`;
  }
  return undefined;
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: WEEKDAYS },
];

const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** robfig/cron v3's `ParseStandard`, as Argo's CronWorkflow validation calls it. */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule;
  if (spec === "") return "empty schedule";
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.indexOf(" ");
    const zone = spec.slice(spec.indexOf("=") + 1, space < 0 ? undefined : space);
    const problem = space < 0 ? "nothing after the time zone" : timeZoneError(zone);
    if (problem) return `bad location "${zone}": ${problem}`;
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith("@")) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith("@every ")) return goDurationError(spec.slice("@every ".length));
    return `unrecognized descriptor "${spec}"`;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== CRON_FIELDS.length) return `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const bounds = CRON_FIELDS[i]!;
    for (const range of field.split(",").filter(Boolean)) {
      const problem = cronRangeError(range, bounds);
      if (problem) return `${bounds.name} "${field}": ${problem}`;
    }
  }
  return undefined;
}

function cronRangeError(expr: string, field: CronField): string | undefined {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  let start: number | string;
  let end: number | string;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    [start, end] = [field.min, field.max];
  } else {
    if (lowAndHigh.length > 2) return `too many hyphens in "${expr}"`;
    start = cronNumber(lowAndHigh[0]!, field);
    end = lowAndHigh.length === 2 ? cronNumber(lowAndHigh[1]!, field) : start;
  }
  if (typeof start === "string") return start;
  if (typeof end === "string") return end;
  let step = 1;
  if (rangeAndStep.length > 2) return `too many slashes in "${expr}"`;
  if (rangeAndStep.length === 2) {
    const parsed = cronNumber(rangeAndStep[1]!, { ...field, names: undefined });
    if (typeof parsed === "string") return parsed;
    step = parsed;
    if (lowAndHigh.length === 1) end = field.max; // "N/step" means "N-max/step"
  }
  if (start < field.min) return `${start} is below the minimum ${field.min}`;
  if (end > field.max) return `${end} is above the maximum ${field.max}`;
  if (start > end) return `the range ${start}-${end} runs backwards`;
  if (step === 0) return "a step must be positive";
  return undefined;
}

/** A number (or, in month and weekday fields, a name), or why it is not one. */
function cronNumber(text: string, field: CronField): number | string {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return field.name === "month" ? named + 1 : named;
  if (!isGoInteger(text)) return `"${text}" is not a number${field.names ? " or a name" : ""}`;
  const value = Number(text);
  return value < 0 ? `negative number ${value}` : value;
}

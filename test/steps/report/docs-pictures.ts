/**
 * What the docs' pictures show, as data: the commands `npm run docs:screenshots` runs to make
 * them (`docs-screenshots.ts`), and what the docs say about them, which `docs-pictures.test.ts`
 * holds to these commands. No picture in the docs is drawn from a hand-made input: each is what
 * the program wrote, on the user's own history.
 *
 * The store: the user's history, `test/fixtures/legacy/prod-db.sql` (2020-10-21 to 2021-05-17,
 * the wide `stocks` table of the original program), imported with `stock-rsi import-legacy`
 * into a new SQLite file; then a daily `stock-rsi run` of the user's 180 symbols on each of the
 * two trading days after it, through the Yahoo double (`test/support/yahoo-double.ts`, a real
 * HTTP server on 127.0.0.1, reached with `--yahoo-url`). The double serves Yahoo's recorded
 * answers for MSFT and NVDA and generated prices for the other symbols, so on the first run day
 * most values jump away from the imported ones; the report pictured is of the second day,
 * whose changes are between two runs.
 */

/** The trading days the daily runs are for, after the imported history's last day (2021-05-17). */
export const RUN_DAYS = ["2021-05-18", "2021-05-19"] as const;

/** The run whose report is the docs' picture: the second day, with closes on both days. */
export const PICTURED_RUN_DAY = RUN_DAYS[1];

/**
 * The failures the double serves on every run day, each a real way a symbol of the user's list
 * fails, as the program reports it.
 */
export const FAILURES = {
  /** Yahoo's 404 body: unknown or delisted (Activision left the exchange in 2023). */
  delisted: "ATVI",
  /** A 429 on every attempt: the fetch step's retries run out. */
  rateLimited: "AVGO",
  /** A series whose last bar is this day: stale for the validate step. */
  stale: { symbol: "BND", lastClose: "2021-05-11" },
} as const;

/** What the chart picture draws: these symbols' stored values between these days. */
export const CHART = { symbols: ["AAPL", "MSFT", "NVDA"], from: "2021-02-01", to: PICTURED_RUN_DAY } as const;

/** `stock-rsi history` exactly as the chart picture runs it, on the default store, and as the docs show it (with `npx`). */
export const CHART_COMMAND: readonly string[] = ["history", ...CHART.symbols, "--from", CHART.from, "--to", CHART.to, "--chart", "rsi.svg"];

/** The pictures, where they go, and how the docs introduce them. */
export const PICTURES = {
  report: {
    file: "docs/images/report-180.png",
    alt: `The report of the daily run of the user's 180 symbols on ${PICTURED_RUN_DAY}, after their imported history`,
  },
  chart: {
    file: "docs/images/history-chart.png",
    alt: `RSI of ${CHART.symbols.join(", ")} from ${CHART.from} to ${CHART.to}, with the 30/70 band and a gap on each trading day without a value`,
  },
} as const;

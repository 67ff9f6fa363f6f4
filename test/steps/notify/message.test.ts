/**
 * What a notification says: one glance (the day, the outcome, what crossed or what broke) and the
 * detail in the body; and the same message in each channel's shape.
 */
import { describe, expect, it } from "vitest";
import { composeNotification, plainText, type FinishedRun } from "../../../steps/notify/message.ts";
import { emailMessage, headerText, jsonPayload, ntfyMessage, slackMessage } from "../../../steps/notify/formats.ts";

const RANKING = [
  { symbol: "NVDA", rsi: 78.12 },
  { symbol: "AAPL", rsi: 71.25 },
  { symbol: "MSFT", rsi: 55.5 },
  { symbol: "AMD", rsi: 50 },
  { symbol: "IBM", rsi: 45.1 },
  { symbol: "T", rsi: 40 },
  { symbol: "PFE", rsi: 29.1 },
  { symbol: "KO", rsi: 22.4 },
];

const passed: FinishedRun = {
  pipeline: "stock-rsi",
  asOf: "2021-05-17",
  tradeDate: "2021-05-14",
  method: "seed",
  period: 14,
  runId: "stock-rsi-daily-1621288800",
  outcome: { kind: "passed" },
  ranking: RANKING,
  crossings: [
    { symbol: "AAPL", kind: "entered-overbought", previous: 68.4, today: 71.25 },
    { symbol: "PFE", kind: "entered-oversold", previous: 31.2, today: 29.1 },
  ],
  withoutValue: [
    { symbol: "XYZ", reason: "not-found" },
    { symbol: "ABC", reason: "stale" },
    { symbol: "DEF", reason: "not-found" },
  ],
  reportLink: "https://argo.example.com:2746/workflows/stock-rsi/stock-rsi-daily-1621288800",
};

const fetchFailed: FinishedRun = {
  pipeline: "stock-rsi",
  asOf: "2021-05-17",
  method: "seed",
  period: 14,
  outcome: { kind: "step-failed", step: "fetch", exitCode: 3, message: "fetch: Yahoo did not answer for 600 s (deadline)" },
};

describe("a notification", () => {
  it("of a run that passed leads with the day and what crossed, in lines a lock screen shows whole", () => {
    const n = composeNotification(passed);
    expect(n.title).toBe("stock-rsi 2021-05-14: passed, 2 crossings");
    expect(n.glance).toEqual(["Entered overbought: AAPL 71.25", "Entered oversold: PFE 29.10"]);
    for (const line of [n.title, ...n.glance]) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(n.strongest!.map((r) => r.symbol)).toEqual(["NVDA", "AAPL", "MSFT", "AMD", "IBM"]);
    expect(n.weakest!.map((r) => r.symbol)).toEqual(["KO", "PFE", "T", "IBM", "AMD"]);
    expect(n.withoutValueByReason).toEqual([{ reason: "not-found", count: 2 }, { reason: "stale", count: 1 }]);
    const body = plainText(n);
    expect(body).toContain("As of 2021-05-17");
    expect(body).toContain("Trading day 2021-05-14");
    expect(body).toContain("AAPL entered overbought 68.40 -> 71.25");
    expect(body).toContain("8 ranked; 3 without a value: 2 not-found, 1 stale");
    expect(body).toContain(passed.reportLink);
  });

  it("with many crossings of one kind names a few and counts the rest", () => {
    const crossings = ["A", "B", "C", "D", "E", "F"].map((symbol) => ({ symbol, kind: "entered-overbought" as const, previous: 69, today: 70.5 }));
    expect(composeNotification({ ...passed, crossings }).glance).toEqual(["Entered overbought: A 70.50, B 70.50, C 70.50, D 70.50 +2 more"]);
  });

  it("with crossings of all four kinds names three and counts the fourth, in three lines", () => {
    const crossings = [
      { symbol: "EQR", kind: "entered-overbought" as const, previous: 67.32, today: 73.4 },
      { symbol: "MSFT", kind: "left-overbought" as const, previous: 75.52, today: 65.37 },
      { symbol: "ACN", kind: "entered-oversold" as const, previous: 31.21, today: 28.79 },
      { symbol: "BND", kind: "left-oversold" as const, previous: 28.57, today: 37.24 },
      { symbol: "PFE", kind: "left-oversold" as const, previous: 29.1, today: 30.5 },
    ];
    expect(composeNotification({ ...passed, crossings }).glance).toEqual([
      "Entered overbought: EQR 73.40",
      "Left overbought: MSFT 65.37",
      "Also 1 entered oversold, 2 left oversold",
    ]);
  });

  it("with no crossing says so, with the strongest and weakest", () => {
    const n = composeNotification({ ...passed, crossings: [] });
    expect(n.title).toBe("stock-rsi 2021-05-14: passed, no crossings");
    expect(n.glance).toEqual(["No crossings. Strongest NVDA 78.12, weakest KO 22.40"]);
  });

  it("of a failed run says which step failed and why first, and leaves out what the run never produced", () => {
    const n = composeNotification(fetchFailed);
    expect(n.passed).toBe(false);
    expect(n.title).toBe("stock-rsi 2021-05-17: FAILED at fetch (exit 3)");
    expect(n.glance).toEqual(["fetch: Yahoo did not answer for 600 s (deadline)"]);
    const body = plainText(n);
    expect(body).toContain("Trading day unknown");
    expect(body).not.toContain("Crossings");
    expect(body).not.toContain("Strongest");
    expect(body).not.toMatch(/\b0 ranked/);
  });

  it("of a failed validation says nothing was stored, with the failures by reason", () => {
    const n = composeNotification({
      ...fetchFailed,
      outcome: { kind: "validation-failed", step: "validate", message: "validate: FAILED: failed-share: 2 of 3 symbols failed" },
      withoutValue: [{ symbol: "A", reason: "stale" }, { symbol: "B", reason: "stale" }],
    });
    expect(n.title).toBe("stock-rsi 2021-05-17: validation failed, nothing stored");
    expect(plainText(n)).toContain("2 without a value: 2 stale");
  });

  it("of a backfill names its range and counts its days", () => {
    const n = composeNotification({
      pipeline: "stock-rsi-backfill",
      asOf: "2021-05-17",
      firstDay: "2021-05-12",
      method: "seed",
      period: 14,
      outcome: { kind: "validation-failed", step: "backfill", message: "backfill: the validation policy refused 1 of 4 days (2021-05-14)" },
      days: [
        { date: "2021-05-12", outcome: "stored", values: 180 },
        { date: "2021-05-13", outcome: "skipped" },
        { date: "2021-05-14", outcome: "refused", reason: "failed-share" },
        { date: "2021-05-17", outcome: "stored", values: 179 },
      ],
    });
    expect(n.title).toBe("stock-rsi backfill 2021-05-12 to 2021-05-17: validation failed, nothing stored");
    expect(n.glance).toEqual(["backfill: the validation policy refused 1 of 4 days (2021-05-14)", "2 stored, 1 skipped, 1 refused (2021-05-14)"]);
  });
});

describe("each channel's shape", () => {
  const n = composeNotification(passed);

  it("the JSON payload is version 1, and says null for what the run never produced", () => {
    expect(jsonPayload(n)).toEqual({
      schemaVersion: 1,
      pipeline: "stock-rsi",
      runId: "stock-rsi-daily-1621288800",
      asOf: "2021-05-17",
      firstDay: null,
      tradeDate: "2021-05-14",
      method: "seed",
      period: 14,
      outcome: { status: "passed", step: null, exitCode: null, message: null },
      crossings: [
        { symbol: "AAPL", kind: "entered-overbought", previous: 68.4, today: 71.25 },
        { symbol: "PFE", kind: "entered-oversold", previous: 31.2, today: 29.1 },
      ],
      strongest: RANKING.slice(0, 5),
      weakest: [...RANKING].reverse().slice(0, 5),
      ranked: 8,
      withoutValue: { total: 3, byReason: { "not-found": 2, stale: 1 } },
      days: null,
      reportUrl: passed.reportLink,
      title: "stock-rsi 2021-05-14: passed, 2 crossings",
      text: "Entered overbought: AAPL 71.25\nEntered oversold: PFE 29.10",
    });
    const failed = jsonPayload(composeNotification(fetchFailed));
    expect(failed.outcome).toEqual({ status: "step-failed", step: "fetch", exitCode: 3, message: "fetch: Yahoo did not answer for 600 s (deadline)" });
    expect([failed.crossings, failed.strongest, failed.weakest, failed.ranked, failed.withoutValue, failed.tradeDate, failed.reportUrl]).toEqual([null, null, null, null, null, null, null]);
  });

  it("Slack gets text a phone shows and Mattermost shows whole, and Block Kit blocks with Slack's characters escaped", () => {
    const message = slackMessage(composeNotification({ ...passed, crossings: [{ symbol: "A&B", kind: "entered-overbought", previous: 69, today: 71 }] }));
    expect(message.text.split("\n")[0]).toBe(":white_check_mark: stock-rsi 2021-05-14: passed, 1 crossing");
    expect(message.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "stock-rsi 2021-05-14: passed, 1 crossing", emoji: true } });
    expect(JSON.stringify(message.blocks)).toContain("A&amp;B entered overbought 69.00 -&gt; 71.00");
    expect(message.blocks.at(-1)).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: `<${passed.reportLink}|The run's report>` }] });
    for (const block of message.blocks) expect(JSON.stringify(block).length).toBeLessThan(3100);
  });

  it("ntfy gets the title, priority and tags as headers, the report as the click-through, and a body under 4 KB", () => {
    const ok = ntfyMessage(n);
    expect(ok.headers).toEqual({ Title: "stock-rsi 2021-05-14: passed, 2 crossings", Priority: "3", Tags: "chart_with_upwards_trend", Click: passed.reportLink });
    expect(ok.body.split("\n")[0]).toBe("Entered overbought: AAPL 71.25");
    const failed = ntfyMessage(composeNotification(fetchFailed));
    expect(failed.headers).toEqual({ Title: "stock-rsi 2021-05-17: FAILED at fetch (exit 3)", Priority: "4", Tags: "rotating_light" });
    const huge = ntfyMessage(composeNotification({ ...passed, crossings: Array.from({ length: 400 }, (_, i) => ({ symbol: `S${i}`, kind: "left-oversold" as const, previous: 29, today: 31 })) }));
    expect(Buffer.byteLength(huge.body)).toBeLessThanOrEqual(4000);
    expect(huge.body.endsWith("…")).toBe(true);
  });

  it("a header that is not ASCII goes as an RFC 2047 encoded word", () => {
    expect(headerText("plain title")).toBe("plain title");
    expect(headerText("Zürich → up")).toBe(`=?UTF-8?B?${Buffer.from("Zürich → up").toString("base64")}?=`);
    expect(headerText("two\r\nlines")).toBe("two lines");
  });

  it("the email carries the report as its HTML when there is one, else the message as a page", () => {
    expect(emailMessage(n, "<html>report</html>")).toEqual({ subject: n.title, text: plainText(n, { title: false }), html: "<html>report</html>" });
    const page = emailMessage(composeNotification({ ...fetchFailed, outcome: { kind: "step-failed", step: "fetch", message: "<script>x</script> & more" } }), undefined).html;
    expect(page).toContain("&lt;script&gt;x&lt;/script&gt; &amp; more");
    expect(page).not.toContain("<script>");
  });
});

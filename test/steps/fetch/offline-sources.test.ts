import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runFetch } from "../../../steps/fetch/step.ts";
import { fileSource } from "../../../steps/fetch/sources/file.ts";
import { sampleClose, sampleSource } from "../../../steps/fetch/sources/sample.ts";
import { captureIo, tempDir } from "../../support/cli.ts";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe("the sample source", () => {
  it("gives the same symbol and date the same close, whatever window was asked for", async () => {
    const wide = await sampleSource.fetch({ symbols: ["AAPL", "MSFT"], from: "2021-01-01", asOf: "2021-05-17" });
    const narrow = await sampleSource.fetch({ symbols: ["MSFT"], from: "2021-05-03", asOf: "2021-05-10" });
    const msftWide = wide.series[1]!.bars.filter((b) => b.date >= "2021-05-03" && b.date <= "2021-05-10");
    expect(narrow.series[0]!.bars).toEqual(msftWide);
    expect(msftWide.map((b) => b.date)).toEqual(["2021-05-03", "2021-05-04", "2021-05-05", "2021-05-06", "2021-05-07", "2021-05-10"]);
    expect(sampleClose("AAPL", "2021-05-17")).not.toBe(sampleClose("MSFT", "2021-05-17"));
    expect(sampleClose("AAPL", "2021-05-17")).not.toBe(sampleClose("AAPL", "2021-05-18"));
  });
});

describe("the file: source", () => {
  it("replays a prices artifact: requested symbols only, window applied, missing ones not-found", async () => {
    const recorded = join(dir.path, "recorded.json");
    writeFileSync(
      recorded,
      JSON.stringify({
        schemaVersion: 1,
        kind: "prices",
        asOf: "2021-05-18",
        source: "yahoo",
        series: [
          { symbol: "AAPL", bars: [{ date: "2021-05-14", close: 1 }, { date: "2021-05-17", close: 2 }, { date: "2021-05-18", close: 3 }] },
          { symbol: "MSFT", bars: [{ date: "2021-05-17", close: 5 }] },
        ],
        failures: [{ symbol: "ATVI", reason: "not-found", message: "No data found, symbol may be delisted" }],
      }),
    );
    const source = fileSource(recorded);
    const response = await source.fetch({ symbols: ["AAPL", "ATVI", "ZZZ"], from: "2021-05-15", asOf: "2021-05-17" });
    expect(source.name).toBe(`file:${recorded}`);
    expect(response).toEqual({
      series: [{ symbol: "AAPL", bars: [{ date: "2021-05-17", close: 2 }] }],
      failures: [
        { symbol: "ATVI", reason: "not-found", message: "No data found, symbol may be delisted" },
        { symbol: "ZZZ", reason: "not-found", message: `not in ${recorded}` },
      ],
    });
  });
});

describe("fetch progress", () => {
  it("writes N/M to $ARGO_PROGRESS_FILE and plain lines when stderr is a log", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "A\nB\nC\nD\n");
    const progressFile = join(dir.path, "progress");
    const io = captureIo({ env: { ARGO_PROGRESS_FILE: progressFile } });
    await runFetch({ symbols, out: join(dir.path, "prices.json"), asOf: "2021-05-17", lookbackDays: 30, source: "sample" }, io);
    expect(readFileSync(progressFile, "utf8")).toBe("4/4\n");
    expect(io.stderr()).toContain("fetch: 2 of 4 symbols done\n");
    expect(io.stderr()).not.toContain("\r");
    expect(io.stdout()).toBe("");
  });

  it("draws a bar on a terminal", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "A\nB\n");
    const io = captureIo({ tty: true });
    await runFetch({ symbols, out: join(dir.path, "prices.json"), asOf: "2021-05-17", lookbackDays: 30, source: "sample" }, io);
    expect(io.stderr()).toContain("\r[*************50%              ] 1 of 2 completed");
    expect(io.stderr()).toMatch(/\r\[\*{13}100%\*{13}\] 2 of 2 completed\n/);
  });

  it("defaults the as-of date to today in New York", async () => {
    const symbols = join(dir.path, "symbols");
    writeFileSync(symbols, "A\n");
    // 02:00 UTC on the 18th is still the evening of the 17th in New York.
    const io = captureIo({ now: new Date("2021-05-18T02:00:00Z") });
    const artifact = await runFetch({ symbols, out: join(dir.path, "prices.json"), lookbackDays: 10, source: "sample" }, io);
    expect(artifact.asOf).toBe("2021-05-17");
    expect(artifact.series[0]!.bars.at(-1)!.date).toBe("2021-05-17");
  });
});

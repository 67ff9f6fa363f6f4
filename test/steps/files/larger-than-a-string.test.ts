/**
 * A prices artifact larger than the longest string V8 can make (`MAX_STRING_LENGTH`, about
 * 512 MiB): what 5,000 symbols over a few years of history come to. Before the artifacts were
 * streamed, fetch crashed writing it, after all the downloads, and compute-rsi could not read it.
 * Now the artifact writer (fetch's) writes it and compute-rsi reads it, in a process whose memory peaks far below
 * the file's size. It takes some seconds: the file really is that large.
 */
import { constants } from "node:buffer";
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCompute } from "../../../steps/compute-rsi/step.ts";
import { RSI } from "../../../steps/domain/artifacts.ts";
import { ArtifactWriter, readArtifact } from "../../../steps/files/artifact-files.ts";
import { guardOutputs } from "../../../steps/files/output-files.ts";
import { captureIo, tempDir } from "../../support/cli.ts";

/** A file to write, declared as a command declares its outputs. */
const outputFile = (path: string) => guardOutputs({ outputs: [{ flag: "--out", path }] }).open(path);

const dir = tempDir();
afterAll(() => dir.cleanup());

describe("an artifact larger than a string", () => {
  it("is written by the artifact writer and read by compute-rsi, with memory far below its size", () => {
    const dates = Array.from({ length: 252 }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10));
    const seriesOf = (s: number) => ({ symbol: `S${s}`, bars: dates.map((date, i) => ({ date, close: 100 + ((s * 7 + i * 13) % 1000) / 100 })) });
    const bytesPerSeries = JSON.stringify(seriesOf(0), null, 2).replaceAll("\n", "\n    ").length + 6;
    const count = Math.ceil(constants.MAX_STRING_LENGTH / bytesPerSeries) + 500;
    const prices = join(dir.path, "prices.json");
    const writer = new ArtifactWriter(outputFile(prices)).member("schemaVersion", 1).member("kind", "prices").member("asOf", "2020-09-08").member("source", "test");
    writer.beginArray("series");
    for (let s = 0; s < count; s++) writer.element(seriesOf(s));
    writer.endArray().member("failures", []).close();
    expect(statSync(prices).size).toBeGreaterThan(constants.MAX_STRING_LENGTH);

    const rsi = join(dir.path, "rsi.json");
    const io = captureIo();
    runCompute({ in: prices, out: rsi, method: "wilder", period: 14 }, io);
    expect(io.stderr()).toContain(`compute-rsi: ${count} RSI values (wilder, period 14), 0 undefined`);
    expect(readArtifact(rsi, RSI, "test").results).toHaveLength(count);
    expect(process.resourceUsage().maxRSS * 1024).toBeLessThan(statSync(prices).size / 2);
  }, 300_000);
});

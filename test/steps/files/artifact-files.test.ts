/**
 * The artifact reader and writer: the writer's bytes are `JSON.stringify(artifact, null, 2)`'s,
 * the reader accepts every layout of the same JSON and returns what zod returns for it, and
 * nothing but a regular file is read.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRICES, pricesSchema, RSI, type PricesArtifact } from "../../../steps/domain/artifacts.ts";
import { UserError } from "../../../steps/domain/errors.ts";
import { ArtifactWriter, readArtifact, readArtifactStream, writeArtifact } from "../../../steps/files/artifact-files.ts";
import { guardOutputs } from "../../../steps/files/output-files.ts";
import { stockRsi, tempDir } from "../../support/cli.ts";

/** A file to write, declared as a command declares its outputs. */
const outputFile = (path: string) => guardOutputs({ outputs: [{ flag: "--out", path }] }).open(path);

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const bars = (n: number, start = 0) =>
  Array.from({ length: n }, (_, i) => ({ date: new Date(Date.UTC(2021, 0, 1 + start + i)).toISOString().slice(0, 10), close: i % 7 === 3 ? null : 100 + Math.sin(i) }));

const prices = (): PricesArtifact & Record<string, unknown> => ({
  schemaVersion: 1,
  kind: "prices",
  asOf: "2021-05-17",
  source: "test",
  series: [
    { symbol: "A", bars: bars(30) },
    { symbol: "B", bars: bars(3), note: "B\u00e9: a \"quoted\" ] } [ { \\ text\n", nested: { x: [1, { y: "}" }] } },
    { symbol: "C", bars: [] },
  ],
  failures: [{ symbol: "D", reason: "not-found", message: "gone ☃" }],
  extra: { deep: [[], {}, [[]]], text: "" },
  empty: [],
});

/** What the steps read before they streamed: the whole file, JSON.parse, zod. */
const wholeFileReading = (path: string) => pricesSchema.parse(JSON.parse(readFileSync(path, "utf8")));

describe("the artifact writer", () => {
  it("writes exactly JSON.stringify's two-space layout, one element at a time", () => {
    const artifact = { ...prices(), skipped: undefined, flag: true, nothing: null };
    const path = join(dir.path, "a.json");
    writeArtifact(outputFile(path), artifact);
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(artifact, null, 2)}\n`);
    writeArtifact(outputFile(path), {});
    expect(readFileSync(path, "utf8")).toBe("{}\n");
  });

  it("leaves nothing behind when aborted, and the old file untouched", () => {
    const path = join(dir.path, "a.json");
    writeFileSync(path, "old\n");
    const writer = new ArtifactWriter(outputFile(path)).member("kind", "prices").beginArray("series");
    writer.element({ symbol: "A" });
    writer.abort();
    expect(readFileSync(path, "utf8")).toBe("old\n");
    expect(execFileSync("ls", [dir.path], { encoding: "utf8" })).toBe("a.json\n");
  });
});

describe("the artifact reader", () => {
  const layouts: Record<string, (a: unknown) => string> = {
    "the steps' own": (a) => `${JSON.stringify(a, null, 2)}\n`,
    "one line": (a) => JSON.stringify(a),
    "four spaces": (a) => JSON.stringify(a, null, 4),
    tabs: (a) => JSON.stringify(a, null, "\t"),
    "CRLF line ends": (a) => JSON.stringify(a, null, 2).replaceAll("\n", "\r\n"),
    "the bulk first": (a) => {
      const { series, ...rest } = a as PricesArtifact;
      return JSON.stringify({ series, ...rest }, null, 2);
    },
    // A nested object closing on the line an element would close on: the layout guess is wrong.
    "a misleading closing line": (a) => JSON.stringify(a, null, 2).replace('"nested": {', '"nested": {\n    "fake": {\n    },'),
  };

  it.each(Object.keys(layouts))("reads %s layout as JSON.parse and zod do", (layout) => {
    const path = join(dir.path, "prices.json");
    writeFileSync(path, layouts[layout]!(prices()));
    const streamed = readArtifact(path, PRICES, "test");
    const whole = wholeFileReading(path);
    expect(streamed).toEqual(whole);
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole));
  });

  it("hands the members ahead of the bulk over before the first element, whatever the file's order", () => {
    const path = join(dir.path, "prices.json");
    writeFileSync(path, layouts["the bulk first"]!(prices()));
    const seen: string[] = [];
    readArtifactStream(path, PRICES, "test", {
      head: (head) => seen.push(`head ${String(head.asOf)}`),
      element: (series) => seen.push(series.symbol),
    });
    expect(seen).toEqual(["head 2021-05-17", "A", "B", "C"]);
  });

  it("refuses a member named twice, which JSON.parse would have settled silently", () => {
    const path = join(dir.path, "prices.json");
    writeFileSync(path, JSON.stringify(prices()).replace('"source":"test"', '"source":"test","asOf":"2021-05-18"'));
    expect(() => readArtifact(path, PRICES, "stock-rsi fetch")).toThrow(
      new UserError(`${path}: asOf: appears twice (a member is named once); regenerate it with stock-rsi fetch`),
    );
  });

  it("agrees with zod on every element its quick check lets through", () => {
    const good = { symbol: "AAPL", date: "2021-05-17", rsi: 41.5, close: 126.27 };
    const variants: unknown[] = [
      good,
      { ...good, extra: 1 },
      { date: good.date, symbol: "AAPL", rsi: 1, close: 1 },
      { ...good, symbol: "" },
      { ...good, date: "2021-02-29" },
      { ...good, date: "2020-02-29" },
      { ...good, date: " 2021-05-17" },
      { ...good, rsi: "1" },
      { ...good, rsi: null },
      { ...good, close: -0 },
      JSON.parse('{"symbol":"A","date":"2021-05-17","rsi":1,"close":2,"__proto__":{"x":1}}'),
      [],
      null,
      "AAPL",
      { ...good, symbol: "aapl" },
      { ...good, symbol: ".." },
      { ...good, symbol: "X\u001b]0;pwned\u0007" },
      { ...good, symbol: "ABCDEFGHIJKLMNOPQRSTU" },
    ];
    const quick = RSI.quickElement();
    for (const variant of variants) {
      const zod = RSI.element.safeParse(variant);
      if (quick(variant) !== undefined) {
        expect(zod.success, JSON.stringify(variant)).toBe(true);
        expect(JSON.stringify(zod.data), JSON.stringify(variant)).toBe(JSON.stringify(variant));
      }
    }
    // The common case only: the good one, one with a field more, a leap day. (A close of zero, even
    // a negative one, is no price: zod refuses it, and so does the quick check; so is a symbol that
    // is no stored ticker.)
    expect(variants.filter((v) => quick(v) !== undefined)).toEqual([variants[0], variants[1], variants[5]]);
  });

  it("refuses a directory, a device and a FIFO with one line, without reading them", async () => {
    const fifo = join(dir.path, "fifo.json");
    execFileSync("mkfifo", [fifo]);
    const cases = [
      [dir.path, "it is a directory"],
      ["/dev/zero", "it is a device, not a file"],
      [fifo, "it is a FIFO, not a file"],
    ] as const;
    for (const [path, why] of cases) {
      const result = await stockRsi(["compute-rsi", "--in", path, "--out", join(dir.path, "rsi.json")]);
      expect(result.code, path).toBe(2);
      expect(result.stderr).toBe(`stock-rsi: ${path}: cannot read the file (${why})\n`);
    }
  });
});

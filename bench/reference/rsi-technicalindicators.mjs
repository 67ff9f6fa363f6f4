// The reference for compute-rsi: read the prices artifact the usual way (the whole file,
// JSON.parse) and compute each symbol's RSI with the technicalindicators package, then write the
// last values. What a short script doing the same job does; `npm run bench:compute` times it.
import { readFileSync, writeFileSync } from "node:fs";
import { RSI } from "technicalindicators";

const [input, output] = process.argv.slice(2);
const prices = JSON.parse(readFileSync(input, "utf8"));
const results = [];
for (const { symbol, bars } of prices.series) {
  const values = RSI.calculate({ period: 14, values: bars.map((b) => b.close).filter((c) => c !== null) });
  if (values.length > 0) results.push({ symbol, rsi: values.at(-1) });
}
writeFileSync(output, JSON.stringify({ results }, null, 2));

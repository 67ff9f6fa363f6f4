// The reference for validate: read the rsi artifact the usual way (the whole file, JSON.parse)
// and check each result in a plain loop: a symbol, a YYYY-MM-DD date, an RSI within 0-100.
// Nothing is written. `npm run bench:compute` times it.
import { readFileSync } from "node:fs";

const rsi = JSON.parse(readFileSync(process.argv[2], "utf8"));
const date = /^\d{4}-\d{2}-\d{2}$/;
let bad = 0;
for (const r of rsi.results) {
  if (typeof r.symbol !== "string" || r.symbol === "" || !date.test(r.date) || !(r.rsi >= 0 && r.rsi <= 100)) bad++;
}
if (bad > 0) process.exitCode = 1;

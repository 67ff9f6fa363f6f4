// The floor under compute-rsi and validate: read the artifact the usual way (the whole file,
// JSON.parse) and do nothing with it. No program that reads the file with this Node can do less
// work; `npm run bench:compute` times it beside each step and its reference.
import { readFileSync } from "node:fs";

const artifact = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (typeof artifact !== "object" || artifact === null) process.exitCode = 1;

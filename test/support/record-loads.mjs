// Loaded ahead of a program with `node --import`: records every module the process loads, by
// `import` and by `require` alike, and writes their URLs, one a line, to the file named by
// $STOCK_RSI_TEST_LOADS when the process exits. Plain JavaScript, so it needs no loader itself.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on("exit", () => {
  const file = process.env.STOCK_RSI_TEST_LOADS;
  if (file) writeFileSync(file, [...loaded].join("\n"));
});

#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx stock-rsi` works right after
// `npm ci` with no build step. The container images run an esbuild bundle instead.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");

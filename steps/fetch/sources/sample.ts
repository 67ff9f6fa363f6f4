/**
 * The `sample` source: deterministic, offline prices for demos and tests.
 *
 * A symbol's close on a date is a pure function of the two: the same symbol and date give the
 * same price in every run, whatever the window asked for. Each symbol gets its own base price,
 * two slow cycles (trends that push RSI towards 30 or 70) and a daily wobble, all derived from
 * a hash, so 180 symbols produce a believable spread of RSI values. Weekends have no bars;
 * exchange holidays are not modelled.
 */
import { addDays, isWeekday } from "../../domain/dates.ts";
import type { Series } from "../../domain/artifacts.ts";
import type { PriceRequest, PriceResponse, PriceSource } from "../source.ts";

export const sampleSource: PriceSource = {
  name: "sample",
  async fetch(request: PriceRequest): Promise<PriceResponse> {
    const series: Series[] = [];
    for (const [i, symbol] of request.symbols.entries()) {
      // Thousands of symbols take seconds: let a Ctrl-C (and the progress file) through now and then.
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
      const bars = [];
      for (let date = request.from; date <= request.asOf; date = addDays(date, 1)) {
        if (isWeekday(date)) bars.push({ date, close: sampleClose(symbol, date) });
      }
      request.onSymbolDone?.(symbol);
      series.push({ symbol, bars });
    }
    return { series, failures: [] };
  },
};

/** The sample close of `symbol` on `date`, rounded to cents like a real quote. */
export function sampleClose(symbol: string, date: string): number {
  const unit = (salt: string) => hash32(`${symbol}|${salt}`) / 2 ** 32;
  const day = Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const base = 10 + 490 * unit("base");
  const slowPeriod = 90 + 160 * unit("slow-period");
  const fastPeriod = 20 + 30 * unit("fast-period");
  const slow = 0.18 * unit("slow-amp") * Math.sin((2 * Math.PI * day) / slowPeriod + 6.283 * unit("slow-phase"));
  const fast = 0.06 * unit("fast-amp") * Math.sin((2 * Math.PI * day) / fastPeriod + 6.283 * unit("fast-phase"));
  const wobble = 0.012 * gaussian(hash32(`${symbol}|${date}|a`), hash32(`${symbol}|${date}|b`));
  return Math.round(base * Math.exp(slow + fast + wobble) * 100) / 100;
}

/** FNV-1a followed by a murmur3 finaliser: fast, well mixed, stable across platforms. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Box-Muller: two uniform hashes to one standard normal draw. */
function gaussian(a: number, b: number): number {
  const u = (a + 1) / (2 ** 32 + 1);
  const v = b / 2 ** 32;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The `sample` source: deterministic, offline prices for demos and tests.
 *
 * A symbol's close on a date is a pure function of the two: the same symbol and date give the
 * same price in every run, whatever the window asked for. Each symbol gets its own base price,
 * two slow cycles (trends that push RSI towards 30 or 70) and a daily wobble, all derived from
 * a hash, so 180 symbols produce a believable spread of RSI values. Bars fall on the NYSE's
 * trading days only, as a US listing's on Yahoo: no weekend, no exchange holiday (Thanksgiving,
 * Good Friday, ...), so an offline run or backfill stores the days a real one stores.
 */
import { addDays, toEpochMs } from "../../domain/dates.ts";
import { isTradingDay } from "../../domain/market-calendar.ts";
import type { Series } from "../../domain/artifacts.ts";
import type { PriceRequest, PriceResponse, PriceSource } from "../source.ts";

export const sampleSource: PriceSource = {
  name: "sample",
  async fetch(request: PriceRequest): Promise<PriceResponse> {
    // The window's trading days are the same for every symbol: listed once, not once per symbol.
    const days: { date: string; day: number }[] = [];
    for (let date = request.from; date <= request.asOf; date = addDays(date, 1)) {
      if (isTradingDay(date)) days.push({ date, day: toEpochMs(date) / 86_400_000 });
    }
    const series: Series[] = [];
    for (const [i, symbol] of request.symbols.entries()) {
      // Thousands of symbols take seconds: let a Ctrl-C (and the progress file) through now and then.
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
      const close = sampleCurve(symbol);
      const bars = days.map(({ date, day }) => ({ date, close: close(day, date) }));
      request.onSymbolDone?.(symbol);
      series.push({ symbol, bars });
    }
    return { series, failures: [] };
  },
};

/** The sample close of `symbol` on `date`, rounded to cents like a real quote. */
export function sampleClose(symbol: string, date: string): number {
  return sampleCurve(symbol)(toEpochMs(date) / 86_400_000, date);
}

/**
 * A symbol's price curve: its base price, two slow cycles and a daily wobble. What depends only
 * on the symbol is worked out once; a close then costs two short hashes (of the date, continuing
 * from the symbol's) and a few sines.
 */
function sampleCurve(symbol: string): (day: number, date: string) => number {
  const unit = (salt: string) => hash32(`${symbol}|${salt}`) / 2 ** 32;
  const base = 10 + 490 * unit("base");
  const slowPeriod = 90 + 160 * unit("slow-period");
  const fastPeriod = 20 + 30 * unit("fast-period");
  const slowAmplitude = 0.18 * unit("slow-amp");
  const slowPhase = 6.283 * unit("slow-phase");
  const fastAmplitude = 0.06 * unit("fast-amp");
  const fastPhase = 6.283 * unit("fast-phase");
  const prefix = fnv1a(FNV_OFFSET, `${symbol}|`);
  return (day, date) => {
    const slow = slowAmplitude * Math.sin((2 * Math.PI * day) / slowPeriod + slowPhase);
    const fast = fastAmplitude * Math.sin((2 * Math.PI * day) / fastPeriod + fastPhase);
    const ofDate = fnv1a(prefix, date);
    const wobble = 0.012 * gaussian(mix(fnv1a(ofDate, "|a")), mix(fnv1a(ofDate, "|b")));
    return Math.round(base * Math.exp(slow + fast + wobble) * 100) / 100;
  };
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a followed by a murmur3 finaliser: fast, well mixed, stable across platforms. */
function hash32(text: string): number {
  return mix(fnv1a(FNV_OFFSET, text));
}

/** FNV-1a over `text`, continuing from state `h`: hashing "ab" is hashing "b" after "a". */
function fnv1a(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** The murmur3 finaliser. */
function mix(h: number): number {
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

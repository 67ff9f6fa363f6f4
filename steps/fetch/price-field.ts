/**
 * Which of Yahoo's prices the bars carry (`--price-field`): `close` is split-adjusted but not
 * dividend-adjusted, what the original program ranked on and the user's stored history holds;
 * `adjclose` also folds dividends in. Its own module, so the flag's definition loads no source.
 */
export const PRICE_FIELDS = ["close", "adjclose"] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

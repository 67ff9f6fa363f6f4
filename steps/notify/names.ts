/**
 * The environment variables notify reads, named once: `run` needs to know whether a channel is
 * configured without loading the delivery code.
 */

/** Channel URLs, separated by blanks or lines. */
export const CHANNELS_ENV = "STOCK_RSI_NOTIFY";
/** A file of channel URLs, one a line, `#` comments: how a Kubernetes Secret arrives. */
export const CHANNELS_FILE_ENV = "STOCK_RSI_NOTIFY_FILE";
/** An email channel's password, when its URL has none, as MySQL's (`MYSQL_PASSWORD`). */
export const SMTP_PASSWORD_ENV = "SMTP_PASSWORD";
/** A file holding that password (a mounted Secret), as `MYSQL_PASSWORD_FILE`. */
export const SMTP_PASSWORD_FILE_ENV = "SMTP_PASSWORD_FILE";

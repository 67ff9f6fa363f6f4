/**
 * The MySQL accounts stock-rsi needs, and exactly what each may do. Nothing runs as root.
 *
 * - the pipeline account (`stock_rsi`) is what the persist step, `history`, `migrate` and
 *   `import-legacy` connect as. It reads and writes the pipeline's tables and may create and
 *   alter tables in its own database only: `persist` applies pending schema migrations itself,
 *   and the user's wide `stocks` table gains a column when a new symbol appears. It has no
 *   DELETE, DROP, GRANT, FILE or any global privilege.
 * - the reader account (`stock_rsi_reader`) is for Excel over ODBC and other charting: SELECT
 *   on the database, nothing else.
 *
 * The Kubernetes MySQL init script (workflows/) creates both accounts from these statements on
 * the first start of an empty data directory; the README lists them for an existing server.
 */

export interface MysqlAccounts {
  readonly database: string;
  readonly pipelineUser: string;
  readonly readerUser: string;
}

export const DEFAULT_MYSQL_ACCOUNTS: MysqlAccounts = {
  database: "stock_rsi",
  pipelineUser: "stock_rsi",
  readerUser: "stock_rsi_reader",
};

export const PIPELINE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "CREATE", "ALTER", "INDEX"] as const;
export const READER_PRIVILEGES = ["SELECT"] as const;

/** `GRANT` statements for both accounts (the accounts must exist; passwords are not here). */
export function grantStatements(accounts: MysqlAccounts = DEFAULT_MYSQL_ACCOUNTS, host = "%"): string[] {
  const db = quoteIdentifier(accounts.database);
  return [
    `GRANT ${PIPELINE_PRIVILEGES.join(", ")} ON ${db}.* TO ${quoteAccount(accounts.pipelineUser, host)}`,
    `GRANT ${READER_PRIVILEGES.join(", ")} ON ${db}.* TO ${quoteAccount(accounts.readerUser, host)}`,
  ];
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

function quoteAccount(user: string, host: string): string {
  return `'${user.replace(/'/g, "''")}'@'${host.replace(/'/g, "''")}'`;
}

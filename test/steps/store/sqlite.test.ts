import { join } from "node:path";
import Database from "better-sqlite3";
import { openStore } from "../../../steps/store/open-store.ts";
import { tempDir } from "../../support/cli.ts";
import { describeStoreContract, type StoreFixture, type StoredRun, type StoredValue } from "./store-contract.ts";

describeStoreContract("SQLite", async (): Promise<StoreFixture> => {
  const dir = tempDir("stock-rsi-sqlite-");
  const file = join(dir.path, "rsi.db");
  const peek = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  return {
    open: (options = {}) => openStore(`sqlite:${file}`, { ...options }),
    async values() {
      return peek((db) =>
        db.prepare<[], StoredValue>(
          `SELECT trade_date AS tradeDate, symbol, method, period, rsi, close, close_date AS closeDate, run_id AS runId
             FROM rsi_values ORDER BY trade_date, symbol, method, period`,
        ).all(),
      );
    },
    async runs() {
      return peek((db) =>
        db.prepare<[], StoredRun>("SELECT run_id AS runId, trade_date AS tradeDate, source, ranked, failed FROM rsi_runs ORDER BY run_id").all(),
      );
    },
    async setSchemaVersion(version) {
      const db = new Database(file);
      db.exec(`PRAGMA user_version = ${version}`);
      db.close();
    },
    async tableExists(name) {
      try {
        return peek((db) => db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as { n: number }).n > 0;
      } catch {
        return false;
      }
    },
    async cleanup() {
      dir.cleanup();
    },
  };
});

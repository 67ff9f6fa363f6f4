/**
 * The MySQL store against a real MariaDB 10.11, connected as the pipeline account with exactly
 * the grants in `steps/store/mysql/grants.ts`: the shared repository contract, then what only
 * MySQL has (accounts, passwords, TLS, the migration lock).
 */
import { writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../../../steps/domain/errors.ts";
import { PIPELINE_PRIVILEGES, READER_PRIVILEGES } from "../../../../steps/store/mysql/grants.ts";
import { migrationLockName } from "../../../../steps/store/mysql/store.ts";
import { openStore } from "../../../../steps/store/open-store.ts";
import { captureIo, tempDir } from "../../../support/cli.ts";
import { runCli } from "../../../../cli/program.ts";
import { startMariaDb, type MariaDbServer } from "../../../support/mariadb.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../../steps/store/migrations.ts";
import { dayOf, describeStoreContract, type StoreFixture, type StoredRun, type StoredValue } from "../store-contract.ts";

let server: MariaDbServer;
const secrets = tempDir("stock-rsi-secret-");
beforeAll(async () => {
  server = await startMariaDb({ tls: true });
});
afterAll(async () => {
  await server?.destroy();
  secrets.cleanup();
});

describeStoreContract("MySQL", async (): Promise<StoreFixture> => {
  const db = await server.createDatabase("contract");
  const admin = await server.admin();
  return {
    open: (options = {}) => openStore(db.url, { env: db.env, wideTable: false, ...options }),
    async values() {
      // execute: the binary protocol returns DOUBLEs exactly as stored.
      const [rows] = await admin.execute<RowDataPacket[]>(
        `SELECT trade_date AS tradeDate, symbol, method, period, rsi, close, close_date AS closeDate, run_id AS runId
           FROM \`${db.name}\`.rsi_values ORDER BY trade_date, symbol, method, period`,
      );
      return rows.map((r) => ({ ...r }) as StoredValue);
    },
    async runs() {
      const [rows] = await admin.execute<RowDataPacket[]>(
        `SELECT run_id AS runId, trade_date AS tradeDate, source, ranked, failed FROM \`${db.name}\`.rsi_runs ORDER BY run_id`,
      );
      return rows.map((r) => ({ ...r }) as StoredRun);
    },
    async setSchemaVersion(version) {
      await admin.query(`INSERT INTO \`${db.name}\`.schema_migrations (version, summary, applied_at) VALUES (?, 'from a newer stock-rsi', NOW())`, [version]);
    },
    async tableExists(name) {
      const rows = await server.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", [db.name, name]);
      return Number(rows[0]!.n) > 0;
    },
    async cleanup() {
      await admin.query(`DROP DATABASE \`${db.name}\``);
    },
  };
});

describe("the MySQL store's accounts and connection", () => {
  it("the test accounts hold exactly the documented grants, nothing global", async () => {
    const db = await server.createDatabase("grants");
    const grants = (await server.query<RowDataPacket[]>("SHOW GRANTS FOR 'stock_rsi'@'%'")).map((r) => String(Object.values(r)[0]));
    const onThisDb = grants.filter((g) => g.includes(`\`${db.name}\``));
    expect(onThisDb).toHaveLength(1);
    expect(privilegesIn(onThisDb[0]!)).toEqual([...PIPELINE_PRIVILEGES].sort());
    expect(grants.filter((g) => g.includes("ON *.*")).map((g) => g.replace(/ IDENTIFIED BY .*/, ""))).toEqual(["GRANT USAGE ON *.* TO `stock_rsi`@`%`"]);
    const reader = (await server.query<RowDataPacket[]>("SHOW GRANTS FOR 'stock_rsi_reader'@'%'")).map((r) => String(Object.values(r)[0]));
    expect(privilegesIn(reader.find((g) => g.includes(`\`${db.name}\``))!)).toEqual([...READER_PRIVILEGES]);
  });

  it("the read-only account can read the history but cannot store a day", async () => {
    const db = await server.createDatabase("reader");
    const writer = await openStore(db.url, { env: db.env });
    await writer.writeDay(dayOf("2021-05-17", { AAPL: 46.89 }));
    await writer.close();

    const reader = await openStore(db.readerUrl, { env: db.readerEnv, access: "read" });
    expect(await reader.history({ symbols: ["AAPL"] })).toEqual([{ symbol: "AAPL", date: "2021-05-17", rsi: 46.89 }]);
    await reader.close();

    const wouldWrite = await openStore(db.readerUrl, { env: db.readerEnv, access: "write" });
    const refusal = await wouldWrite.writeDay(dayOf("2021-05-18", { AAPL: 50 })).then(
      () => undefined,
      (err: unknown) => err,
    );
    await wouldWrite.close();
    expect(refusal).toBeInstanceOf(UserError);
    expect((refusal as Error).message).toMatch(/could not store 2021-05-18: .*command denied to user 'stock_rsi_reader'.*lacks a privilege stock-rsi needs/);
  });

  it("takes the password from MYSQL_PASSWORD_FILE, as a mounted Kubernetes Secret", async () => {
    const db = await server.createDatabase("pwfile");
    const store = await openStore(db.url, { env: { MYSQL_PASSWORD_FILE: await writeSecret(`${server.pipelinePassword}\n`) } });
    expect(store.schema).toMatchObject({ before: 0, after: SCHEMA_VERSION });
    await store.close();
    const missing = captureIo({ env: { MYSQL_PASSWORD_FILE: "/run/secrets/nope" } });
    expect(await runCli(["migrate", "--db", db.url], missing)).toBe(2);
    expect(missing.stderr()).toBe("stock-rsi: MYSQL_PASSWORD_FILE=/run/secrets/nope: cannot read the password file (no such file)\n");
  });

  it("a password in the URL works and is never printed, not even when the command fails", async () => {
    const db = await server.createDatabase("urlpw");
    const withPassword = db.url.replace("stock_rsi@", `stock_rsi:${encodeURIComponent(server.pipelinePassword)}@`);
    const io = captureIo({ env: {} });
    expect(await runCli(["migrate", "--db", withPassword], io)).toBe(0);
    expect(io.stderr()).toContain(`migrate: mysql://stock_rsi@127.0.0.1:${server.port}/${db.name}: migrated from version 0 to ${SCHEMA_VERSION}`);

    const wrongDb = withPassword.replace(db.name, "no_such_db");
    const failing = captureIo({ env: {} });
    expect(await runCli(["history", "AAPL", "--db", wrongDb], failing)).toBe(4);
    expect(failing.stderr()).toMatch(/^stock-rsi: mysql:\/\/stock_rsi@127\.0\.0\.1:\d+\/no_such_db: could not read the schema version: Access denied for user 'stock_rsi'@'%' to database 'no_such_db'; create the database/);
    for (const output of [io.stdout(), io.stderr(), failing.stdout(), failing.stderr()]) expect(output).not.toContain(server.pipelinePassword);
  });

  it("a wrong password is one line with exit status 4 (retrying cannot fix it), naming where the password comes from", async () => {
    const db = await server.createDatabase("badpw");
    const io = captureIo({ env: { MYSQL_PASSWORD: "not-the-password" } });
    expect(await runCli(["migrate", "--db", db.url], io)).toBe(4);
    expect(io.stderr()).toMatch(/^stock-rsi: mysql:\/\/stock_rsi@127\.0\.0\.1:\d+\/\w+: could not bring the schema up to date: access denied for user stock_rsi .*check MYSQL_PASSWORD or MYSQL_PASSWORD_FILE/);
    expect(io.stderr().trim().split("\n")).toHaveLength(1);
    expect(io.stderr()).not.toContain("not-the-password");
  });

  it("connects over the server's Unix socket when the URL names one", async () => {
    const db = await server.createDatabase("socket");
    const store = await openStore(`mysql://stock_rsi@localhost/${db.name}?socket=${encodeURIComponent(server.socket)}`, { env: db.env });
    expect(store.description).toBe(`mysql://stock_rsi@localhost/${db.name}?socket=${server.socket}`);
    await store.writeDay(dayOf("2021-05-17", { AAPL: 46.89 }));
    await store.close();
    expect(await server.query(`SELECT symbol FROM \`${db.name}\`.rsi_values`)).toEqual([{ symbol: "AAPL" }]);
  });

  it("connects over TLS, checking the server's certificate against ssl-ca", async () => {
    const db = await server.createDatabase("tls");
    const cipher = async (url: string) => {
      const store = await openStore(url, { env: db.env });
      await store.close();
      // The store has no query for this; ask the server which of its sessions used TLS instead.
      const rows = await server.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'");
      return Number(rows[0]!.Value);
    };
    const before = await cipher(db.url);
    const verified = await cipher(`${db.url}?ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(server.tls!.ca)}`);
    expect(verified).toBeGreaterThan(before);
    const required = await cipher(`${db.url}?ssl-mode=REQUIRED`);
    expect(required).toBeGreaterThan(verified);

    const wrongCa = await openStore(`${db.url}?ssl-ca=${encodeURIComponent(server.tls!.otherCa)}&retry-deadline=0`, { env: db.env }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(wrongCa).toBeInstanceOf(UserError);
    expect((wrongCa as UserError).exitCode).toBe(4);
    expect((wrongCa as Error).message).toMatch(/could not bring the schema up to date: .*(self[- ]signed|unable to verify|certificate)/i);
  });

  it("VERIFY_IDENTITY checks an IP host against the certificate's IP addresses, and a host name against its names", async () => {
    const db = await server.createDatabase("identity");
    const ca = encodeURIComponent(server.tls!.ca);
    const outcome = (url: string) =>
      openStore(url, { env: db.env }).then(
        async (store) => {
          await store.close();
          return "connected";
        },
        (err: unknown) => err,
      );
    const sslAccepts = async () => Number((await server.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'"))[0]!.Value);

    // 127.0.0.1 is the certificate's IP address (subjectAltName IP:127.0.0.1), localhost its name.
    const before = await sslAccepts();
    expect(await outcome(`${db.url}?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`)).toBe("connected");
    expect(await sslAccepts()).toBeGreaterThan(before);
    expect(await outcome(`mysql://stock_rsi@localhost:${server.port}/${db.name}?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`)).toBe("connected");

    // The same server reached at another address, 127.0.0.2, through a relay: the CA still
    // verifies, and the certificate does not name that address.
    const relay = await tcpRelay("127.0.0.2", server.port);
    try {
      const url = `mysql://stock_rsi@127.0.0.2:${(relay.address() as { port: number }).port}/${db.name}?ssl-ca=${ca}&retry-deadline=0`;
      expect(await outcome(`${url}&ssl-mode=VERIFY_CA`)).toBe("connected");
      const refused = await outcome(`${url}&ssl-mode=VERIFY_IDENTITY`);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).exitCode).toBe(4);
      expect((refused as Error).message).toMatch(/could not bring the schema up to date: .*IP: 127\.0\.0\.2 is not in the cert's list: 127\.0\.0\.1$/);
    } finally {
      relay.close();
    }
  });

  it("waits for the migration lock another process holds, then finds the schema current", async () => {
    const db = await server.createDatabase("lock");
    const admin = await server.admin();
    await admin.query("SELECT GET_LOCK(?, 0)", [migrationLockName(db.name)]);
    const opening = openStore(db.url, { env: db.env });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const tablesWhileLocked = await server.query<RowDataPacket[]>("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [db.name]);
    expect(tablesWhileLocked).toEqual([]);
    await admin.query("SELECT RELEASE_LOCK(?)", [migrationLockName(db.name)]);
    const store = await opening;
    expect(store.schema).toMatchObject({ before: 0, after: SCHEMA_VERSION });
    await store.close();
  });

  it("two processes opening a new database at once migrate it once", async () => {
    const db = await server.createDatabase("race");
    const stores = await Promise.all([openStore(db.url, { env: db.env }), openStore(db.url, { env: db.env }), openStore(db.url, { env: db.env })]);
    expect(stores.map((s) => s.schema.applied.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    for (const s of stores) await s.close();
    const versions = await server.query<RowDataPacket[]>(`SELECT version FROM \`${db.name}\`.schema_migrations`);
    expect(versions.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

function privilegesIn(grant: string): string[] {
  const list = /^GRANT (.*) ON /.exec(grant)![1]!;
  return list.split(",").map((p) => p.trim()).sort();
}

/** A password file, as a mounted Secret; removed after the file's tests. */
async function writeSecret(text: string): Promise<string> {
  const file = join(secrets.path, `password-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** A TCP relay listening on `host`, passing each connection on to 127.0.0.1:`port`. */
function tcpRelay(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const relay = createServer((client) => {
      const upstream = connect(port, "127.0.0.1");
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    relay.on("error", reject);
    relay.listen(0, host, () => resolve(relay));
  });
}

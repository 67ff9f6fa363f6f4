import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../../steps/domain/errors.ts";
import { LOCK_WAIT_SECONDS, parseMysqlUrl, sessionSettings, type TargetEdges } from "../../../../steps/store/mysql/connection.ts";
import { redact } from "../../../../steps/domain/redact.ts";

function edges(env: Record<string, string> = {}, files: Record<string, string> = {}): TargetEdges {
  return {
    env,
    readFile: (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    },
    notASocket: () => undefined,
  };
}

function refusal(url: string, e: TargetEdges = edges()): string {
  try {
    parseMysqlUrl(url, e);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("--db mysql://", () => {
  it("reads user, host, port and database; 3306 by default; TLS off by default", () => {
    expect(parseMysqlUrl("mysql://stock_rsi@mysql.stock-rsi.svc:3307/stock_rsi", edges())).toMatchObject({
      user: "stock_rsi",
      host: "mysql.stock-rsi.svc",
      port: 3307,
      database: "stock_rsi",
      sslMode: "DISABLED",
      description: "mysql://stock_rsi@mysql.stock-rsi.svc:3307/stock_rsi",
    });
    const target = parseMysqlUrl("mysql://u@db/x", edges());
    expect(target.port).toBe(3306);
    expect(target.password).toBeUndefined();
    expect(target.tls).toBeUndefined();
    expect(target.retry.deadlineMs).toBe(60_000);
  });

  it("takes the password from the URL first, then MYSQL_PASSWORD_FILE, then MYSQL_PASSWORD", () => {
    expect(parseMysqlUrl("mysql://u:p%40ss%2Fw@db/x", edges({ MYSQL_PASSWORD: "env" })).password).toBe("p@ss/w");
    expect(parseMysqlUrl("mysql://u@db/x", edges({ MYSQL_PASSWORD_FILE: "/run/secrets/pw" }, { "/run/secrets/pw": "from-file\n" })).password).toBe("from-file");
    expect(parseMysqlUrl("mysql://u@db/x", edges({ MYSQL_PASSWORD: "from-env" })).password).toBe("from-env");
    expect(refusal("mysql://u@db/x", edges({ MYSQL_PASSWORD: "a", MYSQL_PASSWORD_FILE: "/f" }))).toMatch(/^both MYSQL_PASSWORD and MYSQL_PASSWORD_FILE are set; set only one/);
    expect(refusal("mysql://u@db/x", edges({ MYSQL_PASSWORD_FILE: "/nope" }))).toBe("MYSQL_PASSWORD_FILE=/nope: cannot read the password file (ENOENT)");
  });

  it("never shows the password in the description or in a refusal", () => {
    expect(parseMysqlUrl("mysql://u:hunter2@db/x", edges()).description).toBe("mysql://u@db:3306/x");
    const message = refusal("mysql://u:hunter2@db/x?sslmode=require");
    expect(message).toBe('--db: unknown option "sslmode" in "mysql://u:***@db/x?sslmode=require"; known options: ssl-mode, ssl-ca, ssl-cert, ssl-key, socket, retry-deadline');
    expect(refusal("mysql://u:hunter2@db")).not.toContain("hunter2");
  });

  it("TLS: REQUIRED encrypts, VERIFY_CA checks the CA, ssl-ca alone means VERIFY_CA", () => {
    // A throwaway certificate and key, as PEM text: the files must be PEM, and certificates must parse.
    const made = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=unit-ca", "-keyout", "-", "-out", "-"],
      { encoding: "utf8" },
    );
    expect(made.status, made.stderr).toBe(0);
    const CA = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(made.stdout)![0];
    const KEY = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n/.exec(made.stdout)![0];
    const CERT = CA;
    const files = { "/ca.pem": CA, "/c.pem": CERT, "/k.pem": KEY };
    expect(parseMysqlUrl("mysql://u@db/x?ssl-mode=required", edges({}, files)).tls).toEqual({ rejectUnauthorized: false, verifyIdentity: false });
    expect(parseMysqlUrl("mysql://u@db/x?ssl-ca=/ca.pem", edges({}, files))).toMatchObject({
      sslMode: "VERIFY_CA",
      tls: { ca: CA, rejectUnauthorized: true, verifyIdentity: false },
    });
    expect(parseMysqlUrl("mysql://u@db/x?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem&ssl-cert=/c.pem&ssl-key=/k.pem", edges({}, files)).tls).toEqual({
      ca: CA,
      cert: CERT,
      key: KEY,
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    expect(refusal("mysql://u@db/x?ssl-mode=VERIFY_CA")).toBe("--db: ssl-mode=VERIFY_CA needs ssl-ca=PATH, the CA certificate that signed the server's");
    expect(refusal("mysql://u@db/x?ssl-mode=PREFERRED")).toMatch(/ssl-mode "PREFERRED" .* is not one of DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY/);
    expect(refusal("mysql://u@db/x?ssl-ca=/missing.pem")).toBe("--db: ssl-ca=/missing.pem: cannot read the file (ENOENT)");
    expect(refusal("mysql://u@db/x?ssl-mode=REQUIRED&ssl-cert=/c.pem", edges({}, files))).toBe("--db: ssl-cert and ssl-key go together; give both or neither");
  });

  it("connects over a Unix socket when asked, and says so", () => {
    expect(parseMysqlUrl("mysql://stock_rsi@localhost/stock_rsi?socket=/run/mysqld/mysqld.sock", edges())).toMatchObject({
      socketPath: "/run/mysqld/mysqld.sock",
      description: "mysql://stock_rsi@localhost/stock_rsi?socket=/run/mysqld/mysqld.sock",
    });
  });

  it("refuses a URL without user or database, and a bad retry-deadline", () => {
    expect(refusal("mysql://db:3306/x")).toMatch(/names no user/);
    expect(refusal("mysql://u@db:3306/")).toMatch(/names no database/);
    expect(refusal("mysql://u@db/x?retry-deadline=soon")).toMatch(/retry-deadline in ".*" is not a number of seconds between 0 and 3600: expected a plain decimal number .*, got "soon"$/);
    expect(parseMysqlUrl("mysql://u@db/x?retry-deadline=5", edges()).retry.deadlineMs).toBe(5000);
  });
});

describe("the lock-wait bound every connection sets", () => {
  it("is 10 s a statement, shortened by a shorter retry-deadline, never under 1 s", () => {
    expect(LOCK_WAIT_SECONDS).toBe(10);
    expect(parseMysqlUrl("mysql://u@db/x", edges()).lockWaitSeconds).toBe(10);
    expect(parseMysqlUrl("mysql://u@db/x?retry-deadline=600", edges()).lockWaitSeconds).toBe(10);
    expect(parseMysqlUrl("mysql://u@db/x?retry-deadline=3", edges()).lockWaitSeconds).toBe(3);
    expect(parseMysqlUrl("mysql://u@db/x?retry-deadline=0", edges()).lockWaitSeconds).toBe(1);
    expect(sessionSettings({ lockWaitSeconds: 10 })).toBe("SET SESSION lock_wait_timeout = 10, innodb_lock_wait_timeout = 10");
  });
});

describe("redact", () => {
  it("hides a password, even one with an unescaped @ or /, and leaves a URL without one alone", () => {
    expect(redact("mysql://u:secret@db:3306/x")).toBe("mysql://u:***@db:3306/x");
    expect(redact("mysql://u:se@c/ret@db:3306/x")).toBe("mysql://u:***@db:3306/x");
    expect(redact("mysql://u@db:3306/x?ssl-ca=/a@b")).toBe("mysql://u@db:3306/x?ssl-ca=/a@b");
    expect(redact("sqlite:stock-rsi.db")).toBe("sqlite:stock-rsi.db");
  });
});

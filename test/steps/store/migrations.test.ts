import { describe, expect, it } from "vitest";
import { MIGRATIONS, pendingMigrations, SchemaTooNewError } from "../../../steps/store/migrations.ts";

describe("the migration list", () => {
  it("numbers its versions 1, 2, 3, ... so the recorded version is an index, and says what each adds for both stores", () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const m of MIGRATIONS) {
      expect(m.summary.length, `v${m.version}`).toBeGreaterThan(10);
      expect(m.sqlite.trim().length, `v${m.version} sqlite`).toBeGreaterThan(0);
      expect(m.mysql.length, `v${m.version} mysql`).toBeGreaterThan(0);
    }
  });

  it("leaves what a database still needs, and refuses a newer schema", () => {
    expect(pendingMigrations(0)).toEqual(MIGRATIONS);
    expect(pendingMigrations(MIGRATIONS.length)).toEqual([]);
    expect(() => pendingMigrations(MIGRATIONS.length + 1)).toThrow(SchemaTooNewError);
  });
});

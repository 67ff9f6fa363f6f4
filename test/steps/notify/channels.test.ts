/**
 * A channel's URL picks how a message is sent, and is a credential: it is refused with a line that
 * names it by scheme and host only, and every line about it is cleaned of its secret parts.
 */
import { describe, expect, it } from "vitest";
import { parseChannel, scrub, secretsOf } from "../../../steps/notify/channels.ts";
import { UserError } from "../../../steps/domain/errors.ts";
import { redact, shownChannel } from "../../../steps/domain/redact.ts";

const SLACK = "slack+https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";

describe("a channel URL", () => {
  it("picks the channel by its scheme", () => {
    expect(parseChannel("https://hooks.example.com/rsi?token=abcd", "--notify")).toMatchObject({ kind: "json", endpoint: "https://hooks.example.com/rsi?token=abcd", shown: "https://hooks.example.com" });
    expect(parseChannel(SLACK, "--notify")).toMatchObject({ kind: "slack", endpoint: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX", shown: "slack+https://hooks.slack.com" });
    expect(parseChannel("ntfy+https://ntfy.sh/stock-rsi-alerts", "--notify")).toMatchObject({ kind: "ntfy", endpoint: "https://ntfy.sh/stock-rsi-alerts" });
    expect(parseChannel("ntfy+http://:tk_secret@ntfy.home.lan:8080/rsi", "--notify")).toMatchObject({
      kind: "ntfy",
      endpoint: "http://ntfy.home.lan:8080/rsi",
      basicAuth: { user: "", password: "tk_secret" },
      shown: "ntfy+http://ntfy.home.lan:8080",
    });
    expect(parseChannel("smtp://rsi%40example.com@mail.example.com?from=rsi@example.com&to=me@example.com,you@example.com", "--notify")).toMatchObject({
      kind: "smtp",
      host: "mail.example.com",
      port: 587,
      implicitTls: false,
      user: "rsi@example.com",
      from: "rsi@example.com",
      to: ["me@example.com", "you@example.com"],
    });
    expect(parseChannel("smtps://u:p%40ss@mail.example.com?from=a@b.c&to=d@e.f", "--notify")).toMatchObject({ port: 465, implicitTls: true, passwordInUrl: "p@ss" });
  });

  it("is refused, with its source and its scheme and host only, when it cannot name a channel", () => {
    const refusal = (url: string) => {
      try {
        parseChannel(url, "STOCK_RSI_NOTIFY_FILE line 2");
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        return (err as Error).message;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(refusal("slak+https://hooks.slack.com/services/T/B/SECRET")).toBe("STOCK_RSI_NOTIFY_FILE line 2: slak+https://hooks.slack.com: unknown scheme slak+https:; use https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, smtp://USER@HOST:PORT?from=...&to=... or smtps://...");
    expect(refusal("ntfy+https://ntfy.sh/")).toMatch(/^STOCK_RSI_NOTIFY_FILE line 2: ntfy\+https:\/\/ntfy\.sh: give one topic after the host/);
    expect(refusal("ntfy+https://ntfy.sh/a/b")).toMatch(/give one topic/);
    expect(refusal("smtp://u@mail.example.com?to=me@example.com")).toMatch(/give the sender as from=ADDRESS/);
    expect(refusal("smtp://u@mail.example.com?from=a@b.c")).toMatch(/give the recipients as to=ADDRESS/);
    expect(refusal("smtp://u@mail.example.com?from=a@b.c&to=nobody")).toMatch(/to=: "nobody" is not an email address/);
    expect(refusal("smtp://u@mail.example.com?from=a@b.c&to=d@e.f&password=hunter2")).toMatch(/unknown option "password"/);
    expect(refusal("slack+https://user:pw@hooks.slack.com/services/T/B/SECRET")).toMatch(/takes no user or password/);
    expect(refusal("not a url/SECRET")).toBe("STOCK_RSI_NOTIFY_FILE line 2: a URL: not a URL; use https://... (JSON), slack+https://..., ntfy+https://HOST/TOPIC, smtp://USER@HOST:PORT?from=...&to=... or smtps://...");
    for (const url of ["slak+https://hooks.slack.com/services/T/B/SECRET", "slack+https://user:pw@hooks.slack.com/services/T/B/SECRET", "not a url/SECRET"]) {
      expect(refusal(url)).not.toMatch(/SECRET|pw@/);
    }
  });
});

describe("a channel in a printed line", () => {
  it("is its scheme and host, and redact() shows any text starting with a channel's scheme the same way", () => {
    expect(shownChannel(SLACK)).toBe("slack+https://hooks.slack.com");
    expect(shownChannel("smtp://user:pw@mail.example.com:2525?from=a@b.c&to=d@e.f")).toBe("smtp://mail.example.com:2525");
    expect(shownChannel("https://hooks.example.com/rsi?token=abcd")).toBe("https://hooks.example.com");
    expect(shownChannel("slack+https:/broken/SECRET")).toBe("a slack+https URL");
    expect(shownChannel("slack+https//broken/SECRET")).toBe("a URL");
    expect(redact(SLACK)).toBe("slack+https://hooks.slack.com");
    expect(redact(" ntfy+https://ntfy.sh/private-topic")).toBe("ntfy+https://ntfy.sh");
    expect(redact("smtps://u:hunter2@mail.example.com?from=a@b.c&to=d@e.f")).toBe("smtps://mail.example.com");
  });

  it("is cleaned of the URL, its path, its token and its password, whatever a server or a library said", () => {
    const channel = parseChannel(SLACK, "--notify");
    const line = `POST ${channel.kind === "smtp" ? "" : channel.endpoint} failed; path /services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX; token XXXXXXXXXXXXXXXXXXXXXXXX`;
    const clean = scrub(line, secretsOf(channel));
    expect(clean).not.toContain("XXXXXXXX");
    expect(clean).not.toContain("/services/T0000");
    const mail = parseChannel("smtp://bob@mail.example.com?from=a@b.c&to=d@e.f", "--notify");
    expect(scrub("535 Authentication failed for bob with hunter2", secretsOf(mail, "hunter2"))).toBe("535 Authentication failed for bob with ***");
    const hook = parseChannel("https://hooks.example.com/rsi?token=abcd1234", "--notify");
    expect(scrub("got abcd1234 back", secretsOf(hook))).toBe("got *** back");
  });
});

/**
 * Where the exit handler finds the channels to notify: a Secret the user creates (never
 * synthesized: a channel's URL is a credential), mounted into the notify pod as files.
 *
 * - key `urls`: the channel URLs, one a line (`STOCK_RSI_NOTIFY_FILE` names the file);
 * - key `smtp-password`, optional: an email channel's password (`SMTP_PASSWORD_FILE`).
 *
 * The volume is `optional`, so `dist/` always has the exit handler and a cluster without the
 * Secret still runs it: the kubelet mounts a missing optional Secret as an empty directory
 * (kubernetes/kubernetes `pkg/volume/secret/secret.go`, `SetUpAt`: an error is returned unless
 * it "IsNotFound && optional", and the volume is then filled from an empty Secret), and notify
 * says in one line that no channel is configured.
 */
import { CHANNELS_FILE_ENV, SMTP_PASSWORD_FILE_ENV } from "../steps/notify/names.ts";
import type { PodNeeds } from "./pipeline-template.ts";

/** The Secret the user creates (docs/deploying.md, step 4); its keys. */
export const NOTIFY_SECRET = { name: "stock-rsi-notify", urls: "urls", smtpPassword: "smtp-password" } as const;

/** Where the notify pod finds the Secret's files. */
export const NOTIFY_SECRET_DIR = "/var/run/secrets/stock-rsi/notify";

/** What a pod needs to notify: the Secret's files, read-only to its group, and the variables naming them. */
export function notificationChannels(): PodNeeds {
  return {
    env: [
      { name: CHANNELS_FILE_ENV, value: `${NOTIFY_SECRET_DIR}/${NOTIFY_SECRET.urls}` },
      { name: SMTP_PASSWORD_FILE_ENV, value: `${NOTIFY_SECRET_DIR}/${NOTIFY_SECRET.smtpPassword}` },
    ],
    volumes: [{ name: "notify-channels", secret: { secretName: NOTIFY_SECRET.name, optional: true, defaultMode: 0o440 } }],
    volumeMounts: [{ name: "notify-channels", mountPath: NOTIFY_SECRET_DIR, readOnly: true }],
  };
}

/**
 * The alert rules in dist/ (the PrometheusRule) and the scrape config in docs/deploying.md, as
 * Prometheus itself reads them: `promtool` (Debian's `prometheus` package) checks the rule file
 * and a prometheus.yml holding the scrape job, and runs the rules over made-up series
 * (`promtool test rules`) to show when each alert fires: after a controller restart hid the last
 * success, over a weekend, with nothing scraped at all, with many symbols failing.
 *
 * Times are from promtool's clock, which starts at the Unix epoch: Thursday 1970-01-01 00:00 UTC.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ALERT_GROUP, controllerScrapeConfig } from "../../workflows/monitoring.ts";
import { loadManifests } from "../synth/support/manifests.ts";

let dir: string;
let groups: unknown;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stock-rsi-promtool-"));
  const rule = loadManifests().find((m) => m.object.kind === "PrometheusRule");
  if (!rule) throw new Error("dist/ holds no PrometheusRule: set monitoring.prometheusOperator in synth/config.ts");
  groups = (rule.object.spec as { groups: unknown }).groups;
  writeFileSync(join(dir, "rules.yml"), stringify({ groups }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(...args: string[]): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync("promtool", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

const HOUR = 3600;
const SUCCESS = "argo_workflows_stock_rsi_last_success_timestamp_seconds";
/** Samples a minute apart, as the scrape interval (CONTROLLER_SCRAPE) takes them: 8 days of them. */
const PER_HOUR = 60;
const SAMPLES = 8 * 24 * PER_HOUR;
/** The controller answers as leader all along. */
const LEADER = { series: 'argo_workflows_is_leader{pod="workflow-controller-0"}', values: `1x${SAMPLES}` };

/** A `promtool test rules` case: series sampled every minute, and which alerts fire at which times (hours). */
function testCase(name: string, series: Array<{ series: string; values: string }>, expectations: Array<{ at: number; alert: string; firing: Array<{ labels?: Record<string, string>; summary: string }> }>) {
  return {
    name,
    interval: "1m",
    input_series: series,
    alert_rule_test: expectations.map((e) => ({
      eval_time: `${e.at * 60}m`,
      alertname: e.alert,
      exp_alerts: e.firing.map((f) => ({ exp_labels: f.labels ?? {}, exp_annotations: { summary: f.summary } })),
    })),
  };
}

/** Samples: missing until `fromHour`, then `value` until `untilHour`, then stale (the series vanished). */
function reportedBetween(fromHour: number, untilHour: number | undefined, value: number): string {
  const missing = fromHour * PER_HOUR;
  const count = untilHour === undefined ? SAMPLES - missing : (untilHour - fromHour) * PER_HOUR;
  return `${missing > 0 ? `_x${missing} ` : ""}${value}x${count}${untilHour === undefined ? "" : " stale"}`;
}

describe.runIf(process.env.CI || promtoolInstalled())("the alert rules and the scrape config, read by promtool", () => {
  it("are the rules monitoring.ts defines, and a valid rule file", () => {
    expect(groups).toEqual([JSON.parse(JSON.stringify(ALERT_GROUP))]);
    const checked = promtool("check", "rules", "rules.yml");
    expect(checked.output).toContain("SUCCESS: 4 rules found");
    expect(checked.code).toBe(0);
  });

  it("and the documented scrape job make a valid Prometheus configuration", () => {
    // Debian builds Prometheus without Kubernetes service discovery, so promtool refuses the
    // field; the job is checked with a static target in its place, and the discovery by shape.
    const { kubernetes_sd_configs: discovery, ...job } = controllerScrapeConfig("argo") as { kubernetes_sd_configs: unknown };
    expect(discovery).toEqual([{ role: "pod", namespaces: { names: ["argo"] } }]);
    const withStaticTarget = { ...job, static_configs: [{ targets: ["workflow-controller.argo:9090"] }] };
    writeFileSync(join(dir, "prometheus.yml"), stringify({ scrape_configs: [withStaticTarget], rule_files: ["rules.yml"] }));
    const checked = promtool("check", "config", "prometheus.yml");
    expect(checked.output).toContain("SUCCESS");
    expect(checked.code).toBe(0);
  });

  it("fire when a day was missed, a controller restart having hidden the last success; on absence; on many failures; not over a weekend", () => {
    // Thursday's success at 21:30 UTC (77,400 s), reported until the controller restarts at 23:00.
    const thursday = 21.5 * HOUR;
    // Friday's success at 21:30 UTC, still reported.
    const friday = (24 + 21.5) * HOUR;
    const tests = [
      testCase(
        "a controller restart hides Thursday's success; Friday's run never succeeds",
        [{ series: `${SUCCESS}{method="seed",pod="workflow-controller-0"}`, values: reportedBetween(21.5, 23, thursday) }, LEADER],
        [
          // Friday 23:00: 25.5 hours, not yet a missed day.
          { at: 47, alert: "StockRsiNoSuccessfulRun", firing: [] },
          { at: 47, alert: "StockRsiNoSuccessRecorded", firing: [] },
          // Saturday 07:00: 33.5 hours since Thursday's run.
          { at: 55, alert: "StockRsiNoSuccessfulRun", firing: [{ summary: "stock-rsi has stored no new day for 1d 9h 30m 0s" }] },
        ],
      ),
      testCase(
        "Friday's success, then the weekend, then Monday's run missing",
        [{ series: `${SUCCESS}{method="seed",pod="workflow-controller-0"}`, values: reportedBetween(45.5, undefined, friday) }, LEADER],
        [
          // Sunday 12:00 and Monday 20:00 UTC: no run was due.
          { at: 84, alert: "StockRsiNoSuccessfulRun", firing: [] },
          { at: 116, alert: "StockRsiNoSuccessfulRun", firing: [] },
          // Tuesday 02:00 UTC: Monday's run (21:30 UTC) did not succeed.
          { at: 122, alert: "StockRsiNoSuccessfulRun", firing: [{ summary: "stock-rsi has stored no new day for 3d 4h 30m 0s" }] },
        ],
      ),
      testCase(
        "nothing scraped at all",
        [],
        [
          { at: 2, alert: "StockRsiNoSuccessRecorded", firing: [{ summary: "no successful stock-rsi run in 10d, or none was scraped" }] },
          { at: 2, alert: "ArgoWorkflowControllerNotScraped", firing: [{ summary: "Prometheus gets no metrics from Argo's workflow controller: stock-rsi's are not watched" }] },
          { at: 2, alert: "StockRsiNoSuccessfulRun", firing: [] },
        ],
      ),
      testCase(
        "50 of 180 symbols without a value",
        [
          { series: 'argo_workflows_stock_rsi_symbols_failed{method="seed",pod="workflow-controller-0"}', values: "50x120" },
          { series: 'argo_workflows_stock_rsi_symbols_ranked{method="seed",pod="workflow-controller-0"}', values: "130x120" },
          LEADER,
        ],
        [{ at: 1, alert: "StockRsiManySymbolsFailing", firing: [{ labels: { method: "seed" }, summary: "more than 20% of the symbols had no value in the last run (seed)" }] }],
      ),
    ];
    // The description an annotation also carries must be expected too; promtool compares them all.
    for (const t of tests) {
      for (const rule of t.alert_rule_test) {
        const description = ALERT_GROUP.rules.find((r) => r.alert === rule.alertname)?.annotations.description;
        if (description) for (const alert of rule.exp_alerts) Object.assign(alert.exp_annotations, { description });
      }
    }
    writeFileSync(join(dir, "tests.yml"), stringify({ rule_files: ["rules.yml"], evaluation_interval: "1m", tests }));
    const tested = promtool("test", "rules", "tests.yml");
    expect(tested.output).toContain("SUCCESS");
    expect(tested.code).toBe(0);
  });
});

function promtoolInstalled(): boolean {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    console.warn("skipping the promtool tests: promtool not found; install Debian's prometheus (apt-get install prometheus) to run them");
    return false;
  }
}

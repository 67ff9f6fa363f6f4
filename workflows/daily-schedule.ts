/**
 * The daily run: a CronWorkflow that submits the pipeline's WorkflowTemplate (by reference, so
 * the template is defined once) after the US market closes on weekdays.
 */
import { Construct } from "constructs";
import { argoObject } from "./argo-object.ts";
import { componentLabels } from "./labels.ts";

export interface ScheduleConfig {
  /** Cron expressions (Argo v4's `schedules` list), read in `timeZone`. */
  readonly crons: readonly string[];
  /** IANA time zone of the crons; the market's, so a run follows the close through daylight saving. */
  readonly timeZone: string;
}

/**
 * How late a missed run may still start. The controller starts a run only while it is running;
 * if it is down at 17:30 (restarted, upgraded, its node drained), the default of 0 skips the day.
 * One hour covers such an outage, and any run it starts is still for the same trading day (the
 * as-of date is the day in New York). A longer outage needs a person anyway, who can start the
 * run by hand: `argo submit --from cronwf/stock-rsi-daily`.
 */
export const STARTING_DEADLINE_SECONDS = 60 * 60;

export interface DailyScheduleProps {
  readonly namespace: string;
  readonly templateName: string;
  readonly schedule: ScheduleConfig;
}

export class DailySchedule extends Construct {
  readonly name = "stock-rsi-daily";

  constructor(scope: Construct, id: string, props: DailyScheduleProps) {
    super(scope, id);
    argoObject(this, "cron-workflow", {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "CronWorkflow",
      metadata: {
        name: this.name,
        namespace: props.namespace,
        labels: componentLabels(this.name, "schedule"),
        annotations: {
          "workflows.argoproj.io/title": "stock-rsi, every weekday after the close",
          "workflows.argoproj.io/description": `Runs the \`${props.templateName}\` WorkflowTemplate at \`${props.schedule.crons.join("`, `")}\` (${props.schedule.timeZone}).`,
        },
      },
      spec: {
        schedules: [...props.schedule.crons],
        timezone: props.schedule.timeZone,
        // Forbid: a run still going when the next one is due (Yahoo throttling, MySQL restarting,
        // retries backing off) is left to finish, and the new one is skipped. Two runs at once
        // would race to write the same trading day, and Replace would stop the older one midway.
        // The run deadline (one hour) guarantees a stuck run cannot block the next day.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
        // About two weeks of weekday runs each; older ones are deleted (the ttlStrategy of the
        // template deletes them after one or two weeks anyway).
        successfulJobsHistoryLimit: 10,
        failedJobsHistoryLimit: 10,
        workflowSpec: { workflowTemplateRef: { name: props.templateName } },
      },
    });
  }
}

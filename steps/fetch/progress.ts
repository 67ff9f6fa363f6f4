/**
 * Progress through a run's items (fetch's symbols, backfill's days), the way each audience can see it:
 * - on a terminal, a bar on stderr like the original program's `[*****100%*****] 180 of 180 completed`;
 * - in a pod (stderr is a log), a plain line every 10%, or one per item when the caller says
 *   what became of each (backfill: `backfill: 2021-05-17 stored 165 (3 of 20 days)`);
 * - under Argo, `N/M` written to the file named by `$ARGO_PROGRESS_FILE`, which the UI shows
 *   as the node's progress.
 */
import { writePlatformFile } from "../files/output-files.ts";
import { printable, type Io } from "../command-line/io.ts";

export interface Progress {
  /** One more item done; `outcome` (e.g. `2021-05-17 stored 165`) makes it a line of its own in a log. */
  tick(outcome?: string): void;
  /** Writes `text` to stdout without tearing the bar: the bar is cleared first and drawn again after. */
  print(text: string): void;
  done(): void;
}

export interface ProgressLabels {
  /** The step the log lines are from, `fetch` by default. */
  readonly step?: string;
  /** What is counted, `symbols` by default. */
  readonly unit?: string;
}

export function startProgress(io: Io, total: number, labels: ProgressLabels = {}): Progress {
  const step = labels.step ?? "fetch";
  const unit = labels.unit ?? "symbols";
  const progressFile = io.env.ARGO_PROGRESS_FILE;
  let completed = 0;
  let lastLoggedDecile = 0;
  let barShown = false;
  const writeProgressFile = () => {
    // Progress is a courtesy; a read-only or missing path must not fail the step.
    if (progressFile) writePlatformFile(progressFile, `${completed}/${total}\n`);
  };
  const bar = () => {
    const percent = total === 0 ? 100 : Math.floor((completed / total) * 100);
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const label = `${percent}%`;
    const cells = ("*".repeat(filled) + " ".repeat(width - filled)).split("");
    const at = Math.floor((width - label.length) / 2);
    cells.splice(at, label.length, ...label);
    barShown = true;
    return `\r[${cells.join("")}] ${completed} of ${total} completed`;
  };
  writeProgressFile();
  return {
    tick(outcome) {
      completed++;
      writeProgressFile();
      if (io.stderrIsTTY) {
        io.err(bar());
        return;
      }
      if (outcome !== undefined) {
        io.err(`${step}: ${printable(outcome)} (${completed} of ${total} ${unit})\n`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((completed / total) * 10);
      if (decile > lastLoggedDecile) {
        lastLoggedDecile = decile;
        io.err(`${step}: ${completed} of ${total} ${unit} done\n`);
      }
    },
    print(text) {
      // Clear the bar's line (carriage return, erase to its end), print, then draw it again.
      if (io.stderrIsTTY && barShown) io.err("\r\u001b[K");
      io.out(text);
      if (io.stderrIsTTY && barShown) io.err(bar());
    },
    done() {
      // The last tick drew the full bar; finish its line.
      if (io.stderrIsTTY) io.err(completed > 0 ? "\n" : `${bar()}\n`);
    },
  };
}

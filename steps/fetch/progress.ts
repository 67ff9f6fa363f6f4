/**
 * Download progress, the way each audience can see it:
 * - on a terminal, a bar on stderr like the original program's `[*****100%*****] 180 of 180 completed`;
 * - in a pod (stderr is a log), a plain line every 10%;
 * - under Argo, `N/M` written to the file named by `$ARGO_PROGRESS_FILE`, which the UI shows
 *   as the node's progress.
 */
import { writePlatformFile } from "../files/output-files.ts";
import type { Io } from "../command-line/io.ts";

export interface Progress {
  tick(): void;
  done(): void;
}

export function startProgress(io: Io, total: number): Progress {
  const progressFile = io.env.ARGO_PROGRESS_FILE;
  let completed = 0;
  let lastLoggedDecile = 0;
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
    return `\r[${cells.join("")}] ${completed} of ${total} completed`;
  };
  writeProgressFile();
  return {
    tick() {
      completed++;
      writeProgressFile();
      if (io.stderrIsTTY) {
        io.err(bar());
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((completed / total) * 10);
      if (decile > lastLoggedDecile) {
        lastLoggedDecile = decile;
        io.err(`fetch: ${completed} of ${total} symbols done\n`);
      }
    },
    done() {
      // The last tick drew the full bar; finish its line.
      if (io.stderrIsTTY) io.err(completed > 0 ? "\n" : `${bar()}\n`);
    },
  };
}

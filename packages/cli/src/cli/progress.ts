/**
 * A progress bar on standard error, drawn only when it is a terminal (a pipe or a CI log gets the command's summary
 * line instead of hundreds of redraws).
 */
import type { CommandIo } from './io.js';

/** A progress bar: `update` redraws it, `done` leaves the last state on its line. */
export interface ProgressBar {
  update(done: number, total: number, detail: string): void;
  done(): void;
}

const WIDTH = 24;

/** A bar labelled `label` (e.g. `scanning vmware.events.dlq`); does nothing unless stderr is a terminal. */
export function createProgressBar(io: CommandIo, label: string): ProgressBar {
  if (io.stderrIsTty !== true) return { update: () => undefined, done: () => undefined };
  let drawn = false;
  return {
    update(done, total, detail) {
      const share = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(share * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      io.stderr(`\r\x1b[K${label} ${bar} ${Math.round(share * 100)}% ${done}/${total} ${detail}`);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr('\n');
      drawn = false;
    },
  };
}

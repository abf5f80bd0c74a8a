import type { RolloutView } from '../group-queries';
import { shortJobId } from '../table';
import { RolloutLinePrinter } from './group-format';

const CLEAR_LINE = '\r\x1b[K';

/** `12 s`, `3 m 04 s`, `1 h 02 m` */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  if (m > 0) return `${m} m ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** The batch the rollout works on now: the highest batch with a host in flight, else the highest started. */
function currentBatch(rollout: RolloutView): number | undefined {
  let batch: number | undefined;
  for (const host of rollout.hosts ?? []) {
    if (host.batch == null || host.state === 'PENDING') continue;
    if (batch === undefined || host.batch > batch) batch = host.batch;
  }
  return batch;
}

/**
 * One status line for a terminal, fitted to `columns`:
 * `[#########...........]  9/20  2 deploying  1 failed  batch 3  12 s`;
 * `… waiting for promote …` while canaries await promotion (no pace to
 * extrapolate: it waits for an operator), `reverting 1/3 to <job>` and
 * `reverted to <job>` with the hosts that failed on the rollout's job.
 * Done hosts (healthy, already up to date) fill the bar; failed and skipped
 * hosts are counted as settled too, so the bar reaches the end when the
 * rollout has nothing left to do.
 */
export function progressBarLine(rollout: RolloutView, elapsedMs: number, columns: number): string {
  const { healthy, upToDate, failed, skipped, deploying, total } = rollout.progress;
  const done = healthy + upToDate;
  const settled = done + failed + skipped;
  const batch = currentBatch(rollout);
  // a revert counts its own steps: the hosts it has put back, and the failures that started it
  const reverting = rollout.status === 'REVERTING' || rollout.status === 'REVERTED';
  const failures = failed + (reverting ? (rollout.progress.failedBeforeRevert ?? 0) : 0);
  const count =
    rollout.status === 'REVERTED' ? `reverted to ${shortJobId(rollout.targetJobId)}`
    : rollout.status === 'REVERTING' ? `reverting ${done}/${total} to ${shortJobId(rollout.targetJobId)}`
    : `${done}/${total}`;
  const parts = [
    count,
    deploying > 0 ? `${deploying} deploying` : '',
    failures > 0 ? `${failures} failed` : '',
    skipped > 0 ? `${skipped} skipped` : '',
    batch !== undefined && !reverting ? `batch ${batch}` : '',
    rollout.paused ? 'paused' : '',
    rollout.status === 'AWAITING_PROMOTION' && !rollout.paused ? 'waiting for promote' : '',
    formatElapsed(elapsedMs),
  ].filter(Boolean);
  const text = parts.join('  ');
  // a width fixed by the terminal, so the bar does not jump as the counts change
  const barWidth = Math.max(10, Math.min(40, columns - 45));
  const filled = total === 0 ? barWidth : Math.round((settled / total) * barWidth);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]  ${text}`;
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/**
 * Live rolling-update output on a terminal: Helios's per-host lines scroll
 * above a progress bar that is redrawn in place (on each update and every
 * second, for the elapsed time). `stop()` leaves the last bar on its own line.
 */
export class TtyRolloutProgress {
  private readonly lines: RolloutLinePrinter;
  private pending: string[] = [];
  private last: RolloutView | undefined;
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
    private readonly now: () => number,
    private readonly startedAt: number,
  ) {
    this.lines = new RolloutLinePrinter((line) => this.pending.push(line));
    this.ticker = setInterval(() => this.redraw(), 1000);
    this.ticker.unref();
  }

  update(rollout: RolloutView): void {
    this.last = rollout;
    this.lines.update(rollout);
    this.redraw();
  }

  stop(): void {
    clearInterval(this.ticker);
    this.redraw();
    if (this.last) this.write('\n');
  }

  private redraw(): void {
    if (!this.last) return;
    const scrolled = this.pending.map((line) => `${CLEAR_LINE}${line}\n`).join('');
    this.pending = [];
    this.write(`${scrolled}${CLEAR_LINE}${progressBarLine(this.last, this.now() - this.startedAt, this.columns)}`);
  }
}

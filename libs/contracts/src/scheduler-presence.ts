/**
 * Scheduler presence: every scheduler process (leader and standbys) answers
 * a request on SCHEDULER_PRESENCE_SUBJECT (a plain subscription, not a queue
 * group, so all of them answer) with a SchedulerPresence. Clients gather the
 * answers for a short while: Helios's `masters`.
 */
export const SCHEDULER_PRESENCE_SUBJECT = 'berth.schedulers.presence';

export interface SchedulerPresence {
  /** the leader-lease holder id: `<hostname>:<pid>:<random>` */
  readonly id: string;
  readonly role: 'leader' | 'standby';
  readonly hostname: string;
  readonly pid: number;
  /** ISO-8601 */
  readonly startedAt: string;
  /** the last event stream sequence its projection has applied */
  readonly sequence: number;
  /** its /healthz /readyz /metrics base URL */
  readonly health: string;
  readonly version: string;
}

/** Leader first, then by id: a stable order for lists. */
export function sortPresences(presences: readonly SchedulerPresence[]): SchedulerPresence[] {
  return [...presences].sort((a, b) => (a.role === b.role ? a.id.localeCompare(b.id) : a.role === 'leader' ? -1 : 1));
}

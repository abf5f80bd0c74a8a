import { readReleasePlan, type Problem } from '@berth/domain';

/** One service of the plan as typed in the form. */
export interface PlanServiceRow {
  readonly service: string;
  readonly job: string;
  readonly group: string;
  /** hosts that must have the image staged before the switch; empty: all */
  readonly quorum: string;
  /** a host count or a percentage; empty: the rollout's default */
  readonly maxUnavailable: string;
  /** services of this plan it waits for, separated by "," or ";" */
  readonly dependsOn: string;
}

export const EMPTY_ROW: PlanServiceRow = { service: '', job: '', group: '', quorum: '', maxUnavailable: '', dependsOn: '' };

export type PlanField = 'service' | 'job' | 'group' | 'quorum' | 'maxUnavailable' | 'dependsOn';

export interface ParsedPlanForm {
  /** release.yaml as sent (JSON, which is YAML); absent when there are problems: nothing is sent then */
  readonly source?: string;
  readonly problems: readonly Problem[];
}

const INTEGER = /^\d+$/;

function rowEntry(row: PlanServiceRow): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  // an empty field is left out, so that it is reported as required (the domain takes job: "" as a job reference)
  for (const field of ['service', 'job', 'group'] as const) if (row[field].trim()) entry[field] = row[field].trim();
  const quorum = row.quorum.trim();
  // anything else than digits goes as typed, for the domain to name the problem
  if (quorum) entry['quorum'] = INTEGER.test(quorum) ? Number(quorum) : quorum;
  const maxUnavailable = row.maxUnavailable.trim();
  if (maxUnavailable) entry['maxUnavailable'] = INTEGER.test(maxUnavailable) ? Number(maxUnavailable) : maxUnavailable;
  const dependsOn = row.dependsOn
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (dependsOn.length > 0) entry['dependsOn'] = dependsOn;
  return entry;
}

/**
 * The form's rows as a release plan file, checked by the same rules the
 * scheduler applies (required fields, names, quorum, maxUnavailable,
 * dependencies on services of the plan, no cycle), each problem with its
 * path (`services[1].quorum`). Whether jobs and groups exist is the
 * scheduler's to say.
 */
export function parsePlanForm(rows: readonly PlanServiceRow[]): ParsedPlanForm {
  const file = { services: rows.map(rowEntry) };
  const { problems } = readReleasePlan(file);
  return problems.length > 0 ? { problems } : { source: JSON.stringify(file, null, 2), problems: [] };
}

/** The row and field a problem path points at (`services[1].dependsOn[0]` → 1, dependsOn), or null for the whole plan. */
export function problemPlace(path: string): { readonly row: number; readonly field: PlanField | null } | null {
  const match = /^services\[(\d+)\](?:\.(service|job|group|quorum|maxUnavailable|dependsOn))?/.exec(path);
  if (!match) return null;
  return { row: Number(match[1]), field: (match[2] as PlanField | undefined) ?? null };
}

import type { DesiredState, DesiredTask } from '@berth/contracts';
import { minimalJob, type DeploymentGoal, type Job } from '@berth/domain';

/** A desired state as received, with what is wrong with each task that cannot be run. */
export interface DesiredStateReading {
  readonly state: DesiredState;
  /** Job id → why the task cannot run; the agent reports it FAILED with this message. */
  readonly problems: ReadonlyMap<string, string>;
  /** Entries dropped because they name no job. */
  readonly dropped: number;
}

/** A desired state only says START or STOP; a job no longer listed is to be undeployed. */
const GOALS: ReadonlySet<string> = new Set<DeploymentGoal>(['START', 'STOP']);
const OBJECT_FIELDS = ['env', 'ports', 'volumes', 'labels', 'ramdisks', 'registration', 'metadata'] as const;
const ARRAY_FIELDS = ['command', 'securityOpt', 'addCapabilities', 'dropCapabilities'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of a desired state from the wire, so that one bad task
 * never stops the agent from running the others: a task whose job is not
 * shaped like a job is kept (and reported FAILED) with a stand-in job; an
 * entry without a job id cannot be reported and is dropped. Undefined when
 * the message is not a desired state at all. Content rules (unknown fields,
 * port numbers) are `jobContainerSpec`'s.
 */
export function readDesiredState(value: unknown): DesiredStateReading | undefined {
  if (!isObject(value) || typeof value['host'] !== 'string' || typeof value['revision'] !== 'number' || !Array.isArray(value['tasks'])) return undefined;
  const problems = new Map<string, string>();
  const tasks: DesiredTask[] = [];
  let dropped = 0;
  for (const entry of value['tasks'] as unknown[]) {
    if (!isObject(entry) || typeof entry['jobId'] !== 'string' || entry['jobId'] === '') {
      dropped++;
      continue;
    }
    const jobId = entry['jobId'];
    const problem = taskProblem(entry);
    if (problem === undefined) {
      tasks.push(entry as unknown as DesiredTask);
      continue;
    }
    problems.set(jobId, problem);
    const goal = typeof entry['goal'] === 'string' && GOALS.has(entry['goal']) ? (entry['goal'] as DeploymentGoal) : 'START';
    tasks.push({ jobId, job: standInJob(jobId), goal, ports: {} });
  }
  return { state: { host: value['host'], revision: value['revision'], tasks }, problems, dropped };
}

function taskProblem(task: Record<string, unknown>): string | undefined {
  if (typeof task['goal'] !== 'string' || !GOALS.has(task['goal'])) return `invalid goal ${JSON.stringify(task['goal'])}`;
  if (!isObject(task['ports']) || !Object.values(task['ports']).every((p) => typeof p === 'number')) return 'ports must map port names to numbers';
  const job = task['job'];
  if (!isObject(job)) return 'the task has no job';
  if (typeof job['image'] !== 'string' || job['image'] === '') return 'job.image must be a non-empty string';
  for (const field of OBJECT_FIELDS) if (!isObject(job[field])) return `job.${field} must be an object`;
  for (const field of ARRAY_FIELDS) {
    const list = job[field];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) return `job.${field} must be a list of strings`;
  }
  for (const [name, mapping] of Object.entries(job['ports'] as Record<string, unknown>)) {
    if (!isObject(mapping)) return `job.ports.${name} must be an object`;
  }
  return undefined;
}

/** What a malformed task is supervised as: nothing to run, only a FAILED status to report. */
function standInJob(jobId: string): Job {
  return minimalJob(jobId, '');
}

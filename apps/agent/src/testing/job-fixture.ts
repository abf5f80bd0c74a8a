import { minimalJob, type Job } from '@berth/domain';

/** A normalised job (every defaulted field present) for agent tests; the id hash is not checked by the agent. */
export function makeJob(name: string, overrides: Partial<Job> = {}): Job {
  return {
    ...minimalJob(`${name}:1:${'0123456789abcdef0123456789abcdef01234567'}`, 'local/busybox:1'),
    ...overrides,
  };
}

import type { Job } from '@berth/domain';

/** A normalised job (every defaulted field present) for agent tests; the id hash is not checked by the agent. */
export function makeJob(name: string, overrides: Partial<Job> = {}): Job {
  return {
    id: `${name}:1:${'0123456789abcdef0123456789abcdef01234567'}`,
    image: 'local/busybox:1',
    command: [],
    env: {},
    ports: {},
    registration: {},
    registrationDomain: '',
    volumes: {},
    token: '',
    securityOpt: [],
    metadata: {},
    addCapabilities: [],
    dropCapabilities: [],
    labels: {},
    ramdisks: {},
    ...overrides,
  };
}

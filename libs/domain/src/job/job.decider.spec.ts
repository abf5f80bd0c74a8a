import { foldEvents, runDecider } from '../decider';
import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { heliosManualExampleJob } from '../testing/job-fixtures';
import type { Job } from './job';
import { computeJobHash } from './job-id';
import { jobDecider, jobIdOf, type CreateJob, type JobEvent } from './job.decider';

const time = '2024-01-01T00:00:00.000Z';
const created = Date.parse(time);
const input = { id: 'web:1', image: 'busybox:1', env: { A: '1' }, token: 'secret' };
const create: CreateJob = { type: 'CreateJob', job: input, time, user: 'ana' };

const expectedJob: Job = {
  id: `web:1:${computeJobHash('web', '1', {
    image: 'busybox:1',
    command: [],
    env: { A: '1' },
    ports: {},
    registration: {},
    registrationDomain: '',
    volumes: {},
    token: 'secret',
    securityOpt: [],
    metadata: {},
    addCapabilities: [],
    dropCapabilities: [],
    labels: {},
    ramdisks: {},
  })}`,
  image: 'busybox:1',
  command: [],
  env: { A: '1' },
  ports: {},
  registration: {},
  registrationDomain: '',
  volumes: {},
  token: 'secret',
  securityOpt: [],
  metadata: {},
  addCapabilities: [],
  dropCapabilities: [],
  labels: {},
  ramdisks: {},
  created,
  creatingUser: 'ana',
};
const jobCreated: JobEvent = { type: 'JobCreated', job: expectedJob };
const jobRemoved: JobEvent = { type: 'JobRemoved', jobId: expectedJob.id };

describe('job decider: CreateJob', () => {
  it('creates the job with its computed id, creation time and creating user', () => {
    given(jobDecider).when(create).then([jobCreated]);
    expect(expectedJob.id).toMatch(/^web:1:[0-9a-f]{40}$/);
  });

  it('accepts the job with its correct full id too', () => {
    given(jobDecider).when({ ...create, job: { ...input, id: expectedJob.id } }).then([jobCreated]);
  });

  it('replaces a created/creatingUser sent by the client', () => {
    const { creatingUser: _user, ...withoutUser } = expectedJob;
    given(jobDecider)
      .when({ type: 'CreateJob', time, job: { ...input, created: 5, creatingUser: 'mallory' } })
      .then([{ type: 'JobCreated', job: withoutUser }]);
  });

  it('refuses a job that already exists: JOB_ALREADY_EXISTS', () => {
    const error = given(jobDecider, [jobCreated]).when(create).thenThrows(ErrorCode.JOB_ALREADY_EXISTS);
    expect(error.details).toEqual({ jobId: expectedJob.id });
  });

  it('creates a job again after it was removed', () => {
    given(jobDecider, [jobCreated, jobRemoved]).when(create).then([jobCreated]);
  });

  it('refuses an invalid job with INVALID_JOB_DEFINITION listing every problem, and no events', () => {
    const error = given(jobDecider)
      .when({ type: 'CreateJob', time, job: { id: 'web:1:bad', image: 'BusyBox', ports: { p: { internalPort: -1 } } } })
      .thenThrows(ErrorCode.INVALID_JOB_DEFINITION);
    const problems = (error.details['problems'] ?? []) as { path: string }[];
    expect(problems.map((p) => p.path)).toEqual(['image', 'ports.p.internalPort', 'id']);
  });

  it('checks expiry against the command time', () => {
    const job = { ...input, expires: '2024-06-01T00:00:00Z' };
    given(jobDecider).when({ ...create, job, time: '2024-07-01T00:00:00Z' }).thenThrows(ErrorCode.INVALID_JOB_DEFINITION);
    const [event] = jobDecider.decide({ ...create, job, time: '2024-05-01T00:00:00Z' }, jobDecider.initialState);
    expect(event).toMatchObject({ type: 'JobCreated', job: { expires: '2024-06-01T00:00:00.000Z' } });
  });

  it('rejects added capabilities unless the command whitelists them', () => {
    const job = { ...input, addCapabilities: ['NET_ADMIN'] };
    given(jobDecider).when({ ...create, job }).thenThrows(ErrorCode.INVALID_JOB_DEFINITION);
    const events = jobDecider.decide({ ...create, job, whitelistedCapabilities: ['NET_ADMIN'] }, jobDecider.initialState);
    expect(events).toMatchObject([{ type: 'JobCreated', job: { addCapabilities: ['NET_ADMIN'] } }]);
  });

  it('applies the grace-period/static-port check only when the command asks for it', () => {
    const job = { ...input, gracePeriod: 10, ports: { http: { internalPort: 80, externalPort: 8080 } } };
    expect(jobDecider.decide({ ...create, job }, jobDecider.initialState)).toHaveLength(1);
    given(jobDecider).when({ ...create, job, rejectGracePeriodWithStaticPorts: true }).thenThrows(ErrorCode.INVALID_JOB_DEFINITION);
  });

  it('creates the Helios manual example job (future expiry, whitelisted capabilities, hash left to the server)', () => {
    const job = { ...heliosManualExampleJob, id: 'myservice:0.5', expires: '2030-06-01T12:00:00Z' };
    const command: CreateJob = { type: 'CreateJob', time, job, whitelistedCapabilities: ['IPC_LOCK', 'SYSLOG'] };
    const [event] = jobDecider.decide(command, jobDecider.initialState);
    expect(event?.type === 'JobCreated' && event.job.id).toBe(jobIdOf(command));
    expect(jobIdOf(command)).toMatch(/^myservice:0\.5:[0-9a-f]{40}$/);
  });

  it('refuses to decide for another job than the aggregate holds (the caller loaded the wrong history)', () => {
    const outcome = given(jobDecider, [jobCreated]).when({ ...create, job: { ...input, env: { A: '2' } } }).outcome();
    expect(outcome.kind).toBe('error');
    const error = outcome.kind === 'error' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Job aggregate web:1:[0-9a-f]{40} was given a command for job web:1:[0-9a-f]{40}$/);
    expect(error).not.toHaveProperty('code');
  });

  it('refuses a command time that is not an instant (a caller bug, not a domain error)', () => {
    expect(() => jobDecider.decide({ ...create, time: 'now' }, jobDecider.initialState)).toThrow(TypeError);
  });
});

describe('job decider: RemoveJob', () => {
  const remove = { type: 'RemoveJob' as const, jobId: expectedJob.id, time, token: 'secret' };

  it('removes an existing job', () => {
    given(jobDecider, [jobCreated]).when(remove).then([jobRemoved]);
  });

  it('refuses an unknown job: JOB_NOT_FOUND', () => {
    given(jobDecider).when(remove).thenThrows(ErrorCode.JOB_NOT_FOUND);
  });

  it('refuses a job that was already removed: JOB_NOT_FOUND', () => {
    given(jobDecider, [jobCreated, jobRemoved]).when(remove).thenThrows(ErrorCode.JOB_NOT_FOUND);
  });

  it('refuses another id than the aggregate’s job: JOB_NOT_FOUND', () => {
    given(jobDecider, [jobCreated]).when({ ...remove, jobId: 'web:1' }).thenThrows(ErrorCode.JOB_NOT_FOUND);
  });

  it('refuses a missing or wrong token: FORBIDDEN', () => {
    given(jobDecider, [jobCreated]).when({ ...remove, token: 'guess' }).thenThrows(ErrorCode.FORBIDDEN);
    const { token: _token, ...withoutToken } = remove;
    given(jobDecider, [jobCreated]).when(withoutToken).thenThrows(ErrorCode.FORBIDDEN);
  });

  it('refuses a token for a job that has none, as Helios compares exactly', () => {
    const tokenless: JobEvent = { type: 'JobCreated', job: { ...expectedJob, token: '' } };
    given(jobDecider, [tokenless]).when({ ...remove, token: 'x' }).thenThrows(ErrorCode.FORBIDDEN);
    given(jobDecider, [tokenless]).when({ type: 'RemoveJob', jobId: expectedJob.id, time }).then([jobRemoved]);
  });
});

describe('job decider: evolve', () => {
  it('folds created then removed', () => {
    expect(foldEvents(jobDecider, [])).toEqual({ status: 'absent' });
    expect(foldEvents(jobDecider, [jobCreated])).toEqual({ status: 'created', job: expectedJob });
    expect(foldEvents(jobDecider, [jobCreated, jobRemoved])).toEqual({ status: 'removed', jobId: expectedJob.id });
  });

  it('runDecider returns the events and the state after them', () => {
    expect(runDecider(jobDecider, jobDecider.initialState, create)).toEqual({
      events: [jobCreated],
      state: { status: 'created', job: expectedJob },
    });
  });
});

import { foldEvents } from '../decider';
import { deploymentDecider } from '../deployment/deployment.decider';
import { jobDecider, type JobEvent, type JobState } from '../job/job.decider';
import { evolveTotally, shapeProblem } from './anomaly';
import { deploymentEventCatalog, jobEventCatalog } from './event-catalogs';
import { referenceProblem, type ReferenceLookup } from './references';

const time = '2026-03-01T10:00:00.000Z';
const job = { id: 'web:1:aaaa', image: 'busybox:1' } as never;
const created: JobEvent = { type: 'JobCreated', job };
const removed = (jobId: string): JobEvent => ({ type: 'JobRemoved', jobId });

describe('evolveTotally', () => {
  it('applies an event that fits, with no reason', () => {
    expect(evolveTotally(jobDecider.evolve, jobEventCatalog, jobDecider.initialState, created, 'web:1:aaaa')).toEqual({ state: { status: 'created', job }, applied: true });
  });

  it('applies a misfit and says why: a job removed that was never created', () => {
    const verdict = evolveTotally(jobDecider.evolve, jobEventCatalog, jobDecider.initialState, removed('x'), 'x');
    expect(verdict).toEqual({ state: { status: 'removed', jobId: 'x' }, applied: true, reason: 'job x was never created' });
  });

  it('skips an unknown type, a malformed event, one stored under another aggregate, and one evolve throws on', () => {
    const state: JobState = { status: 'created', job };
    const throwing = () => {
      throw new Error('boom');
    };
    expect(evolveTotally(jobDecider.evolve, jobEventCatalog, state, { type: 'JobRenamed' })).toEqual({ state, applied: false, reason: 'unknown event type JobRenamed' });
    expect(evolveTotally(jobDecider.evolve, jobEventCatalog, state, { type: 'JobRemoved', jobId: 7 } as never)).toEqual({ state, applied: false, reason: 'malformed event: jobId is number, not string' });
    expect(evolveTotally(jobDecider.evolve, jobEventCatalog, state, removed('other'), 'web:1:aaaa')).toEqual({
      state,
      applied: false,
      reason: 'the event names other, but is stored under web:1:aaaa',
    });
    expect(evolveTotally(throwing, jobEventCatalog, state, removed('web:1:aaaa'))).toEqual({ state, applied: false, reason: 'cannot apply: boom' });
  });

  it('checks nested paths of a shape', () => {
    expect(shapeProblem({ job: 'object', 'job.id': 'string' }, { job: { id: null } })).toBe('malformed event: job.id is null, not string');
    expect(shapeProblem({ hosts: 'array' }, { hosts: {} })).toBe('malformed event: hosts is object, not array');
  });

  it('reports a change to a deployment that is not there, and a second deploy of the same job', () => {
    const deployed = { type: 'JobDeployed' as const, host: 'h1', jobId: 'web:1:aaaa', goal: 'START' as const, ports: {}, protocols: {}, token: '', time };
    const state = foldEvents(deploymentDecider, [deployed]);
    expect(evolveTotally(deploymentDecider.evolve, deploymentEventCatalog, state, deployed, 'h1').reason).toBe('job web:1:aaaa is already deployed on host h1');
    const goal = { type: 'GoalChanged' as const, host: 'h1', jobId: 'db:1:bbbb', goal: 'STOP' as const, time };
    expect(evolveTotally(deploymentDecider.evolve, deploymentEventCatalog, state, goal, 'h1')).toEqual({ state, applied: true, reason: 'job db:1:bbbb is not deployed on host h1' });
  });
});

describe('referenceProblem', () => {
  const lookup: ReferenceLookup = {
    jobExists: (id) => id === 'web:1:aaaa',
    hostRegistered: (host) => host === 'h1',
    groupExists: (name) => name === 'g1',
    hostsOf: (id) => (id === 'web:1:aaaa' ? ['h1'] : []),
  };
  const deployed = (jobId: string, host: string) => ({ type: 'JobDeployed', host, jobId, goal: 'START', ports: {}, protocols: {}, token: '', time });

  it('finds a deployment of an unknown job or on an unregistered host', () => {
    expect(referenceProblem(deployed('web:1:aaaa', 'h1'), lookup)).toBeUndefined();
    expect(referenceProblem(deployed('gone:1:cccc', 'h1'), lookup)).toBe('deployed job gone:1:cccc is unknown (never created, or removed)');
    expect(referenceProblem(deployed('web:1:aaaa', 'h9'), lookup)).toBe('job web:1:aaaa deployed on host h9, which is not registered');
  });

  it('finds a job removed while deployed, and a rollout of a group that does not exist', () => {
    expect(referenceProblem({ type: 'JobRemoved', jobId: 'web:1:aaaa' } as never, lookup)).toBe('removed job web:1:aaaa is still deployed on h1');
    expect(referenceProblem({ type: 'JobRemoved', jobId: 'db:1:bbbb' } as never, lookup)).toBeUndefined();
    expect(referenceProblem({ type: 'RolloutStarted', group: 'g9' } as never, lookup)).toBe('rollout of deployment group g9, which does not exist');
    expect(referenceProblem({ type: 'HostUp', host: 'h9' } as never, lookup)).toBeUndefined();
  });
});

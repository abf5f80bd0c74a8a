import fc from 'fast-check';
import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { dependencyLevels, readReleasePlan } from './release-plan';
import { pendingPlanServices, planDeployQueue, releasePlanDecider, type PlanServiceSpec, type ReleasePlan, type ReleasePlanEvent } from './release-plan.decider';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';

describe('readReleasePlan', () => {
  it('reads services with quorum, maxUnavailable and dependencies', () => {
    const { plan, problems } = readReleasePlan({
      services: [
        { service: 'a', job: 2, group: 'dc.a', quorum: 3 },
        { service: 'b', job: 'b:7', group: 'dc.b', maxUnavailable: '25%', dependsOn: ['a'] },
      ],
    });
    expect(problems).toEqual([]);
    expect(plan?.services).toEqual([
      { service: 'a', job: '2', group: 'dc.a', quorum: 3, dependsOn: [] },
      { service: 'b', job: 'b:7', group: 'dc.b', maxUnavailable: '25%', dependsOn: ['a'] },
    ]);
  });

  it('reports every problem with its path: missing fields, unknown fields, duplicates, unknown and self dependencies', () => {
    const { plan, problems } = readReleasePlan({
      services: [{ service: 'a', group: 'g', quorum: -1, colour: 'red' }, { service: 'a', job: '1', group: 'g', dependsOn: ['a', 'zzz'] }, 'x'],
    });
    expect(plan).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'services[0].colour', message: expect.stringContaining('unknown field') },
        { path: 'services[0].job', message: expect.stringContaining('required') },
        { path: 'services[0].quorum', message: expect.stringContaining('non-negative') },
        { path: 'services[1].service', message: 'duplicate service "a" (first at services[0])' },
        { path: 'services[1].dependsOn[0]', message: '"a" cannot depend on itself' },
        { path: 'services[1].dependsOn[1]', message: '"zzz" is not a service of this plan' },
        { path: 'services[2]', message: expect.stringContaining('mapping') },
      ]),
    );
  });

  it('requires a job that is not empty', () => {
    for (const job of ['', '  ']) {
      const { plan, problems } = readReleasePlan({ services: [{ service: 'a', job, group: 'g' }] });
      expect(plan).toBeUndefined();
      expect(problems).toEqual([{ path: 'services[0].job', message: expect.stringContaining('required') }]);
    }
  });

  it('rejects a dependency cycle, naming it', () => {
    const { problems } = readReleasePlan({
      services: [
        { service: 'a', job: '1', group: 'g', dependsOn: ['c'] },
        { service: 'b', job: '1', group: 'g', dependsOn: ['a'] },
        { service: 'c', job: '1', group: 'g', dependsOn: ['b'] },
        { service: 'd', job: '1', group: 'g' },
      ],
    });
    expect(problems).toEqual([{ path: 'services[0].dependsOn', message: 'dependency cycle: a → c → b → a' }]);
  });
});

describe('dependencyLevels', () => {
  it('puts independent services in one level and each dependent after everything it depends on', () => {
    const levels = dependencyLevels([
      { service: 'c', dependsOn: ['b'] },
      { service: 'b', dependsOn: ['a'] },
      { service: 'a', dependsOn: [] },
      { service: 'x', dependsOn: [] },
      { service: 'y', dependsOn: ['a', 'x'] },
    ]);
    expect(levels).toEqual({ levels: [['a', 'x'], ['b', 'y'], ['c']] });
  });

  it('property: for any acyclic graph, every dependency is in an earlier level', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: 1, maxLength: 20 }), (edges) => {
        // service i may only depend on services with a smaller index: acyclic by construction
        const services = edges.map((deps, i) => ({ service: `s${i}`, dependsOn: i === 0 ? [] : [...new Set(deps.map((d) => `s${d % i}`))] }));
        const result = dependencyLevels(services);
        if ('cycle' in result) return false;
        const levelOf = new Map(result.levels.flatMap((names, level) => names.map((n) => [n, level] as const)));
        return services.every((s) => s.dependsOn.every((d) => (levelOf.get(d) ?? Infinity) < (levelOf.get(s.service) ?? -1)));
      }),
    );
  });
});

describe('release plan decider', () => {
  const spec = (service: string, dependsOn: string[] = []): PlanServiceSpec => ({ service, jobId: `${service}:2:h`, group: `dc.${service}`, quorum: 2, dependsOn });
  const services = [spec('a'), spec('b', ['a']), spec('c', ['b']), spec('x')];
  const started = releasePlanDecider.decide({ type: 'StartReleasePlan', planId: 'p', services, time: t0 }, { kind: 'none' });
  const plan = (events: readonly ReleasePlanEvent[]) => foldEvents(releasePlanDecider, events) as ReleasePlan;
  const run = (history: readonly ReleasePlanEvent[], ...commands: Parameters<typeof releasePlanDecider.decide>[0][]) =>
    commands.reduce<readonly ReleasePlanEvent[]>((all, command) => [...all, ...releasePlanDecider.decide(command, foldEvents(releasePlanDecider, all))], history);

  it('starts with the levels; independent services are pending together, dependents wait', () => {
    expect(started).toEqual([{ type: 'ReleasePlanStarted', planId: 'p', services, levels: [['a', 'x'], ['b'], ['c']], time: t0 }]);
    expect(pendingPlanServices(plan(started)).map((s) => s.service)).toEqual(['a', 'x']);
    expect(planDeployQueue(plan(started))).toEqual(['a', 'x', 'b', 'c']);
  });

  it('a cycle is refused with its services named', () => {
    given(releasePlanDecider).when({ type: 'StartReleasePlan', planId: 'p', services: [spec('a', ['b']), spec('b', ['a'])], time: t0 }).thenThrows(ErrorCode.INVALID_RELEASE_PLAN);
  });

  it('a service starts once what it depends on is complete; the plan completes with the last', () => {
    const running = run(started, { type: 'RecordPlanRelease', planId: 'p', service: 'a', releaseId: 'ra', time: t0 }, { type: 'RecordPlanRelease', planId: 'p', service: 'x', releaseId: 'rx', time: t0 });
    expect(pendingPlanServices(plan(running))).toEqual([]);
    given(releasePlanDecider, running).when({ type: 'ObservePlanReleases', planId: 'p', releases: [{ releaseId: 'ra', status: 'deploying' }], time: t1 }).then([]);
    const aDone = run(running, { type: 'ObservePlanReleases', planId: 'p', releases: [{ releaseId: 'ra', status: 'complete' }], time: t1 });
    expect(pendingPlanServices(plan(aDone)).map((s) => s.service)).toEqual(['b']);
    expect(planDeployQueue(plan(aDone))).toEqual(['b', 'c']);
    const all = run(
      aDone,
      { type: 'RecordPlanRelease', planId: 'p', service: 'b', releaseId: 'rb', time: t1 },
      { type: 'ObservePlanReleases', planId: 'p', releases: [{ releaseId: 'rb', status: 'complete' }, { releaseId: 'rx', status: 'complete' }], time: t1 },
      { type: 'RecordPlanRelease', planId: 'p', service: 'c', releaseId: 'rc', time: t1 },
      { type: 'ObservePlanReleases', planId: 'p', releases: [{ releaseId: 'rc', status: 'complete' }], time: t1 },
    );
    expect(all.at(-1)).toEqual({ type: 'ReleasePlanCompleted', planId: 'p', time: t1 });
    expect(plan(all).status).toBe('complete');
  });

  it('a failed service fails the plan; services that depend on it never start', () => {
    const failed = run(
      started,
      { type: 'RecordPlanRelease', planId: 'p', service: 'a', releaseId: 'ra', time: t0 },
      { type: 'ObservePlanReleases', planId: 'p', releases: [{ releaseId: 'ra', status: 'rolled_back', error: 'step dc.a failed' }], time: t1 },
    );
    expect(failed.slice(-2)).toEqual([
      { type: 'PlanServiceFinished', planId: 'p', service: 'a', ok: false, error: 'release rolled_back: step dc.a failed', time: t1 },
      { type: 'ReleasePlanFailed', planId: 'p', error: 'a: release rolled_back: step dc.a failed', time: t1 },
    ]);
    expect(pendingPlanServices(plan(failed))).toEqual([]);
    given(releasePlanDecider, failed).when({ type: 'AbandonReleasePlan', planId: 'p', time: t1 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
  });

  it('a service that could not start fails the plan', () => {
    const failed = run(started, { type: 'ReportPlanServiceError', planId: 'p', service: 'x', error: 'JOB_NOT_FOUND', time: t0 });
    expect(plan(failed)).toMatchObject({ status: 'failed', error: 'x: JOB_NOT_FOUND' });
  });
});

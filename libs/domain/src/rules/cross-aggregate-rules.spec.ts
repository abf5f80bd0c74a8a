import { MarkerAggregate, isMarkerAggregate, ruleMarkers } from './cross-aggregate-rules';

const time = '2026-12-07T00:00:00.000Z';

describe('ruleMarkers', () => {
  it('marks every deploy as a use of the job on that host, guarded on the job', () => {
    expect(
      ruleMarkers([{ aggregate: 'deployment', aggregateId: 'h1', events: [{ type: 'JobDeployed', jobId: 'web:1:ab', host: 'h1' } as never] }], time),
    ).toEqual([
      {
        aggregate: MarkerAggregate.JOB_USE,
        aggregateId: ['web:1:ab', 'h1'],
        events: [{ type: 'JobUseRecorded', jobId: 'web:1:ab', host: 'h1', time }],
        guard: { aggregate: 'job', aggregateId: 'web:1:ab' },
      },
    ]);
  });

  it('marks a deploy on behalf of a group as a use of the group on that host too, guarded on the group', () => {
    const markers = ruleMarkers(
      [{ aggregate: 'deployment', aggregateId: 'h1', events: [{ type: 'JobDeployed', jobId: 'web:1:ab', host: 'h1', deploymentGroupName: 'g' } as never] }],
      time,
    );
    expect(markers.map((m) => [m.aggregate, m.aggregateId, m.guard])).toEqual([
      [MarkerAggregate.GROUP_USE, ['g', 'h1'], { aggregate: 'deployment-group', aggregateId: 'g' }],
      [MarkerAggregate.JOB_USE, ['web:1:ab', 'h1'], { aggregate: 'job', aggregateId: 'web:1:ab' }],
    ]);
  });

  it("guards a rollout's start on every deploy on the group's behalf, so its snapshot of the hosts misses none", () => {
    expect(
      ruleMarkers([{ aggregate: 'deployment-group', aggregateId: 'g', events: [{ type: 'DeploymentGroupRolloutStarted', name: 'g', rolloutId: 'r1' } as never] }], time),
    ).toEqual([
      {
        aggregate: MarkerAggregate.GROUP_USE,
        aggregateId: 'g',
        events: [{ type: 'GroupRolloutRecorded', group: 'g', rolloutId: 'r1', time }],
        guard: { aggregate: MarkerAggregate.GROUP_USE, aggregateId: 'g', everyPair: true },
      },
    ]);
  });

  it("closes a removed job's use, guarded on every host's use of it", () => {
    expect(ruleMarkers([{ aggregate: 'job', aggregateId: 'web:1:ab', events: [{ type: 'JobRemoved', jobId: 'web:1:ab' } as never] }], time)).toEqual([
      {
        aggregate: MarkerAggregate.JOB_USE,
        aggregateId: 'web:1:ab',
        events: [{ type: 'JobUseClosed', jobId: 'web:1:ab', time }],
        guard: { aggregate: MarkerAggregate.JOB_USE, aggregateId: 'web:1:ab', everyPair: true },
      },
    ]);
  });

  it('records the start of a release on its service, guarded on the service, so two starts cannot both land', () => {
    expect(
      ruleMarkers([{ aggregate: 'release', aggregateId: 'r1', events: [{ type: 'ReleaseStarted', releaseId: 'r1', service: 'web' } as never] }], time),
    ).toEqual([
      {
        aggregate: MarkerAggregate.RELEASE_START,
        aggregateId: 'web',
        events: [{ type: 'ReleaseStartRecorded', service: 'web', releaseId: 'r1', time }],
        guard: { aggregate: MarkerAggregate.RELEASE_START, aggregateId: 'web' },
      },
    ]);
  });

  it('needs no marker for events that no cross-aggregate rule is about', () => {
    expect(
      ruleMarkers(
        [
          { aggregate: 'deployment', aggregateId: 'h1', events: [{ type: 'JobUndeployed', jobId: 'web:1:ab', host: 'h1' } as never, { type: 'GoalChanged' }] },
          { aggregate: 'job', aggregateId: 'web:1:ab', events: [{ type: 'JobCreated' }] },
        ],
        time,
      ),
    ).toEqual([]);
    expect(isMarkerAggregate('job-use')).toBe(true);
    expect(isMarkerAggregate('job')).toBe(false);
  });
});

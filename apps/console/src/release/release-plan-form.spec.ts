import { EMPTY_ROW, parsePlanForm, problemPlace, type PlanServiceRow } from './release-plan-form';

const row = (over: Partial<PlanServiceRow>): PlanServiceRow => ({ ...EMPTY_ROW, ...over });

describe('release plan form', () => {
  it('sends the services as typed, numbers as numbers, optional fields only when given', () => {
    const parsed = parsePlanForm([
      row({ service: ' db ', job: '2', group: 'dc1.db', quorum: '3' }),
      row({ service: 'api', job: 'api:7', group: 'dc1.api', maxUnavailable: '25%', dependsOn: 'db' }),
      row({ service: 'web', job: 'web:1', group: 'dc1.web', maxUnavailable: '1', dependsOn: 'db; api,' }),
    ]);
    expect(parsed.problems).toEqual([]);
    expect(JSON.parse(parsed.source ?? '')).toEqual({
      services: [
        { service: 'db', job: '2', group: 'dc1.db', quorum: 3 },
        { service: 'api', job: 'api:7', group: 'dc1.api', maxUnavailable: '25%', dependsOn: ['db'] },
        { service: 'web', job: 'web:1', group: 'dc1.web', maxUnavailable: 1, dependsOn: ['db', 'api'] },
      ],
    });
  });

  it('names every problem by its path and sends nothing', () => {
    const parsed = parsePlanForm([row({ service: 'db', job: '', group: 'dc1 db', quorum: 'most' }), row({ service: 'api', job: '1', group: 'g', maxUnavailable: 'half', dependsOn: 'cache' })]);
    expect(parsed.source).toBeUndefined();
    expect(parsed.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['services[0].job', 'services[0].group', 'services[0].quorum', 'services[1].maxUnavailable', 'services[1].dependsOn[0]']));
    expect(parsed.problems.find((p) => p.path === 'services[1].dependsOn[0]')?.message).toBe('"cache" is not a service of this plan');
    expect(parsed.problems.find((p) => p.path === 'services[0].job')?.message).toMatch(/^required: a job of the service/);
  });

  it('names a dependency cycle', () => {
    const parsed = parsePlanForm([row({ service: 'a', job: '1', group: 'g', dependsOn: 'b' }), row({ service: 'b', job: '1', group: 'g', dependsOn: 'a' })]);
    expect(parsed.problems).toEqual([{ path: 'services[0].dependsOn', message: 'dependency cycle: a → b → a' }]);
  });

  it('places a problem on its row and field', () => {
    expect(problemPlace('services[2].dependsOn[0]')).toEqual({ row: 2, field: 'dependsOn' });
    expect(problemPlace('services[0]')).toEqual({ row: 0, field: null });
    expect(problemPlace('services')).toBeNull();
  });
});

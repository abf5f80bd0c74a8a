import { ApiRole } from './api-role';
import { busAllows, busPermissions, commandsOfRole, identifiedCommandSubject, parseIdentifiedCommandSubject, subjectCovered } from './bus-permissions';
import { PipelineCommand } from './pipeline-api';
import { SchedulerCommand } from './scheduler-api';

describe('subjectCovered (NATS permission semantics)', () => {
  it.each([
    ['berth.host.a.>', 'berth.host.a.desired', true],
    ['berth.host.a.>', 'berth.host.a.>', true],
    ['berth.host.a.>', 'berth.host.a', false],
    ['berth.host.a.>', 'berth.host.*.>', false],
    ['berth.host.*.>', 'berth.host.a.x.y', true],
    ['berth.host.*.>', 'berth.host.>', false],
    ['berth.gate.*.*', 'berth.gate.s.g', true],
    ['berth.gate.*.*', 'berth.gate.s.g.h', false],
    ['>', 'anything.at.all', true],
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
  ])('%s covers %s: %s', (pattern, subject, covered) => {
    expect(subjectCovered(pattern, subject)).toBe(covered);
  });
});

describe('command roles', () => {
  it('ranks like API tokens: each role sends what the ones below it send, create-api-token is admin only', () => {
    const read = commandsOfRole(ApiRole.READ);
    const deploy = commandsOfRole(ApiRole.DEPLOY);
    const admin = commandsOfRole(ApiRole.ADMIN);
    expect(read).toContain(SchedulerCommand.LIST_JOBS);
    expect(read).not.toContain(SchedulerCommand.DEPLOY);
    expect(deploy).toEqual(expect.arrayContaining([...read, SchedulerCommand.DEPLOY, PipelineCommand.REPORT_GATE]));
    expect(deploy).not.toContain(SchedulerCommand.CREATE_API_TOKEN);
    expect(admin).toEqual(expect.arrayContaining([...deploy, SchedulerCommand.CREATE_API_TOKEN, SchedulerCommand.REGISTER_HOST]));
    expect(admin).toHaveLength(Object.keys(SchedulerCommand).length + Object.keys(PipelineCommand).length);
  });
});

describe('identified command subjects', () => {
  it('carry role, identity (encoded) and command, and read back', () => {
    const subject = identifiedCommandSubject(ApiRole.DEPLOY, 'ci.bot', 'rolling-update');
    expect(subject).toBe('berth.as.deploy.ci%2Ebot.rolling-update');
    expect(parseIdentifiedCommandSubject(subject)).toEqual({ role: 'deploy', identity: 'ci.bot', command: 'rolling-update' });
    expect(parseIdentifiedCommandSubject('berth.as.root.x.deploy')).toBeUndefined();
    expect(parseIdentifiedCommandSubject('berth.cmd.deploy')).toBeUndefined();
  });

  it("pin an integration to its own identity and the roles it holds", () => {
    const deploy = busPermissions({ kind: 'integration', name: 'ci', role: ApiRole.DEPLOY });
    expect(busAllows(deploy, 'pub', identifiedCommandSubject(ApiRole.DEPLOY, 'ci', 'deploy'))).toBe(true);
    expect(busAllows(deploy, 'pub', identifiedCommandSubject(ApiRole.READ, 'ci', 'jobs'))).toBe(true);
    expect(busAllows(deploy, 'pub', identifiedCommandSubject(ApiRole.ADMIN, 'ci', 'create-api-token'))).toBe(false);
    expect(busAllows(deploy, 'pub', identifiedCommandSubject(ApiRole.DEPLOY, 'other', 'deploy'))).toBe(false);
    expect(busAllows(deploy, 'pub', 'berth.cmd.deploy')).toBe(false);
    expect(deploy.inboxPrefix).toBe('_INBOX_INTEGRATION.ci');
  });
});

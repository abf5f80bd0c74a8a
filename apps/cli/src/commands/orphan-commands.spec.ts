import { jobOnHost } from '../queries';
import { FakeGateway, runCli } from '../testing/fake-io';

/** Issue 18.3: what remove-deployment-group leaves behind, and undeploying it by naming the removed group. */

const JOB = 'foo:1:0123456789abcdef0123456789abcdef01234567';
const leftBehind = [
  { host: 'host1', jobId: JOB },
  { host: 'host2', jobId: JOB },
];

function removing(rows: readonly object[]): FakeGateway {
  return new FakeGateway((operation) => {
    if (operation === 'Group') return { removeDeploymentGroup: { sequence: 7, name: 'web', status: 'REMOVED', result: { status: 'REMOVED', leftBehind: rows } } };
    throw new Error(`unexpected ${operation}`);
  });
}

describe('remove-deployment-group', () => {
  it('says which deployments it leaves on the hosts and how to undeploy them', async () => {
    const result = await runCli(['remove-deployment-group', 'web'], { gateway: removing(leftBehind) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'Deployment-group web removed',
      'Left behind on the hosts (undeploy with: berth undeploy JOB HOST --group web):',
      `  host1: ${JOB}`,
      `  host2: ${JOB}`,
      '',
    ]);
    const json = await runCli(['--json', 'remove-deployment-group', 'web'], { gateway: removing(leftBehind) });
    expect(JSON.parse(json.stdout)).toEqual({ name: 'web', status: 'REMOVED', leftBehind, sequence: 7 });
  });

  it('prints only the removal when nothing is left behind', async () => {
    const result = await runCli(['remove-deployment-group', 'web'], { gateway: removing([]) });
    expect(result.stdout).toBe('Deployment-group web removed\n');
  });
});

describe('undeploy --group', () => {
  it("names the deployment's group in the undeploy mutation, and only when given", async () => {
    const gateway = new FakeGateway(() => ({ undeploy: { sequence: 1, jobId: JOB, host: 'host1', status: 'UNDEPLOYED' } }));
    await jobOnHost(gateway, 'undeploy', { job: JOB, host: 'host1', deploymentGroupName: 'web' });
    await jobOnHost(gateway, 'undeploy', { job: JOB, host: 'host1' });
    expect(gateway.sent[0]?.query).toContain('deploymentGroupName: $deploymentGroupName');
    expect(gateway.sent[0]?.variables).toMatchObject({ deploymentGroupName: 'web' });
    expect(gateway.sent[1]?.query).not.toContain('deploymentGroupName');
    expect(gateway.sent[1]?.query).not.toContain('overrideGroup');
  });

  it("--override-group (an admin's undeploy without the group's name) sends overrideGroup", async () => {
    const gateway = new FakeGateway(() => ({ undeploy: { sequence: 1, jobId: JOB, host: 'host1', status: 'UNDEPLOYED' } }));
    await jobOnHost(gateway, 'undeploy', { job: JOB, host: 'host1', overrideGroup: true });
    expect(gateway.sent[0]?.query).toContain('overrideGroup: $overrideGroup');
    expect(gateway.sent[0]?.variables).toMatchObject({ overrideGroup: true });
  });
});

import { CommanderError } from 'commander';
import { BerthCliError, CliFailure, describeFailure, UsageError } from './errors';
import { FakeGateway, runCli } from './testing/fake-io';

describe('describeFailure: error → exit code', () => {
  it('maps Berth errors to 1 with their code, usage errors to 2, help to 0', () => {
    expect(describeFailure(new BerthCliError('JOB_NOT_FOUND', 'no job foo'))).toEqual({ exitCode: 1, message: 'Error: JOB_NOT_FOUND: no job foo', stream: 'stderr' });
    expect(describeFailure(new CliFailure('job pattern x matched no jobs', 'stdout'))).toEqual({ exitCode: 1, message: 'job pattern x matched no jobs', stream: 'stdout' });
    expect(describeFailure(new UsageError('bad'))).toMatchObject({ exitCode: 2 });
    expect(describeFailure(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toEqual({ exitCode: 2, message: '', stream: 'stderr' });
    expect(describeFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toMatchObject({ exitCode: 0 });
    expect(describeFailure(new Error('boom'))).toMatchObject({ exitCode: 1, message: 'Error: INTERNAL: boom' });
  });
});

describe('exit codes of whole command lines', () => {
  const notFound = new FakeGateway(() => {
    throw new BerthCliError('JOB_NOT_FOUND', 'job nope not found');
  });

  it('exits 2 on an unknown flag, a missing argument or a value outside the choices', async () => {
    expect((await runCli(['jobs', '--bogus'])).exitCode).toBe(2);
    expect((await runCli(['deploy', 'job-only'])).exitCode).toBe(2);
    const status = await runCli(['hosts', '--status', 'up']);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toContain("Allowed choices are UP, DOWN");
  });

  it("exits 2 with Helios's message for undeploy without hosts or -a", async () => {
    const result = await runCli(['undeploy', 'web:1']);
    expect(result).toMatchObject({ exitCode: 2, stderr: 'error: Please either specify a list of hosts or use the -a/--all flag.\n' });
  });

  it('exits 1 and prints the code of a Berth error', async () => {
    const result = await runCli(['inspect', 'nope'], { gateway: notFound });
    expect(result).toEqual({ exitCode: 1, stdout: '', stderr: 'Error: JOB_NOT_FOUND: job nope not found\n' });
  });

  it("prints Helios's no-match message and exits 1", async () => {
    const empty = new FakeGateway(() => ({ jobs: { items: [], nextCursor: null } }));
    expect(await runCli(['jobs', 'zzz'], { gateway: empty })).toEqual({ exitCode: 1, stdout: 'job pattern zzz matched no jobs\n', stderr: '' });
    const json = await runCli(['jobs', 'zzz', '--json'], { gateway: empty });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({});
  });

  it('exits 0 with help on every command', async () => {
    for (const command of ['create', 'jobs', 'status', 'watch', 'events', 'hosts']) {
      const result = await runCli([command, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`Usage: berth ${command}`);
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from './support/stack';

/**
 * What a user gets for bad input, on the real stack: a message naming the
 * problem, exit 2 (usage) or 1 (a Berth error with its code), and nothing
 * changed on the cluster. Plus Helios's messages for empty matches.
 */
const HOST = 'bad-input-e2e-1';
let stack: Stack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-bad-input-'));
  stack = await startStack({ name: 'cli-bad-input-e2e', hosts: [HOST], labels: ['role=bad-input'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function jobFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function eventCount(): Promise<number> {
  const run = await stack.cli.run('--json', 'events');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as unknown[]).length;
}

it('refuses malformed job files and bad flags with a message naming the problem, and writes nothing', async () => {
  const { cli } = stack;
  const before = await eventCount();
  const notJson = jobFile('not-json.json', '{"id": "web:1", "image": ');
  const unknownField = jobFile('unknown-field.json', JSON.stringify({ id: 'web:1', image: 'local/busybox:1', imagePullPolicy: 'always' }));
  const badValues = jobFile('bad-values.json', JSON.stringify({ id: 'web:1', image: 'local/busybox:1', ports: { http: { internalPort: 99999 } }, gracePeriod: -5 }));

  const [broken, unknown, invalid, missing, badFlag, badDuration] = await Promise.all([
    cli.run('create', '-f', notJson),
    cli.run('create', '-f', unknownField),
    cli.run('create', '-f', badValues),
    cli.run('create', '-f', join(dir, 'missing.json')),
    cli.run('create', 'web:1', 'local/busybox:1', '--no-such-flag'),
    cli.run('rolling-update', 'web:1', 'g', '--timeout', 'soon'),
  ]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: job file .*not-json\.json is not valid JSON/m);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: Unknown job field\(s\): imagePullPolicy/m);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: /m);
  expect(invalid.stderr).toContain('ports.http.internalPort');
  expect(invalid.stderr).toContain('gracePeriod');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('missing.json');
  expect(badFlag.code).toBe(2);
  expect(badFlag.stderr).toContain("unknown option '--no-such-flag'");
  expect(badDuration.code).toBe(2);
  expect(badDuration.stderr).toContain('--timeout "soon"');

  // nothing reached the cluster
  expect(await eventCount()).toBe(before);
  expect(await cli.run('--json', 'jobs')).toMatchObject({ code: 0, stdout: '{}\n' });
}, 60_000);

it("answers Helios's messages for empty matches and unknown names", async () => {
  const { cli } = stack;
  const [jobs, hosts, status, group, deploy] = await Promise.all([
    cli.run('jobs', 'no-such-job'),
    cli.run('hosts', 'no-such-host'),
    cli.run('status', '--job', 'no-such-job'),
    cli.run('deployment-group-status', 'no-such-group'),
    cli.run('deploy', 'no-such-job:1', HOST),
  ]);
  expect(jobs).toMatchObject({ code: 1, stdout: 'job pattern no-such-job matched no jobs\n' });
  expect(hosts).toMatchObject({ code: 1, stdout: 'host pattern no-such-host matched no hosts\n' });
  expect(status.code).toBe(1);
  expect(status.stdout + status.stderr).toMatch(/no-such-job/);
  expect(group.code).toBe(1);
  expect(group.stderr).toMatch(/^Error: DEPLOYMENT_GROUP_NOT_FOUND: .*no-such-group/m);
  expect(deploy.code).toBe(1);
  expect(deploy.stderr).toMatch(/^Error: JOB_NOT_FOUND: /m);
}, 60_000);

it('error messages say what to do: the token to set, the jobs a reference matches, the setting that allows a capability, one YAML document', async () => {
  const { cli } = stack;
  // no token: where the CLI takes one from, not which HTTP header carries it
  const noToken = await stack.cliWith({ BERTH_TOKEN: '' }).run('jobs');
  expect(noToken.code).toBe(1);
  expect(noToken.stderr).toMatch(/^Error: UNAUTHENTICATED: the gateway at http:\/\/127\.0\.0\.1:\d+ needs an API token and berth found none: export BERTH_TOKEN=<token>, or pass --token-file <file>/);
  expect(noToken.stderr).not.toContain('Authorization');

  // Helios's walk-through creates testjob:1 twice (other contents, so another hash): every later step is ambiguous
  const first = await cli.run('create', 'testjob:1', 'local/busybox:1', '--', 'sleep', '600');
  const second = await cli.run('create', 'testjob:1', 'local/busybox:1', '--', 'sleep', '700');
  expect([first.code, second.code]).toEqual([0, 0]);
  const ids = [first.stdout, second.stdout].map((out) => /testjob:1:[0-9a-f]+/.exec(out)?.[0]).sort();
  expect(ids).toEqual([expect.any(String), expect.any(String)]);
  const ambiguous = await cli.run('deploy', 'testjob:1', HOST);
  expect(ambiguous.code).toBe(1);
  expect(ambiguous.stderr).toContain(`Error: AMBIGUOUS_JOB_REFERENCE: Ambiguous job reference: testjob:1 matches 2 jobs: ${ids.join(', ')}; name one by its full id (name:version:hash) or an id prefix only it has`);

  // a capability the scheduler's whitelist refuses names the setting that allows it
  const capability = await cli.run('create', 'captest:1', 'local/busybox:1', '--add-capability', 'NET_ADMIN', '--', 'sleep', '600');
  expect(capability.code).toBe(1);
  expect(capability.stderr).toContain("aren't allowed by the scheduler: 'NET_ADMIN'");
  expect(capability.stderr).toContain("The scheduler's setting --whitelisted-capabilities (env BERTH_WHITELISTED_CAPABILITIES, comma-separated) allows more, e.g. --whitelisted-capabilities NET_ADMIN.");

  // YAML with "..." and more after it: the file's terms and line, not the library's API
  const twoDocs = jobFile('two-docs.yaml', 'pipeline:\n- gate: itest\n...\n- gate: other\n');
  const validated = await cli.run('validate', '-f', twoDocs, '-s', 'web');
  expect(validated.code).toBe(1);
  expect(validated.stdout).toBe(`${twoDocs}:4: a second YAML document starts here (a "---" line, or what follows a "..." line); the file must be one document: remove the marker, or what follows it\n`);
  const set = await cli.run('pipeline', 'set', 'web', '-f', twoDocs);
  expect(set.code).toBe(1);
  expect(`${set.stdout}${set.stderr}`).not.toContain('parseAllDocuments');
  expect(set.stderr).toContain(`${twoDocs}:4: a second YAML document starts here`);
});

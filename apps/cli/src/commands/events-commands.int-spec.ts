import { EVENTS_STREAM, SCHEDULER_INBOX_PREFIX, type NewEvent } from '@berth/contracts';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runCli } from '../testing/fake-io';

/** `berth events export` / `import` in-process against real nats-servers. */
jest.setTimeout(60_000);

const servers: NatsServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'berth-events-cli-'));
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function server(): Promise<NatsServer> {
  const s = await startNatsServer();
  servers.push(s);
  return s;
}

function event(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, time: new Date().toISOString(), actor: 'spec', correlationId: randomUUID(), causationId: randomUUID(), data } as NewEvent;
}

async function streamState(url: string): Promise<{ exists: boolean; lastSeq: number }> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM).catch(() => undefined);
    return { exists: info !== undefined, lastSeq: info?.state.last_seq ?? 0 };
  } finally {
    await nc.close();
  }
}

describe('berth events export / import', () => {
  // loaded as the command loads it (the CLI never imports the store statically)
  const eventStore = () => import('@berth/event-store');

  it('exports a history to a file and restores it into another server; refuses a non-empty stream, a cut-short file and a partial export', async () => {
    const { JetStreamEventStore } = await eventStore();
    const source = await server();
    const store = await JetStreamEventStore.connect({ servers: source.url });
    const job = randomUUID();
    await store.append('job', job, 0, [event('JobCreated', { image: 'busybox:1' }), event('JobUpdated')]);
    await store.appendAtomic([
      { aggregate: 'job', aggregateId: job, expectedVersion: 2, events: [event('JobDeployed', { host: 'h1' })] },
      { aggregate: 'host', aggregateId: 'h1', expectedVersion: 0, events: [event('HostRegistered')] },
    ]);
    const expected = await store.read('job', job);
    await store.close();

    const file = join(dir, 'backup.jsonl');
    const exported = await runCli(['events', 'export', '--nats', source.url, '-o', file]);
    expect(exported).toMatchObject({ exitCode: 0, stdout: '' });
    expect(exported.stderr).toMatch(/exported 3 appends \(stream sequences 1\.\.3\) to .*backup\.jsonl/);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ format: 'berth-events', fromSequence: 1, toSequence: 3 });
    expect(JSON.parse(lines[4] ?? '')).toEqual({ end: true, messages: 3, lastSequence: 3 });

    // the same lines on stdout (the header's time aside); an existing --output needs --force
    const toStdout = await runCli(['events', 'export'], { env: { BERTH_NATS: source.url } });
    expect(toStdout.exitCode).toBe(0);
    expect(toStdout.stdout.trim().split('\n').slice(1)).toEqual(lines.slice(1));
    expect(await runCli(['events', 'export', '--nats', source.url, '-o', file])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('--force') });

    // a snapshot of another history waits on the target: import removes it
    const target = await server();
    const stale = await JetStreamEventStore.connect({ servers: target.url });
    await stale.saveSnapshot('scheduler', { sequence: 99, state: { other: true } });
    await stale.close();
    const imported = await runCli(['events', 'import', file, '--nats', target.url]);
    expect(imported.stderr).toBe('');
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toContain('imported 3 appends (stream sequences 1..3) into BERTH_EVENTS');
    expect(imported.stdout).toContain('removed 1 snapshot entries');
    const restored = await JetStreamEventStore.connect({ servers: target.url });
    try {
      expect(await restored.read('job', job)).toEqual(expected);
      expect(await restored.loadSnapshot('scheduler')).toBeUndefined();
    } finally {
      await restored.close();
    }

    const again = await runCli(['events', 'import', file, '--nats', target.url]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/IMPORT_TARGET_NOT_EMPTY: BERTH_EVENTS .* is not empty \(3 messages, last sequence 3\)/);
    expect((await streamState(target.url)).lastSeq).toBe(3);

    // nothing is written (not even the stream created) from a bad file
    const empty = await server();
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, lines.slice(0, 3).join('\n'));
    const cutShort = await runCli(['events', 'import', cut, '--nats', empty.url]);
    expect(cutShort).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('INVALID_EXPORT: the export has no trailer line') });
    const partial = join(dir, 'partial.jsonl');
    expect((await runCli(['events', 'export', '--nats', source.url, '--from-sequence', '2', '-o', partial])).exitCode).toBe(0);
    const partialImport = await runCli(['events', 'import', partial, '--nats', empty.url]);
    expect(partialImport).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('starts at sequence 2') });
    const garbled = join(dir, 'garbled.jsonl');
    writeFileSync(garbled, [lines[0], lines[1], '{"seq": 2, "subject": "berth.evt.job.x", "append": {"events": "no"}}', lines[4]].join('\n'));
    expect(await runCli(['events', 'import', garbled, '--nats', empty.url])).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/INVALID_EXPORT: line 3: "append" is not a Berth append/) });
    expect(await streamState(empty.url)).toEqual({ exists: false, lastSeq: 0 });

    expect(await runCli(['events', 'export', '--nats', source.url, '--from-sequence', '0'])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('INVALID_ARGUMENT') });
  });

  it('works with NATS auth on: export with a read-only integration\'s credentials, import with the scheduler\'s', async () => {
    const { NatsAuth } = await import('@berth/service');
    const { JetStreamEventStore } = await eventStore();
    const auth = NatsAuth.init(join(dir, 'keys'));
    const schedulerCreds = join(dir, 'scheduler.creds');
    const readerCreds = join(dir, 'reader.creds');
    writeFileSync(schedulerCreds, auth.issue({ kind: 'scheduler' }).creds, { mode: 0o600 });
    writeFileSync(readerCreds, auth.issue({ kind: 'integration', name: 'backup', role: 'read' }).creds, { mode: 0o600 });
    const source = await startNatsServer({ auth });
    servers.push(source);
    const { natsConnectOptions } = await import('@berth/service');
    const writerNc = await connect(natsConnectOptions({ nats: source.url, natsCreds: schedulerCreds }, { inboxPrefix: SCHEDULER_INBOX_PREFIX }));
    const store = await JetStreamEventStore.connect({ nc: writerNc });
    const job = randomUUID();
    await store.append('job', job, 0, [event('JobCreated')]);
    await store.close();
    await writerNc.close();

    const file = join(dir, 'auth-backup.jsonl');
    const exported = await runCli(['events', 'export', '--nats', source.url, '--nats-creds', readerCreds, '-o', file]);
    expect(exported).toMatchObject({ exitCode: 0, stderr: expect.stringContaining('exported 1 appends') });

    const target = await startNatsServer({ auth });
    servers.push(target);
    // a reader may not write the history
    const denied = await runCli(['events', 'import', file, '--nats', target.url, '--nats-creds', readerCreds]);
    expect(denied.exitCode).toBe(1);
    const imported = await runCli(['events', 'import', file, '--nats', target.url, '--nats-creds', schedulerCreds]);
    expect(imported).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('imported 1 appends') });
  });
});

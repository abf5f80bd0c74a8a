import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDir, StateDirLockedError } from './state-dir';

describe('StateDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-agent-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the desired state, task records and agent id across reopen', () => {
    const first = StateDir.open(dir);
    first.writeAgentId('abc');
    first.writeDesired({ host: 'h', revision: 7, tasks: [] });
    first.writeTasks({ 'web:1:x': { containerId: 'c1', ports: { http: 20001 } } });
    first.release();
    const second = StateDir.open(dir);
    expect(second.readAgentId()).toBe('abc');
    expect(second.readDesired()).toEqual({ host: 'h', revision: 7, tasks: [] });
    expect(second.readTasks()).toEqual({ 'web:1:x': { containerId: 'c1', ports: { http: 20001 } } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    second.release();
  });

  it('refuses a second agent on the same state dir with a clear error', () => {
    const held = StateDir.open(dir);
    expect(() => StateDir.open(dir)).toThrow(StateDirLockedError);
    expect(() => StateDir.open(dir)).toThrow(/in use by another agent \(pid \d+\)/);
    held.release();
    StateDir.open(dir).release();
  });

  it('refuses when a live process of another pid holds the lock', () => {
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    expect(() => StateDir.open(dir)).toThrow(new StateDirLockedError(dir, process.ppid).message);
  });

  it('takes over a stale lock left by a dead process', () => {
    writeFileSync(join(dir, 'lock'), '2147483646\n');
    const state = StateDir.open(dir);
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    state.release();
  });

  it('treats missing files as empty', () => {
    const state = StateDir.open(dir);
    expect(state.readDesired()).toBeUndefined();
    expect(state.readTasks()).toEqual({});
    expect(state.readAgentId()).toBeUndefined();
    state.release();
  });
});

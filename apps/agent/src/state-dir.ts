import type { DesiredState } from '@berth/contracts';
import type { TaskStatus } from '@berth/domain';
import type { ExitCodeCarrier } from '@berth/service';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What the agent remembers about one task across restarts. */
export interface TaskRecord {
  readonly containerId?: string;
  /** Port name → host port, so a restarted task keeps its ports. */
  readonly ports: Readonly<Record<string, number>>;
  readonly lastStatus?: TaskStatus;
}

export class StateDirLockedError extends Error implements ExitCodeCarrier {
  override readonly name = 'StateDirLockedError';
  readonly code = 'STATE_DIR_LOCKED';
  /** the agent's documented exit code for "another agent runs on this state dir" */
  readonly exitCode = 3;

  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(`state dir ${dir} is in use by another agent (pid ${holderPid}); give each agent its own --state-dir`);
  }
}

const FILES = { lock: 'lock', id: 'id', desired: 'desired-state.json', tasks: 'tasks.json' } as const;

/** Lock files held by this process, so a second agent in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * The agent's local state (Helios: `--state-dir`): its id, the last desired
 * state and per-task records, so that without NATS it keeps and restarts its
 * containers after a restart. Files are replaced atomically (temp + fsync +
 * rename). A pid lock keeps a second agent out; a lock left by a dead process
 * is taken over.
 */
export class StateDir {
  private released = false;

  private constructor(readonly dir: string) {}

  static open(dir: string): StateDir {
    const absolute = resolve(dir);
    mkdirSync(absolute, { recursive: true });
    acquireLock(absolute);
    return new StateDir(absolute);
  }

  readAgentId(): string | undefined {
    const id = this.readText(FILES.id)?.trim();
    return id === undefined || id === '' ? undefined : id;
  }

  writeAgentId(id: string): void {
    this.writeAtomic(FILES.id, `${id}\n`);
  }

  readDesired(): DesiredState | undefined {
    return this.readJson<DesiredState>(FILES.desired);
  }

  writeDesired(state: DesiredState): void {
    this.writeAtomic(FILES.desired, JSON.stringify(state));
  }

  readTasks(): Record<string, TaskRecord> {
    return this.readJson<Record<string, TaskRecord>>(FILES.tasks) ?? {};
  }

  writeTasks(tasks: Readonly<Record<string, TaskRecord>>): void {
    this.writeAtomic(FILES.tasks, JSON.stringify(tasks));
  }

  /** Removes the lock (only if it is still ours). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const lock = join(this.dir, FILES.lock);
    heldHere.delete(lock);
    if (readPid(lock) === process.pid) unlinkSync(lock);
  }

  private readText(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private readJson<T>(name: string): T | undefined {
    const text = this.readText(name);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      // A torn file cannot come from writeAtomic; treat anything unreadable as absent.
      return undefined;
    }
  }

  private writeAtomic(name: string, content: string): void {
    const target = join(this.dir, name);
    const temp = `${target}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  }
}

function acquireLock(dir: string): void {
  const lock = join(dir, FILES.lock);
  if (heldHere.has(lock)) throw new StateDirLockedError(dir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      heldHere.add(lock);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(lock);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) throw new StateDirLockedError(dir, holder);
      // Stale: left by a dead agent (or by this pid in an earlier life). Take it over.
      unlinkSync(lock);
    }
  }
  throw new Error(`cannot take the lock ${lock}: another agent is starting with the same state dir`);
}

function readPid(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

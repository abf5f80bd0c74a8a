import {
  type DesiredState,
  type ImageStatus,
  type PrepareImageMessage,
  type RegisterHostMessage,
  type TaskStatusReport,
  agentSubjects,
  okResponse,
} from '@berth/contracts';
import type { TaskStatus } from '@berth/domain';
import { findNatsServerBinary } from '@berth/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


/** A nats-server on a fixed port that the test can stop and start again (the agent reconnects to the same URL). */
export class RestartableNats {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-agent-nats-'));
  constructor(readonly port: number) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  start(): void {
    this.child = spawn(findNatsServerBinary(), ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'js')], { stdio: 'ignore' });
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The scheduler's side, played by the test: answers register and desired-request, collects status reports. */
export class FakeScheduler {
  readonly registrations: RegisterHostMessage[] = [];
  readonly reports: TaskStatusReport[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  desired: DesiredState;
  private readonly subjects;

  constructor(
    readonly nc: NatsConnection,
    readonly host: string,
  ) {
    this.desired = { host, revision: 0, tasks: [] };
    this.subjects = agentSubjects(host);
    nc.subscribe(this.subjects.register, {
      callback: (_err, msg) => {
        this.registrations.push(msg.json<RegisterHostMessage>());
        msg.respond(JSON.stringify(okResponse({ host, status: 'REGISTERED' })));
        this.notify();
      },
    });
    nc.subscribe(this.subjects.desiredRequest, {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(okResponse(this.desired)));
      },
    });
    nc.subscribe(this.subjects.status, {
      callback: (_err, msg) => {
        this.reports.push(msg.json<TaskStatusReport>());
        this.notify();
      },
    });
  }

  /** Publishes a desired state (anything: tests send malformed ones too); agents that are down fetch it on register. */
  publishDesired(state: DesiredState | Record<string, unknown>): void {
    this.desired = state as DesiredState;
    this.nc.publish(this.subjects.desired, JSON.stringify(state));
  }

  /** Asks the agent to pull an image ahead of a rollout, as a prestaging rollout does. */
  prepareImage(message: PrepareImageMessage): void {
    this.nc.publish(this.subjects.prepareImage, JSON.stringify(message));
  }

  /** Every image status reported so far, in order. */
  images(): ImageStatus[] {
    return this.reports.flatMap((r) => r.images ?? []);
  }

  /** Changes the desired state without publishing it, as if it changed while the agent was away. */
  setDesired(state: DesiredState): void {
    this.desired = state;
  }

  until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; last report: ${JSON.stringify(this.reports.at(-1))}`)), timeoutMs);
      this.waiters.push({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** The latest reported status of a job in any report since `since`. */
  reported(jobId: string, since = 0): TaskStatus | undefined {
    return this.reports
      .slice(since)
      .flatMap((r) => r.tasks)
      .filter((t) => t.jobId === jobId)
      .at(-1);
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.predicate());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';

/** What every change returns: at least the stream sequence of its events. */
export interface ChangeResult {
  readonly sequence: number;
  readonly [field: string]: unknown;
}

export interface JobOnHost {
  readonly job: string;
  readonly host: string;
  readonly token?: string;
}

function defined<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** Waits (bounded) until the gateway's read model reflects a sequence. */
export type AwaitSequence = (sequence: number) => Promise<void>;

/**
 * Writes go to the scheduler as commands over NATS (CQRS: the gateway never
 * appends). The actor is the gateway's configured one until API tokens name
 * the caller. Errors come back as BerthError with the scheduler's code.
 * A change is answered once this gateway's read model shows it, so a client
 * reading right after writing sees its own write (clients of other gateways
 * pass the returned sequence as `atLeastSequence`).
 */
export class CommandService {
  constructor(
    private readonly client: SchedulerClient,
    private readonly actor: string,
    private readonly awaitSequence: AwaitSequence = async () => undefined,
  ) {}

  createJob(job: Record<string, unknown>): Promise<ChangeResult> {
    return this.send(SchedulerCommand.CREATE_JOB, { job });
  }

  removeJob(job: string, token?: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.REMOVE_JOB, { job, token });
  }

  registerHost(host: string, agentId: string, labels?: Record<string, string>, info?: Record<string, unknown>): Promise<ChangeResult> {
    return this.send(SchedulerCommand.REGISTER_HOST, { host, agentId, labels, info });
  }

  deregisterHost(host: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.DEREGISTER_HOST, { host });
  }

  deploy(target: JobOnHost, goal?: 'START' | 'STOP'): Promise<ChangeResult> {
    return this.send(SchedulerCommand.DEPLOY, { ...target, goal });
  }

  undeploy(target: JobOnHost): Promise<ChangeResult> {
    return this.send(SchedulerCommand.UNDEPLOY, { ...target });
  }

  start(target: JobOnHost): Promise<ChangeResult> {
    return this.send(SchedulerCommand.START, { ...target });
  }

  stop(target: JobOnHost): Promise<ChangeResult> {
    return this.send(SchedulerCommand.STOP, { ...target });
  }

  private async send(command: SchedulerCommand, body: Record<string, unknown>): Promise<ChangeResult> {
    const result = await this.client.call<ChangeResult>(command, { actor: this.actor, ...defined(body) });
    await this.awaitSequence(result.sequence);
    return result;
  }
}

import { ErrorCode, SchedulerCommand, type ApiRole, type PipelineCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import { randomBytes } from 'node:crypto';
import { hashToken, type Principal } from '../auth/api-tokens';
import { gatewayError } from '../errors/error-mapping';

/** Entropy of a token created by an admin (256 bits). */
const API_TOKEN_BYTES = 32;

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

/** Operator commands on a rollout that take nothing but its id. */
export type RolloutCommand = 'promote' | 'pause' | 'resume' | 'retry';

const ROLLOUT_COMMANDS: Record<RolloutCommand, SchedulerCommand> = {
  promote: SchedulerCommand.PROMOTE_ROLLOUT,
  pause: SchedulerCommand.PAUSE_ROLLOUT,
  resume: SchedulerCommand.RESUME_ROLLOUT,
  retry: SchedulerCommand.RETRY_ROLLOUT,
};

/** Waits (bounded) until the gateway's read model reflects a sequence. */
export type AwaitSequence = (sequence: number) => Promise<void>;

/**
 * Where handlers get their commands: `as(caller)` gives the commands sent
 * with the caller's subject as actor (the gateway's configured actor when
 * there is no caller, `--auth none`). There is no other way to a command, so
 * a handler cannot forget whose it is.
 */
export class CommandService {
  constructor(
    private readonly client: SchedulerClient,
    private readonly defaultActor: string,
    private readonly awaitSequence: AwaitSequence = async () => undefined,
    /** subjects of the gateway's configured tokens: not given a second token by createApiToken */
    private readonly configuredTokenSubjects: ReadonlySet<string> = new Set(),
  ) {}

  as(caller: Principal | undefined): Commands {
    return new Commands(this.client, caller?.subject ?? this.defaultActor, this.awaitSequence, this.configuredTokenSubjects);
  }
}

/**
 * Writes go to the scheduler as commands over NATS (CQRS: the gateway never
 * appends), all with one actor (see CommandService.as). Errors come back as BerthError with the scheduler's code.
 * A change is answered once this gateway's read model shows it, so a client
 * reading right after writing sees its own write (clients of other gateways
 * pass the returned sequence as `atLeastSequence`).
 */
export class Commands {
  constructor(
    private readonly client: SchedulerClient,
    private readonly actor: string,
    private readonly awaitSequence: AwaitSequence,
    private readonly configuredTokenSubjects: ReadonlySet<string>,
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

  /** `deploymentGroupName`: the group the deployment belongs to, also a removed one. */
  undeploy(target: JobOnHost & { readonly deploymentGroupName?: string; readonly overrideGroup?: boolean }): Promise<ChangeResult> {
    return this.send(SchedulerCommand.UNDEPLOY, { ...target });
  }

  start(target: JobOnHost): Promise<ChangeResult> {
    return this.send(SchedulerCommand.START, { ...target });
  }

  stop(target: JobOnHost): Promise<ChangeResult> {
    return this.send(SchedulerCommand.STOP, { ...target });
  }

  createDeploymentGroup(name: string, selectors: readonly string[], defaults?: object): Promise<ChangeResult> {
    return this.send(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name, selectors, defaults: defaults && defined(defaults) });
  }

  updateDeploymentGroup(name: string, selectors: readonly string[]): Promise<ChangeResult> {
    return this.send(SchedulerCommand.UPDATE_DEPLOYMENT_GROUP, { name, selectors });
  }

  removeDeploymentGroup(name: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, { name });
  }

  stopDeploymentGroup(name: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.STOP_DEPLOYMENT_GROUP, { name });
  }

  /** Starts a rollout; the answer has `rolloutId` and the rollout as it starts. */
  rollingUpdate(group: string, job: string, options?: object, overrideFreeze?: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.ROLLING_UPDATE, { group, job, options: options && defined(options), overrideFreeze });
  }

  rolloutCommand(command: RolloutCommand, rollout: string): Promise<ChangeResult> {
    return this.send(ROLLOUT_COMMANDS[command], { rollout });
  }

  failRollout(rollout: string, error?: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.FAIL_ROLLOUT, { rollout, error });
  }

  setHostHealth(rollout: string, host: string, healthy: boolean, message?: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.SET_HOST_HEALTH, { rollout, host, healthy, message });
  }

  /**
   * Makes up a random token (32 bytes, base64url), has the scheduler record
   * only its SHA-256, and returns the token: the only time anyone sees it.
   */
  async createApiToken(subject: string, role: ApiRole): Promise<ChangeResult & { token: string; subject: string; role: ApiRole }> {
    if (this.configuredTokenSubjects.has(subject)) {
      throw gatewayError(ErrorCode.API_TOKEN_ALREADY_EXISTS, `${subject} has a token in the gateway's tokens file`, { subject });
    }
    const token = randomBytes(API_TOKEN_BYTES).toString('base64url');
    const result = await this.send(SchedulerCommand.CREATE_API_TOKEN, { subject, role, tokenSha256: hashToken(token) });
    return { ...result, token, subject, role };
  }

  revokeApiToken(subject: string): Promise<ChangeResult> {
    return this.send(SchedulerCommand.REVOKE_API_TOKEN, { subject });
  }

  /** Pipeline and release commands (docs/nats-api.md "Pipelines and releases"), with the body as the scheduler takes it. */
  pipelineCommand(command: PipelineCommand, body: Record<string, unknown>): Promise<ChangeResult> {
    return this.send(command, body);
  }

  private async send(command: SchedulerCommand | PipelineCommand, body: Record<string, unknown>): Promise<ChangeResult> {
    const result = await this.client.call<ChangeResult>(command, { actor: this.actor, ...defined(body) });
    await this.awaitSequence(result.sequence);
    return result;
  }
}

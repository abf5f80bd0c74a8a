import {
  ErrorCode,
  SCHEDULER_PRESENCE_SUBJECT,
  SchedulerCommand,
  commandSubject,
  identifiedCommandSubject,
  sortPresences,
  type ApiRole,
  type SchedulerPresence,
  errorResponse,
  isErrorCode,
  type CommandResponse,
  type ErrorBody,
} from '@berth/contracts';
import type { RolloutDetail, RolloutHostRow, RolloutPage } from '@berth/read-model';
import { NoRespondersError, PermissionViolationError, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';

/** An error answer from the scheduler, or its absence, as a throwable with the Berth code. */
export class BerthError extends Error {
  override readonly name = 'BerthError';

  constructor(
    readonly code: ErrorBody['code'],
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

/**
 * Sends commands to the scheduler over NATS request/reply
 * (`berth.cmd.<command>`). Used by the gateway, the CLI, tests and other
 * systems' tooling; docs/nats-api.md describes the wire format.
 */
export class SchedulerClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly defaults: {
      readonly actor?: string;
      readonly timeoutMs?: number;
      /**
       * An integration's NATS identity and role (its credentials' name and role): commands go
       * to `berth.as.<role>.<name>.<command>` and the scheduler records the identity as actor.
       */
      readonly identity?: { readonly name: string; readonly role: ApiRole };
    } = {},
  ) {}

  /** The raw response: `{ok: true, result}` or `{ok: false, error}`; never throws for an answer. */
  async request<T = unknown>(command: string, body: object, options: RequestOptions = {}): Promise<CommandResponse<T>> {
    const payload = this.defaults.actor !== undefined && !('actor' in body) ? { actor: this.defaults.actor, ...body } : body;
    try {
      const identity = this.defaults.identity;
      const subject = identity ? identifiedCommandSubject(identity.role, identity.name, command) : commandSubject(command);
      const msg = await this.nc.request(subject, JSON.stringify(payload), {
        timeout: options.timeoutMs ?? this.defaults.timeoutMs ?? 10_000,
      });
      return parseResponse<T>(msg.string());
    } catch (err) {
      if (isNoResponders(err)) return errorResponse(ErrorCode.UNAVAILABLE, 'no scheduler is serving commands (is it running and connected to NATS?)');
      if (err instanceof PermissionViolationError || (err instanceof RequestError && err.cause instanceof PermissionViolationError)) {
        return errorResponse(ErrorCode.FORBIDDEN, `NATS refused "${command}": these credentials may not send it (${(err as Error).message})`);
      }
      if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
        return errorResponse(ErrorCode.UNAVAILABLE, `the scheduler did not answer "${command}" in time; it may or may not have been applied`);
      }
      throw err;
    }
  }

  /**
   * Every scheduler process that answers within `waitMs` (leader first):
   * all of them answer a presence request, standbys included.
   */
  async schedulers(waitMs = 500): Promise<SchedulerPresence[]> {
    const found: SchedulerPresence[] = [];
    try {
      for await (const msg of await this.nc.requestMany(SCHEDULER_PRESENCE_SUBJECT, '', { strategy: 'timer', maxWait: waitMs })) {
        const presence = parsePresence(msg.string());
        if (presence) found.push(presence);
      }
    } catch (err) {
      // nobody there is an answer: no schedulers
      if (!isNoResponders(err)) throw err;
    }
    return sortPresences(found);
  }

  /** The leader's presence as soon as it answers, or undefined when none does within `waitMs`. */
  async leader(waitMs = 500): Promise<SchedulerPresence | undefined> {
    try {
      for await (const msg of await this.nc.requestMany(SCHEDULER_PRESENCE_SUBJECT, '', { strategy: 'timer', maxWait: waitMs })) {
        const presence = parsePresence(msg.string());
        if (presence?.role === 'leader') return presence;
      }
    } catch (err) {
      if (!isNoResponders(err)) throw err;
    }
    return undefined;
  }

  /** The result, or a BerthError carrying the scheduler's code. */
  async call<T = unknown>(command: string, body: object, options: RequestOptions = {}): Promise<T> {
    const response = await this.request<T>(command, body, options);
    if (response.ok) return response.result;
    throw new BerthError(response.error.code, response.error.message, response.error.details);
  }

  /**
   * `berth.cmd.rollout` page after page (`hostsLimit` rows each): the
   * rollout with every host's row, its summary from the last page. Pages
   * of a rollout in progress are read at different moments.
   */
  async rolloutWithAllHosts(id: string, options: RequestOptions & { readonly hostsLimit?: number } = {}): Promise<RolloutDetail> {
    const { hostsLimit, ...request } = options;
    const hosts: RolloutHostRow[] = [];
    let hostsAfter: string | undefined;
    for (;;) {
      const body = { id, ...(hostsAfter === undefined ? {} : { hostsAfter }), ...(hostsLimit === undefined ? {} : { hostsLimit }) };
      const page = await this.call<RolloutPage>(SchedulerCommand.INSPECT_ROLLOUT, body, request);
      hosts.push(...page.rollout.hosts);
      if (page.nextHostsAfter === undefined) return { ...page.rollout, hosts };
      hostsAfter = page.nextHostsAfter;
    }
  }
}

function isNoResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
}

function parseResponse<T>(text: string): CommandResponse<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return errorResponse(ErrorCode.INTERNAL, 'the scheduler sent a response that is not JSON');
  }
  const r = parsed as { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
  if (r.ok === true) return { ok: true, result: r.result as T };
  if (r.ok === false && r.error && isErrorCode(r.error.code) && typeof r.error.message === 'string') {
    return { ok: false, error: { code: r.error.code, message: r.error.message, details: (r.error.details ?? {}) as Record<string, unknown> } };
  }
  return errorResponse(ErrorCode.INTERNAL, 'the scheduler sent a malformed response');
}

function parsePresence(text: string): SchedulerPresence | undefined {
  try {
    const p = JSON.parse(text) as Partial<SchedulerPresence>;
    return typeof p.id === 'string' && (p.role === 'leader' || p.role === 'standby') ? (p as SchedulerPresence) : undefined;
  } catch {
    return undefined;
  }
}

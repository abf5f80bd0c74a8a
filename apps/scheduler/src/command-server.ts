import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  ApiRole,
  COMMAND_ROLES,
  COMMAND_SUBJECT_PREFIX,
  IDENTIFIED_COMMAND_WILDCARD,
  SchedulerCommand,
  decodeRequestBody,
  integrationActor,
  parseIdentifiedCommandSubject,
  roleAllows,
  type IdentifiedCommand,
  ErrorCode,
  errorResponse,
  okResponse,
  parseRequest,
  toErrorResponse,
  type CommandResponse,
} from '@berth/contracts';
import { DomainError } from '@berth/domain';
import type { Logger } from '@berth/service';

/** One command the scheduler serves on `berth.cmd.<name>`. */
export interface CommandRoute {
  readonly name: string;
  /** the request class: validated with class-validator before `handle` runs */
  readonly request: new () => object;
  readonly handle: (request: object) => Promise<unknown>;
}

/** Pairs a request class with a handler typed for it. */
export function route<R extends object>(name: string, request: new () => R, handle: (request: R) => Promise<unknown>): CommandRoute {
  return { name, request, handle: handle as (request: object) => Promise<unknown> };
}

export interface CommandServerStats {
  onCommand(name: string, outcome: 'ok' | 'error', seconds: number): void;
}

/**
 * Serves JSON request/reply on `berth.cmd.>` (the gateway, which states the
 * actor) and `berth.as.<role>.<identity>.>` (integrations: NATS permissions
 * pin role and identity, and the actor recorded is that identity whatever the
 * payload says) in a queue group, so that several schedulers can share the
 * load. Every request is validated before its handler runs; a malformed one
 * gets INVALID_REQUEST (one over MAX_REQUEST_BYTES PAYLOAD_TOO_LARGE) and
 * writes nothing.
 */
export class CommandServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly routes = new Map<string, CommandRoute>();
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly stats?: CommandServerStats,
  ) {}

  register(...routes: CommandRoute[]): this {
    for (const r of routes) this.routes.set(r.name, r);
    return this;
  }

  start(): void {
    for (const subject of [`${COMMAND_SUBJECT_PREFIX}.>`, IDENTIFIED_COMMAND_WILDCARD]) {
      this.subscriptions.push(
        this.nc.subscribe(subject, {
          queue: 'berth-scheduler',
          callback: (err, msg) => {
            if (err) {
              this.logger.error({ err, subject }, 'command subscription failed');
              return;
            }
            const work = this.serve(msg).finally(() => this.inFlight.delete(work));
            this.inFlight.add(work);
          },
        }),
      );
    }
  }

  /** Stops taking commands and waits for those in flight to finish. */
  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }

  private async serve(msg: Msg): Promise<void> {
    const identified = parseIdentifiedCommandSubject(msg.subject);
    const name = identified?.command ?? msg.subject.slice(COMMAND_SUBJECT_PREFIX.length + 1);
    const started = performance.now();
    const response = await this.dispatch(name, msg, identified);
    const seconds = (performance.now() - started) / 1000;
    this.stats?.onCommand(name, response.ok ? 'ok' : 'error', seconds);
    if (!response.ok) this.logger.info({ command: name, code: response.error.code }, response.error.message);
    if (msg.reply) this.respond(name, msg, response);
  }

  /**
   * An answer larger than the connection's max_payload cannot be sent (and
   * respond would throw out of the subscription, killing the process): the
   * caller gets INTERNAL with the sizes instead. The command's effect, if
   * any, stands.
   */
  private respond(name: string, msg: Msg, response: CommandResponse<unknown>): void {
    const body = JSON.stringify(response);
    const limit = this.nc.info?.max_payload ?? Infinity;
    const bytes = Buffer.byteLength(body);
    if (bytes <= limit) {
      msg.respond(body);
      return;
    }
    const message = `the answer to "${name}" (${bytes} bytes) exceeds the NATS max_payload (${limit} bytes); the command itself ${response.ok ? 'succeeded' : 'failed'}`;
    this.logger.warn({ command: name, bytes, limit }, message);
    msg.respond(JSON.stringify(errorResponse(ErrorCode.INTERNAL, message, { bytes, limit, succeeded: response.ok })));
  }

  private async dispatch(name: string, msg: Msg, identified: IdentifiedCommand | undefined): Promise<CommandResponse<unknown>> {
    const route = this.routes.get(name);
    if (!route) return errorResponse(ErrorCode.UNKNOWN_COMMAND, `unknown command "${name}"`, { known: [...this.routes.keys()].sort() });
    try {
      // size, UTF-8 and depth are checked on the bytes, before JSON.parse and the request class see them
      const body = decodeRequestBody(msg.data);
      const request = identified === undefined ? body : this.asIdentified(name, identified, body);
      return okResponse(await route.handle(parseRequest(route.request, request)));
    } catch (err) {
      const response = toErrorResponse(err);
      if (response.error.code === ErrorCode.INTERNAL) this.logger.error({ err, command: name }, 'command failed');
      return response;
    }
  }

  /**
   * An integration's command: its role must allow it (NATS permissions already
   * refuse the others; this is the second lock), and the actor is its identity.
   * A different claimed actor is overridden, not refused: the identity is what
   * gets recorded either way, and a client written for `berth.cmd` keeps working.
   */
  private asIdentified(name: string, identified: IdentifiedCommand, body: unknown): unknown {
    const needed = (COMMAND_ROLES as Readonly<Record<string, ApiRole>>)[name] ?? ApiRole.ADMIN;
    if (!roleAllows(identified.role, needed)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `"${name}" needs the ${needed} role; ${identified.identity} sent it as ${identified.role}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
    const fields = body as Record<string, unknown>;
    if (name === SchedulerCommand.UNDEPLOY && fields['overrideGroup'] === true && !roleAllows(identified.role, ApiRole.ADMIN)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `overrideGroup needs the admin role; ${identified.identity} sent it as ${identified.role}`);
    }
    const actor = integrationActor(identified.identity);
    if (fields['actor'] !== undefined && fields['actor'] !== actor) {
      this.logger.info({ command: name, identity: identified.identity, claimed: String(fields['actor']).slice(0, 256) }, 'claimed actor overridden by the NATS identity');
    }
    return { ...fields, actor };
  }
}

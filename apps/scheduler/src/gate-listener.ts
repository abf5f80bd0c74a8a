import { ErrorCode, GATE_SUBJECT_PREFIX, GATE_SUBJECT_WILDCARD, decodeSubjectToken, errorResponse, okResponse, toErrorResponse } from '@berth/contracts';
import type { Logger } from '@berth/service';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { BerthView } from '@berth/read-model';
import type { CommandExecutor } from './command-executor';
import { reportGate } from './release-handlers';

const GATE_ACTOR = 'gate';

/**
 * Gate verdicts published on `berth.gate.<service>.<gate>` as
 * `{"passed": bool, "message"?: string, "actor"?: string}` by outside
 * systems (CI, security scanners) that may be confined to that subject. A
 * request gets the CommandResponse as its reply; a plain publish is logged.
 * Leader only, like berth.cmd.>.
 */
export class GateListener {
  private subscription: Subscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(GATE_SUBJECT_WILDCARD, {
      queue: 'berth-scheduler',
      callback: (err, msg) => {
        if (err) return this.logger.error({ err }, 'gate subscription failed');
        const work = this.handle(msg).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
  }

  private async handle(msg: Msg): Promise<void> {
    const [service = '', gate = ''] = msg.subject.slice(GATE_SUBJECT_PREFIX.length + 1).split('.').map(decodeSubjectToken);
    let response;
    try {
      const body: unknown = JSON.parse(msg.string());
      const { passed, message, actor } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      if (typeof passed !== 'boolean' || (message !== undefined && typeof message !== 'string') || (actor !== undefined && typeof actor !== 'string')) {
        response = errorResponse(ErrorCode.INVALID_REQUEST, 'a gate verdict is {"passed": boolean, "message"?: string, "actor"?: string}');
      } else {
        const verdict = { service, gate, passed, ...(message === undefined ? {} : { message }) };
        response = okResponse(await reportGate(this.executor, this.view, verdict, { actor: actor ?? GATE_ACTOR }));
      }
    } catch (err) {
      response = err instanceof SyntaxError ? errorResponse(ErrorCode.INVALID_REQUEST, 'a gate verdict must be JSON') : toErrorResponse(err);
    }
    if (!response.ok) this.logger.info({ service, gate, code: response.error.code }, response.error.message);
    if (msg.reply) msg.respond(JSON.stringify(response));
  }
}

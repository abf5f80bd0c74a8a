import { ImageState, agentSubjects, type ImageStatus, type PrepareImageMessage } from '@berth/contracts';
import { rolloutDecider, rolloutHost, type HostObservation, type Rollout, type RolloutAction } from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { Logger } from '@berth/service';
import type { NatsConnection } from '@nats-io/transport-node';
import { SCHEDULER_ACTOR, type CommandExecutor } from './command-executor';

type PrepareImage = Extract<RolloutAction, { readonly type: 'PrepareImage' }>;

export interface ImageStagingOptions {
  /** A host that has not answered is asked again after this long (a lost message or answer only delays). */
  readonly resendMs?: number;
  readonly now?: () => number;
}

const RESEND_MS = 5_000;

/**
 * Prestaging (issue #6, `004_*.txt`): asks agents to pull a rollout's image
 * ahead of the switch (PrepareImage on `berth.host.<h>.prepare-image`) and
 * records their PULLED answers as the rollout's observation `imagePulled`,
 * an event (HostsObserved): a new leader knows who has the image from the
 * stream, and re-asks only hosts that have not answered. The status
 * consumer acknowledges an answer once it is recorded, so a leader killed
 * in between leaves it to the next. What is asked when stays in memory: a
 * new leader simply asks again, and the agent answers at once for an image
 * it already has.
 */
export class ImageStaging {
  private readonly askedAt = new Map<string, number>();
  private readonly resendMs: number;
  private readonly now: () => number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
    options: ImageStagingOptions = {},
  ) {
    this.resendMs = options.resendMs ?? RESEND_MS;
    this.now = options.now ?? Date.now;
  }

  /** Sends the PrepareImage unless this host was asked for this rollout within the resend interval. */
  request(action: PrepareImage): void {
    const key = `${action.rolloutId}\n${action.host}`;
    const now = this.now();
    if (now - (this.askedAt.get(key) ?? -Infinity) < this.resendMs) return;
    const image = this.view.job(action.jobId)?.image;
    if (image === undefined) return;
    this.askedAt.set(key, now);
    const message: PrepareImageMessage = { host: action.host, rolloutId: action.rolloutId, jobId: action.jobId, image };
    this.nc.publish(agentSubjects(action.host).prepareImage, JSON.stringify(message));
  }

  /** Forgets what it asked for rollouts that no longer prestage. */
  prune(): void {
    for (const key of this.askedAt.keys()) {
      const rollout = this.view.rollout(key.slice(0, key.indexOf('\n')));
      if (rollout === undefined || rollout.status !== 'PRESTAGING') this.askedAt.delete(key);
    }
  }

  /**
   * An agent's answers, for every prestaging rollout of an image by that
   * name that still waits for the host: PULLED becomes `imagePulled`; a
   * failure becomes the host's `imageError` (it stays short of the quorum,
   * and a prestage that times out names it).
   */
  async record(host: string, statuses: readonly ImageStatus[]): Promise<void> {
    for (const status of statuses) {
      const pulled = status.state === ImageState.PULLED;
      if (!pulled) this.logger.warn({ host, image: status.image, state: status.state, error: status.error, rolloutId: status.rolloutId }, 'host could not prepare the image');
      const image = pulled ? { imagePulled: true } : { imagePulled: false, imageError: `${status.state}: ${status.error ?? 'no reason given'}` };
      for (const rollout of this.waitingFor(host, status.image)) await this.observe(rollout, host, image);
    }
  }

  private waitingFor(host: string, image: string): Rollout[] {
    return this.view.rollouts().filter((rollout) => {
      const row = rolloutHost(rollout, host);
      return rollout.status === 'PRESTAGING' && row !== undefined && !row.imagePulled && this.view.job(rollout.targetJobId)?.image === image;
    });
  }

  private async observe(rollout: Rollout, host: string, image: Pick<HostObservation, 'imagePulled' | 'imageError'>): Promise<void> {
    const { rolloutId } = rollout;
    await this.executor.execute(
      Aggregate.ROLLOUT,
      rolloutId,
      rolloutDecider,
      (_, time) => ({ type: 'ObserveHosts' as const, rolloutId, observations: [{ ...this.view.hostObservation(host), ...image }], time }),
      { actor: SCHEDULER_ACTOR, correlationId: `rollout:${rolloutId}` },
    );
    // a host that answered is asked again only after the resend interval (a failed pull may succeed later)
    if (image.imagePulled === true) this.askedAt.delete(`${rolloutId}\n${host}`);
  }
}

import { Access } from '../auth/access.decorator';
import { ErrorCode, ApiRole } from '@berth/contracts';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { liveFeed } from '../live/live-feed';
import { PerPositionCache } from '../live/per-position-cache';
import { Aggregate, type LoggedEvent } from '../read-model/gateway-read-model';
import { ReadService } from '../read-model/read.service';
import { GroupStatusArgs, RolloutProgressArgs } from './dto/group.args';
import { currentRollout, toGroupStatusModel } from './group-mappers';
import { GroupStatusUpdate } from './models/deployment-group.model';
import { RolloutProgressUpdate } from './models/rollout.model';

const identity = <T>(payload: T): T => payload;

/** Aggregates whose events can change a group's status table: the group, host labels and UP/DOWN, deployments and task states. */
const GROUP_STATUS_INPUTS: ReadonlySet<string> = new Set([Aggregate.HOST, Aggregate.DEPLOYMENT]);

/** Live rollouts and groups: each sends the current state first, then every change, with no gap. */
@Access(ApiRole.READ)
@Resolver()
export class RolloutLiveResolver {
  /** the update of each followed rollout, and the status table of each followed group, at the current position */
  private readonly rolloutUpdates = new PerPositionCache<RolloutProgressUpdate>();
  private readonly groupTables = new PerPositionCache<{ readonly update: GroupStatusUpdate; readonly key: string }>();

  constructor(private readonly reads: ReadService) {}

  @Subscription(() => RolloutProgressUpdate, {
    resolve: identity,
    description: 'A rollout with per-host progress now, then after each of its events (ROLLOUT_NOT_FOUND if it does not exist); never completes: stop when `rollout.finished`',
  })
  rolloutProgress(@Args() args: RolloutProgressArgs): AsyncIterableIterator<RolloutProgressUpdate> {
    const { model } = this.reads;
    // the position tells the current state (no event yet: position of the subscription's start) from each event's
    const update = (event?: LoggedEvent): RolloutProgressUpdate =>
      this.rolloutUpdates.get(`${args.rolloutId}\u0000${event?.type ?? ''}`, model.position, () => ({
        rollout: currentRollout(this.reads, args.rolloutId),
        ...(event === undefined ? {} : { event: event.type }),
        sequence: model.sequence,
      }));
    const concerns = (e: LoggedEvent) => e.aggregate === Aggregate.ROLLOUT && e.aggregateId === args.rolloutId;
    return liveFeed(model, () => [update()], (e) => (concerns(e) ? [update(e)] : []));
  }

  @Subscription(() => GroupStatusUpdate, {
    resolve: identity,
    description: "A deployment group's status table now, then whenever it changes (exists: false while there is no such group)",
  })
  groupStatus(@Args() args: GroupStatusArgs): AsyncIterableIterator<GroupStatusUpdate> {
    const { model, groups } = this.reads;
    let last: string | undefined;
    const snapshot = (): GroupStatusUpdate => {
      try {
        return { name: args.name, exists: true, status: toGroupStatusModel(groups.status(args.name), model.sequence), sequence: model.sequence };
      } catch (err) {
        if ((err as { code?: unknown }).code !== ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND) throw err;
        return { name: args.name, exists: false, sequence: model.sequence };
      }
    };
    // built once per event for every subscriber of the group, with what tells a real change (all but the sequence)
    const table = () =>
      this.groupTables.get(args.name, model.position, () => {
        const update = snapshot();
        return { update, key: JSON.stringify({ exists: update.exists, status: update.status && { ...update.status, sequence: 0 } }) };
      });
    // host and deployment events mostly concern other groups: send only real changes
    const ifChanged = (): GroupStatusUpdate[] => {
      const { update, key } = table();
      if (key === last) return [];
      last = key;
      return [update];
    };
    const concerns = (e: LoggedEvent) => (e.aggregate === Aggregate.DEPLOYMENT_GROUP && e.aggregateId === args.name) || GROUP_STATUS_INPUTS.has(e.aggregate);
    return liveFeed(model, ifChanged, (e) => (concerns(e) ? ifChanged() : []));
  }
}

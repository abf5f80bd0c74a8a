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

/** A rollout's update for one event: whole, and with only the changed host rows (`changedHostsOnly`, made on first ask). */
interface RolloutUpdates {
  readonly full: RolloutProgressUpdate;
  changed(): RolloutProgressUpdate;
}

/** Each host's row as JSON: what tells a changed row. */
const rowsOf = (rollout: RolloutProgressUpdate['rollout']): ReadonlyMap<string, string> => new Map((rollout.hosts ?? []).map((h) => [h.host, JSON.stringify(h)]));

/** Aggregates whose events can change a group's status table: the group, host labels and UP/DOWN, deployments and task states. */
const GROUP_STATUS_INPUTS: ReadonlySet<string> = new Set([Aggregate.HOST, Aggregate.DEPLOYMENT]);

/** Live rollouts and groups: each sends the current state first, then every change, with no gap. */
@Access(ApiRole.READ)
@Resolver()
export class RolloutLiveResolver {
  /** the updates of each followed rollout, and the status table of each followed group, at the current position */
  private readonly rolloutUpdates = new PerPositionCache<RolloutUpdates>();
  private readonly groupTables = new PerPositionCache<{ readonly update: GroupStatusUpdate; readonly key: string }>();
  /**
   * Per rollout followed with `changedHostsOnly`, the baseline its updates
   * are relative to (host rows as JSON), and the hosts to send again because
   * a first message since showed them otherwise.
   */
  private readonly baselines = new Map<string, { readonly rows: ReadonlyMap<string, string>; readonly resend: Set<string> }>();

  constructor(private readonly reads: ReadService) {}

  @Subscription(() => RolloutProgressUpdate, {
    resolve: identity,
    description: 'A rollout with per-host progress now, then after each of its events (ROLLOUT_NOT_FOUND if it does not exist); never completes: stop when `rollout.finished`',
  })
  rolloutProgress(@Args() args: RolloutProgressArgs): AsyncIterableIterator<RolloutProgressUpdate> {
    const { model } = this.reads;
    // the position tells the current state (no event yet: position of the subscription's start) from each event's
    const updates = (event?: LoggedEvent): RolloutUpdates =>
      this.rolloutUpdates.get(`${args.rolloutId}\u0000${event?.type ?? ''}`, model.position, () => this.buildUpdates(args.rolloutId, event));
    const pick = (u: RolloutUpdates, first: boolean) => (args.changedHostsOnly && !first ? u.changed() : u.full);
    const concerns = (e: LoggedEvent) => e.aggregate === Aggregate.ROLLOUT && e.aggregateId === args.rolloutId;
    return liveFeed(model, () => [pick(updates(), true)], (e) => (concerns(e) ? [pick(updates(e), false)] : []));
  }

  /**
   * A rollout's update for an event (or its current state), whole and with
   * only the hosts whose row changed since the baseline: the rows of the last
   * event update made with only the changed hosts. A subscriber asking for
   * those has the baseline, or, if it subscribed since, a whole first
   * message: so the hosts whose row differed from the baseline in any first
   * message sent since are sent again too. The changed-hosts update is made
   * only when a subscriber asks for it (comparing every row costs O(hosts));
   * while none does, the baseline stays where it was, which only makes the
   * next one larger.
   */
  private buildUpdates(rolloutId: string, event: LoggedEvent | undefined): RolloutUpdates {
    const rollout = currentRollout(this.reads, rolloutId);
    const full: RolloutProgressUpdate = { rollout, ...(event === undefined ? {} : { event: event.type }), sequence: this.reads.model.sequence };
    const baseline = this.baselines.get(rolloutId);
    if (event === undefined) {
      if (baseline) for (const [host, row] of rowsOf(rollout)) if (baseline.rows.get(host) !== row) baseline.resend.add(host);
      return { full, changed: () => full };
    }
    if (rollout.finished) this.baselines.delete(rolloutId);
    let changed: RolloutProgressUpdate | undefined;
    return {
      full,
      changed: () => {
        if (changed) return changed;
        const rows = rowsOf(rollout);
        const hosts = baseline === undefined ? rollout.hosts : rollout.hosts?.filter((h) => baseline.rows.get(h.host) !== rows.get(h.host) || baseline.resend.has(h.host));
        if (!rollout.finished) this.baselines.set(rolloutId, { rows, resend: new Set() });
        changed = { ...full, rollout: { ...rollout, hosts } };
        return changed;
      },
    };
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

import {
  FailRolloutRequest,
  ListRolloutsRequest,
  RollingUpdateRequest,
  RolloutCommandRequest,
  ROLLOUT_HOSTS_DEFAULT_LIMIT,
  ROLLOUT_HOSTS_PAGE_MAX_CHARS,
  RolloutQueryRequest,
  SchedulerCommand,
  SetHostHealthRequest,
} from '@berth/contracts';
import { resolveJob, rolloutDecider, type RolloutCommand } from '@berth/domain';
import { Aggregate, DeploymentGroupQueries, type BerthView } from '@berth/read-model';
import type { CommandExecutor } from './command-executor';
import { route, type CommandRoute } from './command-server';
import { strategyOf } from './deployment-group-handlers';
import { guardFreeze } from './freeze-guard';
import { startGroupRollout } from './rollout-starter';

/**
 * rolling-update, the rollout queries, and the operator commands (promote,
 * pause, resume, fail, retry, set-host-health), each decided by the rollout
 * aggregate. Answers carry the rollout as it stands after the command.
 */
export function rolloutRoutes(executor: CommandExecutor, view: BerthView): CommandRoute[] {
  const queries = new DeploymentGroupQueries(view.projection);
  const sequence = () => view.projection.sequence;
  const operate = (command: (time: string) => RolloutCommand, rolloutId: string, req: RolloutCommandRequest) =>
    executor
      .execute(Aggregate.ROLLOUT, rolloutId, rolloutDecider, (_, time) => command(time), req)
      .then(({ events }) => ({ rollout: queries.rolloutSummary(rolloutId), changed: events.length > 0, sequence: sequence() }));
  const simple = (name: string, type: 'PromoteRollout' | 'PauseRollout' | 'ResumeRollout' | 'RetryRollout') =>
    route(name, RolloutCommandRequest, (req) => operate((time) => ({ type, rolloutId: req.rollout, time }), req.rollout, req));
  return [
    route(SchedulerCommand.ROLLING_UPDATE, RollingUpdateRequest, async (req) => {
      const jobId = resolveJob(req.job, view.jobs().keys());
      const options = strategyOf(req.options);
      const freeze = guardFreeze(executor, view, { groups: [req.group] }, `Rolling update of ${req.group}`, req.overrideFreeze);
      const started = await startGroupRollout(executor, view, { group: req.group, jobId, ...(options === undefined ? {} : { options }) }, req);
      await freeze.record(`rollout ${started.rolloutId} of ${req.group}`, req);
      return { ...started, rollout: queries.rolloutSummary(started.rolloutId) };
    }),
    route(SchedulerCommand.LIST_ROLLOUTS, ListRolloutsRequest, async (req) => ({ rollouts: queries.rollouts(req.group), sequence: sequence() })),
    route(SchedulerCommand.INSPECT_ROLLOUT, RolloutQueryRequest, async (req) => {
      const page = { ...(req.hostsAfter === undefined ? {} : { after: req.hostsAfter }), limit: req.hostsLimit ?? ROLLOUT_HOSTS_DEFAULT_LIMIT, maxChars: ROLLOUT_HOSTS_PAGE_MAX_CHARS };
      return { ...queries.rolloutPage(req.id, page), sequence: sequence() };
    }),
    simple(SchedulerCommand.PROMOTE_ROLLOUT, 'PromoteRollout'),
    simple(SchedulerCommand.PAUSE_ROLLOUT, 'PauseRollout'),
    simple(SchedulerCommand.RESUME_ROLLOUT, 'ResumeRollout'),
    simple(SchedulerCommand.RETRY_ROLLOUT, 'RetryRollout'),
    route(SchedulerCommand.FAIL_ROLLOUT, FailRolloutRequest, (req) =>
      operate((time) => ({ type: 'FailRollout', rolloutId: req.rollout, ...(req.error === undefined ? {} : { error: req.error }), time }), req.rollout, req),
    ),
    route(SchedulerCommand.SET_HOST_HEALTH, SetHostHealthRequest, (req) =>
      operate(
        (time) => ({
          type: 'SetHostHealth',
          rolloutId: req.rollout,
          host: req.host,
          healthy: req.healthy,
          ...(req.message === undefined ? {} : { message: req.message }),
          time,
        }),
        req.rollout,
        req,
      ),
    ),
  ];
}

import {
  CreateDeploymentGroupRequest,
  DeploymentGroupQueryRequest,
  ListDeploymentGroupsRequest,
  RemoveDeploymentGroupRequest,
  SchedulerCommand,
  StopDeploymentGroupRequest,
  UpdateDeploymentGroupRequest,
  type UpdateStrategyDto,
} from '@berth/contracts';
import { deploymentGroupDecider, naturalSort, rolloutDecider, type DeploymentGroupCommand, type DeploymentGroupEvent, type UpdateStrategy } from '@berth/domain';
import { Aggregate, DeploymentGroupQueries, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Decision, Origin } from './command-executor';
import { route, type CommandRoute } from './command-server';
import { stopEvents } from './rollout-starter';

/** The request's options as a domain UpdateStrategy: only the fields that were sent. */
export function strategyOf(dto: UpdateStrategyDto | undefined): UpdateStrategy | undefined {
  if (dto === undefined) return undefined;
  return Object.fromEntries(Object.entries(dto).filter(([, value]) => value !== undefined)) as UpdateStrategy;
}

function statusOf(events: readonly DeploymentGroupEvent[], changed: string): string {
  return events.length === 0 ? 'NOT_MODIFIED' : changed;
}

/**
 * create / remove / update (selectors) / stop a deployment group, and the
 * list, inspect and status queries. Remove and stop also stop the rollout in
 * flight, in the same atomic append as the group's change.
 */
/** Every deployment owned by the group, by host in natural order. */
function deploymentsOfGroup(view: BerthView, group: string): { host: string; jobId: string }[] {
  const rows = view.allDeployments().flatMap(([host, state]) =>
    Object.values(state.deployments)
      .filter((deployment) => deployment.deploymentGroupName === group)
      .map((deployment) => ({ host, jobId: deployment.jobId })),
  );
  const order = naturalSort(new Set(rows.map((row) => row.host)));
  return order.flatMap((host) => rows.filter((row) => row.host === host));
}

export function deploymentGroupRoutes(executor: CommandExecutor, view: BerthView): CommandRoute[] {
  const queries = new DeploymentGroupQueries(view.projection);
  const sequence = () => view.projection.sequence;
  const run = (name: string, command: (time: string) => DeploymentGroupCommand, origin: Origin) =>
    executor.execute(Aggregate.DEPLOYMENT_GROUP, name, deploymentGroupDecider, (_, time) => command(time), origin);
  /** The group's change and the stop of the rollout it ends, all or nothing. */
  const runStoppingRollout = async (name: string, command: (time: string) => DeploymentGroupCommand, origin: Origin, error: string) => {
    const { decisions } = await executor.executeAtomic(async ({ time, load }) => {
      const group = await load(Aggregate.DEPLOYMENT_GROUP, name, deploymentGroupDecider);
      const events = deploymentGroupDecider.decide(command(time), group.state);
      const decisions: Decision[] = [{ aggregate: Aggregate.DEPLOYMENT_GROUP, aggregateId: name, expectedVersion: group.version, events }];
      for (const event of events) {
        if ((event.type === 'DeploymentGroupStopped' || event.type === 'DeploymentGroupRemoved') && event.rolloutId !== undefined) {
          const rollout = await load(Aggregate.ROLLOUT, event.rolloutId, rolloutDecider);
          decisions.push({ aggregate: Aggregate.ROLLOUT, aggregateId: event.rolloutId, expectedVersion: rollout.version, events: stopEvents(rollout.state, event.rolloutId, error, time) });
        }
      }
      return decisions;
    }, origin);
    return (decisions[0]?.events ?? []) as readonly DeploymentGroupEvent[];
  };
  return [
    route(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, CreateDeploymentGroupRequest, async (req) => {
      const defaults = strategyOf(req.defaults);
      const { events, sequence: seq } = await run(
        req.name,
        (time) => ({ type: 'CreateDeploymentGroup', name: req.name, selectors: req.selectors, ...(defaults === undefined ? {} : { defaults }), time }),
        req,
      );
      return { name: req.name, status: statusOf(events, 'CREATED'), sequence: seq };
    }),
    route(SchedulerCommand.UPDATE_DEPLOYMENT_GROUP, UpdateDeploymentGroupRequest, async (req) => {
      const { events, sequence: seq } = await run(req.name, (time) => ({ type: 'UpdateDeploymentGroupSelectors', name: req.name, selectors: req.selectors, time }), req);
      return { name: req.name, status: statusOf(events, 'UPDATED'), sequence: seq };
    }),
    route(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, RemoveDeploymentGroupRequest, async (req) => {
      // its deployments stay on the hosts: say which, so they can be undeployed by naming the group
      const leftBehind = deploymentsOfGroup(view, req.name);
      await runStoppingRollout(req.name, (time) => ({ type: 'RemoveDeploymentGroup', name: req.name, time }), req, `Deployment group ${req.name} removed`);
      return { name: req.name, status: 'REMOVED', leftBehind, sequence: sequence() };
    }),
    route(SchedulerCommand.STOP_DEPLOYMENT_GROUP, StopDeploymentGroupRequest, async (req) => {
      const events = await runStoppingRollout(req.name, (time) => ({ type: 'StopDeploymentGroup', name: req.name, time }), req, 'Stopped by user');
      return { name: req.name, status: statusOf(events, 'STOPPED'), sequence: sequence() };
    }),
    route(SchedulerCommand.LIST_DEPLOYMENT_GROUPS, ListDeploymentGroupsRequest, async () => ({ groups: queries.groups(), sequence: sequence() })),
    route(SchedulerCommand.INSPECT_DEPLOYMENT_GROUP, DeploymentGroupQueryRequest, async (req) => ({ group: queries.group(req.name), sequence: sequence() })),
    route(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, DeploymentGroupQueryRequest, async (req) => ({ ...queries.status(req.name), sequence: sequence() })),
  ];
}

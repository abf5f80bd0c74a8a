import { DeregisterHostRequest, RegisterHostRequest, SchedulerCommand, type RegisterHostResult } from '@berth/contracts';
import { deploymentDecider, hostDecider, type HostEvent } from '@berth/domain';
import { route, type CommandRoute } from './command-server';
import type { CommandExecutor, Origin } from './command-executor';
import { Aggregate } from '@berth/read-model';

export interface HostPolicy {
  readonly takeoverAfterSeconds: number;
}

/** Registration, shared by the `register-host` command and the agents' own `register` requests. */
export async function registerHost(
  executor: CommandExecutor,
  policy: HostPolicy,
  req: RegisterHostRequest,
  origin: Origin,
): Promise<RegisterHostResult & { sequence: number }> {
  const { events, sequence } = await executor.execute(
    Aggregate.HOST,
    req.host,
    hostDecider,
    (_, time) => ({
      type: 'RegisterHost' as const,
      host: req.host,
      agentId: req.agentId,
      labels: req.labels ?? {},
      info: req.info ?? {},
      ...(req.portRange === undefined ? {} : { portRange: { from: req.portRange.from, to: req.portRange.to } }),
      takeoverAfterSeconds: policy.takeoverAfterSeconds,
      time,
    }),
    origin,
  );
  return { host: req.host, status: registrationStatus(events), sequence };
}

function registrationStatus(events: readonly HostEvent[]): RegisterHostResult['status'] {
  if (events.some((e) => e.type === 'HostRegistered')) return 'REGISTERED';
  if (events.some((e) => e.type === 'HostUpdated')) return 'UPDATED';
  return 'NOT_MODIFIED';
}

/** register-host and deregister-host. */
export function hostRoutes(executor: CommandExecutor, policy: HostPolicy): CommandRoute[] {
  const register = route(SchedulerCommand.REGISTER_HOST, RegisterHostRequest, (req) => registerHost(executor, policy, req, req));
  // Helios removes the host's deployments with it: both in one atomic append, so a deploy racing the deregistration conflicts
  const deregister = route(SchedulerCommand.DEREGISTER_HOST, DeregisterHostRequest, async (req) => {
    const { sequence } = await executor.executeAtomic(async ({ time, load }) => {
      const host = await load(Aggregate.HOST, req.host, hostDecider);
      const deployments = await load(Aggregate.DEPLOYMENT, req.host, deploymentDecider);
      // the deployments go first, so that in stream order a host is never deregistered with jobs on it
      return [
        {
          aggregate: Aggregate.DEPLOYMENT,
          aggregateId: req.host,
          expectedVersion: deployments.version,
          events: deploymentDecider.decide({ type: 'ClearHostDeployments', host: req.host, time }, deployments.state),
        },
        { aggregate: Aggregate.HOST, aggregateId: req.host, expectedVersion: host.version, events: hostDecider.decide({ type: 'DeregisterHost', host: req.host, time }, host.state) },
      ];
    }, req);
    return { host: req.host, status: 'DEREGISTERED', sequence };
  });
  return [register, deregister];
}

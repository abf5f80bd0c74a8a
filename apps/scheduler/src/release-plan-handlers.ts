import { randomUUID } from 'node:crypto';
import { ListReleasePlansRequest, PipelineCommand, ReleasePlanCommandRequest, ReleasePlanQueryRequest, StartReleasePlanRequest, requireReleasePlanFile } from '@berth/contracts';
import { DomainError, ErrorCode, releasePlanDecider, type PlanServiceSpec } from '@berth/domain';
import { Aggregate, ReleasePlanQueries, type BerthView } from '@berth/read-model';
import type { CommandExecutor } from './command-executor';
import { route, type CommandRoute } from './command-server';
import { resolveServiceJob } from './release-starter';

/**
 * Multi-service releases: `release-plan` starts one from release.yaml (each
 * service's job resolved and group checked first, so a refused plan writes
 * nothing), the status query answers with the blog's current / staging /
 * deploy-queue views, and a plan can be abandoned.
 */
export function releasePlanRoutes(executor: CommandExecutor, view: BerthView): CommandRoute[] {
  const queries = new ReleasePlanQueries(view.projection);
  const sequence = () => view.projection.sequence;
  return [
    route(PipelineCommand.START_RELEASE_PLAN, StartReleasePlanRequest, async (req) => {
      const file = requireReleasePlanFile(req.source);
      const services: PlanServiceSpec[] = file.services.map((s) => {
        if (view.group(s.group) === undefined) throw new DomainError(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND, `Deployment group not found: ${s.group} (service ${s.service})`, { name: s.group });
        const { job: reference, ...rest } = s;
        return { ...rest, jobId: resolveServiceJob(view, s.service, reference) };
      });
      const planId = randomUUID();
      await executor.execute(Aggregate.RELEASE_PLAN, planId, releasePlanDecider, (_, time) => ({ type: 'StartReleasePlan' as const, planId, services, time }), req);
      return { planId, plan: queries.plan(planId), sequence: sequence() };
    }),
    route(PipelineCommand.INSPECT_RELEASE_PLAN, ReleasePlanQueryRequest, async (req) => ({ plan: queries.plan(req.id), sequence: sequence() })),
    route(PipelineCommand.LIST_RELEASE_PLANS, ListReleasePlansRequest, async () => ({ plans: queries.plans(), sequence: sequence() })),
    route(PipelineCommand.ABANDON_RELEASE_PLAN, ReleasePlanCommandRequest, async (req) => {
      const { events } = await executor.execute(Aggregate.RELEASE_PLAN, req.plan, releasePlanDecider, (_, time) => ({ type: 'AbandonReleasePlan' as const, planId: req.plan, time }), req);
      return { plan: queries.plan(req.plan), changed: events.length > 0, sequence: sequence() };
    }),
  ];
}

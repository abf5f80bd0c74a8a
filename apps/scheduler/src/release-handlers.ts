import {
  ListPipelinesRequest,
  ListReleasesRequest,
  MarkForDeploymentRequest,
  PipelineCommand,
  PipelineQueryRequest,
  ReleaseCommandRequest,
  ReleaseQueryRequest,
  RemovePipelineRequest,
  ReportGateRequest,
  RollbackReleaseRequest,
  SetPipelineRequest,
  SnoozeReleaseRequest,
  ValidatePipelineRequest,
  parsePipelineFile,
  requirePipelineFile,
  withLine,
} from '@berth/contracts';
import { DomainError, ErrorCode, checkPipelineAgainstCluster, pipelineDecider, releaseDecider, type ReleaseCommand } from '@berth/domain';
import { Aggregate, ReleaseQueries, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Origin } from './command-executor';
import { route, type CommandRoute } from './command-server';
import { markForDeployment } from './release-starter';

export interface GateVerdict {
  readonly service?: string;
  readonly release?: string;
  readonly gate: string;
  readonly passed: boolean;
  readonly message?: string;
}

/** A gate verdict for a release, or for the service's release in flight (the API and the gate subject share it). */
export async function reportGate(executor: CommandExecutor, view: BerthView, verdict: GateVerdict, origin: Origin) {
  const queries = new ReleaseQueries(view.projection);
  const releaseId = verdict.release ?? (verdict.service === undefined ? undefined : queries.inFlight(verdict.service)?.releaseId);
  if (releaseId === undefined) {
    throw new DomainError(ErrorCode.RELEASE_NOT_FOUND, `No release of ${verdict.service ?? '?'} in flight`, { service: verdict.service });
  }
  if (verdict.service !== undefined && view.release(releaseId)?.service !== verdict.service) {
    throw new DomainError(ErrorCode.RELEASE_NOT_FOUND, `Release ${releaseId} is not a release of ${verdict.service}`, { releaseId, service: verdict.service });
  }
  const { gate, passed } = verdict;
  const message = verdict.message === undefined ? {} : { message: verdict.message };
  await executor.execute(Aggregate.RELEASE, releaseId, releaseDecider, (_, time) => ({ type: 'ReportGate' as const, releaseId, gate, passed, ...message, time }), origin);
  return { release: queries.release(releaseId), sequence: view.projection.sequence };
}

/**
 * Pipelines (set, remove, show, list, validate) and releases
 * (mark-for-deployment, the queries and the operator commands). Answers
 * carry the pipeline or release as it stands after the command.
 */
export function releaseRoutes(executor: CommandExecutor, view: BerthView): CommandRoute[] {
  const queries = new ReleaseQueries(view.projection);
  const sequence = () => view.projection.sequence;
  const operate = async (req: ReleaseCommandRequest, command: (time: string) => ReleaseCommand) => {
    const { events } = await executor.execute(Aggregate.RELEASE, req.release, releaseDecider, (_, time) => command(time), req);
    return { release: queries.release(req.release), changed: events.length > 0, sequence: sequence() };
  };
  const simple = (name: string, type: 'AdvanceRelease' | 'CompleteRelease' | 'AbandonRelease') =>
    route(name, ReleaseCommandRequest, (req) => operate(req, (time) => ({ type, releaseId: req.release, time })));
  return [
    route(PipelineCommand.SET_PIPELINE, SetPipelineRequest, async (req) => {
      const pipeline = requirePipelineFile(req.source, req.service);
      const { events } = await executor.execute(
        Aggregate.PIPELINE,
        req.service,
        pipelineDecider,
        (_, time) => ({ type: 'SetPipeline' as const, service: req.service, pipeline, source: req.source, time }),
        req,
      );
      return { ...queries.pipeline(req.service), changed: events.length > 0, sequence: sequence() };
    }),
    route(PipelineCommand.REMOVE_PIPELINE, RemovePipelineRequest, async (req) => {
      await executor.execute(Aggregate.PIPELINE, req.service, pipelineDecider, (_, time) => ({ type: 'RemovePipeline' as const, service: req.service, time }), req);
      return { service: req.service, removed: true, sequence: sequence() };
    }),
    route(PipelineCommand.INSPECT_PIPELINE, PipelineQueryRequest, async (req) => ({ ...queries.pipeline(req.service), sequence: sequence() })),
    route(PipelineCommand.LIST_PIPELINES, ListPipelinesRequest, async () => ({ pipelines: queries.pipelines(), sequence: sequence() })),
    route(PipelineCommand.VALIDATE_PIPELINE, ValidatePipelineRequest, async (req) => {
      const parsed = parsePipelineFile(req.source, req.service);
      const cluster = parsed.pipeline === undefined ? [] : checkPipelineAgainstCluster(parsed.pipeline, queries.clusterFacts(req.service));
      const problems = [...parsed.problems, ...cluster.map((problem) => withLine(problem, parsed.lineOf))];
      return { service: req.service, valid: problems.length === 0, problems, ...(parsed.pipeline === undefined ? {} : { pipeline: parsed.pipeline }), sequence: sequence() };
    }),
    route(PipelineCommand.MARK_FOR_DEPLOYMENT, MarkForDeploymentRequest, async (req) => {
      const { actor, correlationId, ...request } = req;
      const releaseId = await markForDeployment(executor, view, request, { actor, ...(correlationId === undefined ? {} : { correlationId }) });
      return { releaseId, release: queries.release(releaseId), sequence: sequence() };
    }),
    route(PipelineCommand.LIST_RELEASES, ListReleasesRequest, async (req) => ({
      releases: queries.releases({ ...(req.service === undefined ? {} : { service: req.service }), ...(req.status === undefined ? {} : { status: req.status }) }),
      sequence: sequence(),
    })),
    route(PipelineCommand.INSPECT_RELEASE, ReleaseQueryRequest, async (req) => ({ release: queries.release(req.id), sequence: sequence() })),
    simple(PipelineCommand.ADVANCE_RELEASE, 'AdvanceRelease'),
    simple(PipelineCommand.COMPLETE_RELEASE, 'CompleteRelease'),
    simple(PipelineCommand.ABANDON_RELEASE, 'AbandonRelease'),
    route(PipelineCommand.ROLLBACK_RELEASE, RollbackReleaseRequest, (req) =>
      operate(req, (time) => ({ type: 'RollbackRelease', releaseId: req.release, ...(req.reason === undefined ? {} : { reason: req.reason }), time })),
    ),
    route(PipelineCommand.SNOOZE_RELEASE, SnoozeReleaseRequest, (req) =>
      operate(req, (time) => ({ type: 'SnoozeRelease', releaseId: req.release, ...(req.seconds === undefined ? {} : { seconds: req.seconds }), time })),
    ),
    route(PipelineCommand.REPORT_GATE, ReportGateRequest, (req) => {
      const { actor, correlationId, ...verdict } = req;
      return reportGate(executor, view, verdict, { actor, ...(correlationId === undefined ? {} : { correlationId }) });
    }),
  ];
}

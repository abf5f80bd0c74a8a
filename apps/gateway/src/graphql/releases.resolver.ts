import { Access } from '../auth/access.decorator';
import { PipelineCommand, ApiRole } from '@berth/contracts';
import { ReleaseQueries, type PipelineRow, type ReleaseDetail } from '@berth/read-model';
import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CommandService } from '../commands/command.service';
import { assertMayOverrideFreeze } from '../commands/freeze-override';
import { liveFeed } from '../live/live-feed';
import { Aggregate, type LoggedEvent } from '../read-model/gateway-read-model';
import { ReadService } from '../read-model/read.service';
import {
  MarkForDeploymentArgs,
  ReleaseArgs,
  ReleaseCommandArgs,
  ReleaseProgressArgs,
  ReleasesArgs,
  RemovePipelineArgs,
  ReportGateArgs,
  RollbackReleaseArgs,
  ServiceArgs,
  SetPipelineArgs,
  SnoozeReleaseArgs,
  ValidatePipelineArgs,
} from './dto/release.args';
import { ReadArgs } from './dto/query.args';
import {
  PipelineChangeModel,
  PipelineList,
  PipelineModel,
  PipelineResult,
  PipelineValidation,
  ReleaseChangeModel,
  ReleaseList,
  ReleaseModel,
  ReleaseProgressUpdate,
  ReleaseResult,
} from './models/release.model';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

const FINISHED = new Set(['complete', 'abandoned', 'failed']);
const identity = <T>(payload: T): T => payload;

export function toReleaseModel(detail: ReleaseDetail): ReleaseModel {
  return { ...detail, badGroups: [...detail.badGroups], finished: FINISHED.has(detail.status) };
}

function toPipelineModel(row: PipelineRow): PipelineModel {
  return { ...row, pipeline: row.pipeline as unknown as Record<string, unknown> };
}

/** The release's rollouts (steps and rollbacks): their events are progress of the release. */
function rolloutsOf(detail: ReleaseDetail): Set<string> {
  return new Set([...detail.steps.flatMap((s) => (s.rolloutId === undefined ? [] : [s.rolloutId])), ...detail.rollback.flatMap((r) => (r.rolloutId === undefined ? [] : [r.rolloutId]))]);
}

/** Pipelines (deploy.yaml) and releases (mark-for-deployment and the operator commands), and live release progress. */
@Access(ApiRole.READ)
@Resolver(() => ReleaseModel)
export class ReleasesResolver {
  private readonly queries: ReleaseQueries;

  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {
    this.queries = new ReleaseQueries(reads.model.projection);
  }

  @Query(() => PipelineResult, { description: "A service's pipeline (PIPELINE_NOT_FOUND otherwise)" })
  pipeline(@Args() args: ServiceArgs): Promise<PipelineResult> {
    return this.reads.read(args.atLeastSequence, () => ({ pipeline: toPipelineModel(this.queries.pipeline(args.service)) }));
  }

  @Query(() => PipelineList, { description: 'Every pipeline, by service' })
  pipelines(@Args() args: ReadArgs): Promise<PipelineList> {
    return this.reads.read(args.atLeastSequence, () => ({ items: this.queries.pipelines().map(toPipelineModel) }));
  }

  @Query(() => PipelineValidation, { description: 'Checks a pipeline file against the schema and the cluster; every problem with its line. Stores nothing' })
  async validatePipeline(@Args() args: ValidatePipelineArgs, @Caller() caller: Principal | undefined): Promise<PipelineValidation> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.VALIDATE_PIPELINE, { service: args.service, source: args.source });
    return result as unknown as PipelineValidation;
  }

  @Query(() => ReleaseList, { description: 'Releases, newest first' })
  releases(@Args() args: ReleasesArgs): Promise<ReleaseList> {
    // null (an unset variable) means no filter, like an absent argument
    const filter = { ...(args.service == null ? {} : { service: args.service }), ...(args.status == null ? {} : { status: args.status as ReleaseDetail['status'] }) };
    return this.reads.read(args.atLeastSequence, () => ({ items: this.queries.releases(filter).map(toReleaseModel) }));
  }

  @Query(() => ReleaseResult, { description: 'A release with its steps (RELEASE_NOT_FOUND otherwise)' })
  release(@Args() args: ReleaseArgs): Promise<ReleaseResult> {
    return this.reads.read(args.atLeastSequence, () => ({ release: toReleaseModel(this.queries.release(args.id)) }));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => PipelineChangeModel, { description: "Sets a service's pipeline from deploy.yaml text (INVALID_PIPELINE with each problem's line; nothing stored then)" })
  async setPipeline(@Args() args: SetPipelineArgs, @Caller() caller: Principal | undefined): Promise<PipelineChangeModel> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.SET_PIPELINE, { service: args.service, source: args.source });
    return { pipeline: toPipelineModel(this.queries.pipeline(args.service)), changed: result['changed'] !== false, sequence: result.sequence };
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => Boolean, { description: "Removes a service's pipeline" })
  async removePipeline(@Args() args: RemovePipelineArgs, @Caller() caller: Principal | undefined): Promise<boolean> {
    await this.commands.as(caller).pipelineCommand(PipelineCommand.REMOVE_PIPELINE, { service: args.service });
    return true;
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: "Starts a release of the service's pipeline (or of one group) for a job" })
  async markForDeployment(@Args() args: MarkForDeploymentArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    assertMayOverrideFreeze(args.overrideFreeze, caller);
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.MARK_FOR_DEPLOYMENT, { ...args });
    return this.change(String(result['releaseId']), result.sequence, true);
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: 'The manual trigger: starts the next stage' })
  advanceRelease(@Args() args: ReleaseCommandArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    return this.operate(caller, PipelineCommand.ADVANCE_RELEASE, args.release, {});
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: 'Certifies a deployed release' })
  completeRelease(@Args() args: ReleaseCommandArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    return this.operate(caller, PipelineCommand.COMPLETE_RELEASE, args.release, {});
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: 'Stops driving the release; groups stay as they are' })
  abandonRelease(@Args() args: ReleaseCommandArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    return this.operate(caller, PipelineCommand.ABANDON_RELEASE, args.release, {});
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: 'Rolls every group the release touched back to its previous job' })
  rollbackRelease(@Args() args: RollbackReleaseArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    return this.operate(caller, PipelineCommand.ROLLBACK_RELEASE, args.release, { reason: args.reason });
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: 'Pushes the automatic complete (or abandon) back' })
  snoozeRelease(@Args() args: SnoozeReleaseArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    return this.operate(caller, PipelineCommand.SNOOZE_RELEASE, args.release, { seconds: args.seconds });
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleaseChangeModel, { description: "An outside system's verdict on a gate (GATE_NOT_PENDING when the release is not running it)" })
  async reportGate(@Args() args: ReportGateArgs, @Caller() caller: Principal | undefined): Promise<ReleaseChangeModel> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.REPORT_GATE, { ...args });
    const release = result['release'] as { releaseId: string };
    return this.change(release.releaseId, result.sequence, true);
  }

  @Subscription(() => ReleaseProgressUpdate, {
    resolve: identity,
    description: 'A release now, then after each of its events and of its rollouts (RELEASE_NOT_FOUND if it does not exist); stop when `release.finished` (a failed release can still be rolled back or abandoned by an operator: follow it on to see that)',
  })
  releaseProgress(@Args() args: ReleaseProgressArgs): AsyncIterableIterator<ReleaseProgressUpdate> {
    const { model } = this.reads;
    let rollouts = new Set<string>();
    const update = (event?: string): ReleaseProgressUpdate => {
      const detail = this.queries.release(args.releaseId);
      rollouts = rolloutsOf(detail);
      return { release: toReleaseModel(detail), ...(event === undefined ? {} : { event }), sequence: model.sequence };
    };
    const concerns = (e: LoggedEvent) => (e.aggregate === Aggregate.RELEASE && e.aggregateId === args.releaseId) || (e.aggregate === Aggregate.ROLLOUT && rollouts.has(e.aggregateId));
    return liveFeed(model, () => [update()], (e) => (concerns(e) ? [update(e.type)] : []));
  }

  private async operate(caller: Principal | undefined, command: PipelineCommand, release: string, body: Record<string, unknown>): Promise<ReleaseChangeModel> {
    const result = await this.commands.as(caller).pipelineCommand(command, { release, ...body });
    return this.change(release, result.sequence, result['changed'] !== false);
  }

  private change(releaseId: string, sequence: number, changed: boolean): ReleaseChangeModel {
    return { release: toReleaseModel(this.queries.release(releaseId)), changed, sequence };
  }
}

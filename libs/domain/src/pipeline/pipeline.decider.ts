import { canonicalJson } from '../canonical-json';
import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { Pipeline } from './pipeline';

/**
 * The pipeline aggregate (id = service, a job name): the service's current
 * deploy pipeline. Setting the same pipeline again changes nothing.
 */
export interface SetPipeline extends DomainCommand<'SetPipeline'> {
  readonly service: string;
  readonly pipeline: Pipeline;
  /** The file as given (YAML or JSON), kept for `pipeline show`. */
  readonly source?: string;
}

export interface RemovePipeline extends DomainCommand<'RemovePipeline'> {
  readonly service: string;
}

export type PipelineCommand = SetPipeline | RemovePipeline;

export interface PipelineSet extends DomainEvent<'PipelineSet'> {
  readonly service: string;
  readonly pipeline: Pipeline;
  readonly source?: string;
  readonly time: string;
}

export interface PipelineRemoved extends DomainEvent<'PipelineRemoved'> {
  readonly service: string;
  readonly time: string;
}

export type PipelineEvent = PipelineSet | PipelineRemoved;

export interface ServicePipeline {
  readonly kind: 'pipeline';
  readonly service: string;
  readonly pipeline: Pipeline;
  readonly source?: string;
  readonly updatedAt: string;
  /** How many times it was set (1 for the first). */
  readonly revision: number;
}

export type PipelineState = { readonly kind: 'none'; readonly revision: number } | ServicePipeline;

export const pipelineDecider: Decider<PipelineCommand, PipelineEvent, PipelineState> = {
  initialState: { kind: 'none', revision: 0 },
  decide(command, state) {
    if (command.type === 'RemovePipeline') {
      if (state.kind === 'none') throw new DomainError(ErrorCode.PIPELINE_NOT_FOUND, `No pipeline for service ${command.service}`, { service: command.service });
      return [{ type: 'PipelineRemoved', service: command.service, time: command.time }];
    }
    if (state.kind === 'pipeline' && canonicalJson(state.pipeline) === canonicalJson(command.pipeline) && state.source === command.source) return [];
    const source = command.source === undefined ? {} : { source: command.source };
    return [{ type: 'PipelineSet', service: command.service, pipeline: command.pipeline, ...source, time: command.time }];
  },
  evolve(state, event) {
    if (event.type === 'PipelineRemoved') return { kind: 'none', revision: state.revision };
    const source = event.source === undefined ? {} : { source: event.source };
    return { kind: 'pipeline', service: event.service, pipeline: event.pipeline, ...source, updatedAt: event.time, revision: state.revision + 1 };
  },
};

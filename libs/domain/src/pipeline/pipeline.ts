import type { Problem } from '../errors';
import { addProblem, childPath, isAbsent, isJsonObject, readBoolean, readString, unknownProperties, type JsonObject } from '../json-reader';

/**
 * A service's deploy pipeline (PaaSTA `deploy.yaml`): ordered stages, each a
 * single step or a `parallel:` block of steps that run together. A step is a
 * rolling update of a deployment group (`step: prod.canary`) or a gate that
 * an outside system passes or fails (`gate: itest`).
 *
 * ```yaml
 * pipeline:
 * - gate: itest
 *   timeout: 600
 * - step: '{service}.canary'
 *   trigger_next_step_manually: true
 * - parallel:
 *   - step: prod.east
 *   - step: prod.west
 * ```
 */
export type PipelineStepKind = 'group' | 'gate';

export interface PipelineStep {
  readonly kind: PipelineStepKind;
  /** Deployment group (after `{service}` interpolation) or gate name. */
  readonly name: string;
  /** Seconds the step may take before it fails (gates default to GATE_DEFAULT_TIMEOUT_SECONDS). */
  readonly timeout?: number;
  readonly autoRollback: boolean;
  /** A failure of this step does not stop the pipeline. */
  readonly ignoreFailure: boolean;
  /** Skipped by every release until enabled again. */
  readonly disabled: boolean;
  /** false: the step counts as done once its rollout has started. */
  readonly waitForDeployment: boolean;
}

export interface PipelineStage {
  readonly steps: readonly PipelineStep[];
  readonly parallel: boolean;
  /** After this stage, the release waits for `advance`. */
  readonly triggerNextStepManually: boolean;
}

export interface Pipeline {
  readonly stages: readonly PipelineStage[];
  /** Seconds between the last step and automatic `complete`; default: 600 with auto-rollback, else 0 (PaaSTA). */
  readonly autoCertifyDelay?: number;
  /** Seconds between rolled_back and automatic `abandoned` (default 600). */
  readonly autoAbandonDelay?: number;
}

export const GATE_DEFAULT_TIMEOUT_SECONDS = 3600;
/** Deployment group names (as the NATS API accepts them). */
export const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_STAGES = 100;

const STEP_OPTION_KEYS = ['trigger_next_step_manually', 'timeout', 'auto_rollback', 'ignore_failure', 'disabled', 'wait_for_deployment'] as const;
const STEP_KEYS = ['step', 'gate', ...STEP_OPTION_KEYS];
const PARALLEL_KEYS = ['parallel', 'trigger_next_step_manually'];
const TOP_KEYS = ['pipeline', 'auto_certify_delay', 'auto_abandon_delay'];
const VARIABLE = /\{([^{}]*)\}/g;

/** `{service}` replaced; any other `{…}` is reported (PaaSTA's `{cluster}`/`{instance}` mean nothing here). */
export function interpolateStepName(name: string, service: string, path: string, problems: Problem[]): string {
  return name.replace(VARIABLE, (whole, variable: string) => {
    if (variable === 'service') return service;
    addProblem(problems, path, `unknown variable ${whole}: only {service} is supported`);
    return whole;
  });
}

function readSeconds(value: unknown, path: string, problems: Problem[]): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 30 * 86_400) return value;
  addProblem(problems, path, 'must be a number of seconds > 0 (at most 30 days)');
  return undefined;
}

function readNonNegativeSeconds(value: unknown, path: string, problems: Problem[]): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 30 * 86_400) return value;
  addProblem(problems, path, 'must be a number of seconds ≥ 0 (at most 30 days)');
  return undefined;
}

function reportUnknown(object: JsonObject, known: readonly string[], path: string, problems: Problem[]): void {
  for (const unknown of unknownProperties(object, known, path)) addProblem(problems, unknown, `unknown field (expected one of: ${known.join(', ')})`);
}

function readStep(raw: JsonObject, path: string, service: string, problems: Problem[]): PipelineStep | undefined {
  reportUnknown(raw, STEP_KEYS, path, problems);
  const group = readString(raw['step'], childPath(path, 'step'), problems);
  const gate = readString(raw['gate'], childPath(path, 'gate'), problems);
  if ((group === undefined) === (gate === undefined)) {
    if (isAbsent(raw['step']) === isAbsent(raw['gate'])) addProblem(problems, path, 'a step needs exactly one of "step" (a deployment group) or "gate" (a named check)');
    return undefined;
  }
  const kind: PipelineStepKind = group === undefined ? 'gate' : 'group';
  const namePath = childPath(path, kind === 'group' ? 'step' : 'gate');
  const name = interpolateStepName(group ?? gate ?? '', service, namePath, problems);
  if (!PIPELINE_NAME.test(name)) addProblem(problems, namePath, 'must be a name: letters, digits, ".", "_" and "-", at most 128 characters');
  const timeout = readSeconds(raw['timeout'], childPath(path, 'timeout'), problems);
  const flag = (key: string, fallback: boolean) => readBoolean(raw[key], childPath(path, key), problems) ?? fallback;
  return {
    kind,
    name,
    ...(timeout === undefined ? {} : { timeout }),
    autoRollback: flag('auto_rollback', false),
    ignoreFailure: flag('ignore_failure', false),
    disabled: flag('disabled', false),
    waitForDeployment: flag('wait_for_deployment', true),
  };
}

function readStage(raw: unknown, path: string, service: string, problems: Problem[]): PipelineStage | undefined {
  if (!isJsonObject(raw)) {
    addProblem(problems, path, 'must be a step ({step: group} or {gate: name}) or a {parallel: [...]} block');
    return undefined;
  }
  const trigger = readBoolean(raw['trigger_next_step_manually'], childPath(path, 'trigger_next_step_manually'), problems) ?? false;
  if (!('parallel' in raw)) {
    const step = readStep(raw, path, service, problems);
    return step === undefined ? undefined : { steps: [step], parallel: false, triggerNextStepManually: trigger };
  }
  reportUnknown(raw, PARALLEL_KEYS, path, problems);
  const list = raw['parallel'];
  const listPath = childPath(path, 'parallel');
  if (!Array.isArray(list) || list.length === 0) {
    addProblem(problems, listPath, 'must be a non-empty list of steps');
    return undefined;
  }
  const steps: PipelineStep[] = [];
  (list as unknown[]).forEach((item, i) => {
    const itemPath = childPath(listPath, i);
    if (!isJsonObject(item) || 'parallel' in item) {
      addProblem(problems, itemPath, 'must be a step ({step: group} or {gate: name}); parallel blocks do not nest');
      return;
    }
    if (!isAbsent(item['trigger_next_step_manually'])) {
      addProblem(problems, childPath(itemPath, 'trigger_next_step_manually'), 'not allowed inside a parallel block: set it on the block');
    }
    const step = readStep(item, itemPath, service, problems);
    if (step !== undefined) steps.push(step);
  });
  return { steps, parallel: true, triggerNextStepManually: trigger };
}

/** Step identity: a group and a gate may share a name, the same group twice may not. */
export function stepKey(step: Pick<PipelineStep, 'kind' | 'name'>): string {
  return `${step.kind}:${step.name}`;
}

function reportDuplicates(stages: readonly (PipelineStage | undefined)[], problems: Problem[]): void {
  const seen = new Map<string, string>();
  stages.forEach((stage, i) => {
    stage?.steps.forEach((step, j) => {
      const path = stage.parallel ? `pipeline[${i}].parallel[${j}]` : `pipeline[${i}]`;
      const key = stepKey(step);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, path);
      else addProblem(problems, path, `duplicate ${step.kind === 'group' ? 'step' : 'gate'} "${step.name}" (first at ${first})`);
    });
  });
}

/**
 * Reads a parsed pipeline file (YAML or JSON, already turned into plain
 * values) for `service`. Every problem is reported with its path
 * (`pipeline[2].timeout`), which the file parser maps to a line.
 */
export function readPipeline(raw: unknown, service: string): { pipeline?: Pipeline; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isJsonObject(raw)) return { problems: [{ path: '', message: 'a pipeline file must be a mapping with a "pipeline" list' }] };
  reportUnknown(raw, TOP_KEYS, '', problems);
  const list = raw['pipeline'];
  if (!Array.isArray(list) || list.length === 0) {
    addProblem(problems, 'pipeline', 'required: a non-empty list of steps');
    return { problems };
  }
  if (list.length > MAX_STAGES) addProblem(problems, 'pipeline', `at most ${MAX_STAGES} entries`);
  const stages = (list as unknown[]).map((item, i) => readStage(item, `pipeline[${i}]`, service, problems));
  reportDuplicates(stages, problems);
  const autoCertifyDelay = readNonNegativeSeconds(raw['auto_certify_delay'], 'auto_certify_delay', problems);
  const autoAbandonDelay = readNonNegativeSeconds(raw['auto_abandon_delay'], 'auto_abandon_delay', problems);
  if (problems.length > 0) return { problems };
  const pipeline: Pipeline = {
    stages: stages.filter((stage): stage is PipelineStage => stage !== undefined),
    ...(autoCertifyDelay === undefined ? {} : { autoCertifyDelay }),
    ...(autoAbandonDelay === undefined ? {} : { autoAbandonDelay }),
  };
  return { pipeline, problems };
}

/** Every step of the pipeline with the path of its entry in the file. */
export function pipelineSteps(pipeline: Pipeline): { step: PipelineStep; path: string; stage: number }[] {
  return pipeline.stages.flatMap((stage, i) => stage.steps.map((step, j) => ({ step, stage: i, path: stage.parallel ? `pipeline[${i}].parallel[${j}]` : `pipeline[${i}]` })));
}

/** The deployment groups the pipeline rolls out to, in order. */
export function pipelineGroups(pipeline: Pipeline): string[] {
  return pipelineSteps(pipeline)
    .filter(({ step }) => step.kind === 'group')
    .map(({ step }) => step.name);
}

import type { Problem } from '../errors';
import { addProblem, childPath, isAbsent, isJsonObject, readInteger, readString, readStringArray, unknownProperties } from '../json-reader';
import { PIPELINE_NAME } from '../pipeline/pipeline';
import type { CountOrPercent } from '../rollout/rollout-options';

/**
 * A multi-service release (the datacentre blog): several services, each a
 * job switched on one deployment group, in dependency order. A service
 * starts once every service it depends on is complete; its image is staged
 * on its hosts first and the switch begins only when `quorum` hosts have it
 * (`prestageQuorum`), never taking more than `maxUnavailable` hosts down.
 *
 * ```yaml
 * services:
 * - service: db-proxy
 *   job: "2"
 *   group: dc1.db-proxy
 *   quorum: 3
 * - service: api
 *   job: api:7
 *   group: dc1.api
 *   maxUnavailable: 1
 *   dependsOn: [db-proxy]
 * ```
 */
export interface PlannedService {
  readonly service: string;
  /** A job reference of the service, resolved when the plan starts. */
  readonly job: string;
  readonly group: string;
  /** Hosts that must have the new image staged before the switch (default: all). */
  readonly quorum?: number;
  readonly maxUnavailable?: CountOrPercent;
  readonly dependsOn: readonly string[];
}

export interface ReleasePlanFile {
  readonly services: readonly PlannedService[];
}

const SERVICE_KEYS = ['service', 'job', 'group', 'quorum', 'maxUnavailable', 'dependsOn'];
const MAX_SERVICES = 500;

function readMaxUnavailable(value: unknown, path: string, problems: Problem[]): CountOrPercent | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value)) return value as `${number}%`;
  addProblem(problems, path, 'must be a host count ≥ 0 or a percentage like "25%"');
  return undefined;
}

function readName(value: unknown, path: string, problems: Problem[], what: string): string | undefined {
  const name = readString(value, path, problems);
  if (name === undefined) {
    if (isAbsent(value)) addProblem(problems, path, `required: ${what}`);
    return undefined;
  }
  if (!PIPELINE_NAME.test(name)) addProblem(problems, path, `must be ${what}: letters, digits, ".", "_" and "-"`);
  return name;
}

function readService(raw: unknown, path: string, problems: Problem[]): PlannedService | undefined {
  if (!isJsonObject(raw)) {
    addProblem(problems, path, 'must be a mapping with service, job and group');
    return undefined;
  }
  for (const unknown of unknownProperties(raw, SERVICE_KEYS, path)) addProblem(problems, unknown, `unknown field (expected one of: ${SERVICE_KEYS.join(', ')})`);
  const service = readName(raw['service'], childPath(path, 'service'), problems, 'a service (job name)');
  // `job: 2` in YAML is a number: a version of the service
  const job = typeof raw['job'] === 'number' ? String(raw['job']) : readString(raw['job'], childPath(path, 'job'), problems);
  if ((job === undefined && isAbsent(raw['job'])) || job?.trim() === '') addProblem(problems, childPath(path, 'job'), 'required: a job of the service ("2", "svc:2" or a full id)');
  const group = readName(raw['group'], childPath(path, 'group'), problems, 'a deployment group');
  const quorum = readInteger(raw['quorum'], childPath(path, 'quorum'), problems, { min: 0 });
  const maxUnavailable = readMaxUnavailable(raw['maxUnavailable'], childPath(path, 'maxUnavailable'), problems);
  const dependsOn = readStringArray(raw['dependsOn'], childPath(path, 'dependsOn'), problems) ?? [];
  if (service === undefined || job === undefined || job.trim() === '' || group === undefined) return undefined;
  return {
    service,
    job,
    group,
    ...(quorum === undefined ? {} : { quorum }),
    ...(maxUnavailable === undefined ? {} : { maxUnavailable }),
    dependsOn,
  };
}

/** A cycle as its services in order, the first repeated at the end: `a → b → a`. */
export function describeCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}

/**
 * The services in dependency order, as levels: every service of a level
 * depends only on services of earlier levels, so a level's services can run
 * in parallel. A cycle is returned instead, named service by service.
 */
export function dependencyLevels(services: readonly Pick<PlannedService, 'service' | 'dependsOn'>[]): { levels: string[][] } | { cycle: string[] } {
  const deps = new Map(services.map((s) => [s.service, s.dependsOn]));
  const level = new Map<string, number>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    let depth = 0;
    for (const dep of deps.get(name) ?? []) {
      if (!deps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle !== undefined) return cycle;
      depth = Math.max(depth, (level.get(dep) ?? 0) + 1);
    }
    stack.pop();
    state.set(name, 'done');
    level.set(name, depth);
    return undefined;
  };
  for (const { service } of services) {
    const cycle = visit(service);
    if (cycle !== undefined) return { cycle };
  }
  const levels: string[][] = [];
  for (const { service } of services) (levels[level.get(service) ?? 0] ??= []).push(service);
  return { levels };
}

/** Reads a release plan file (parsed YAML or JSON): every problem with its path; a dependency cycle is named. */
export function readReleasePlan(raw: unknown): { plan?: ReleasePlanFile; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isJsonObject(raw)) return { problems: [{ path: '', message: 'a release plan must be a mapping with a "services" list' }] };
  for (const unknown of unknownProperties(raw, ['services'], '')) addProblem(problems, unknown, 'unknown field (expected: services)');
  const list = raw['services'];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SERVICES) {
    addProblem(problems, 'services', `required: a list of 1 to ${MAX_SERVICES} services`);
    return { problems };
  }
  const services = (list as unknown[]).map((item, i) => readService(item, `services[${i}]`, problems));
  const seen = new Map<string, number>();
  (list as unknown[]).forEach((item, i) => {
    const name = isJsonObject(item) ? item['service'] : undefined;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first !== undefined) addProblem(problems, `services[${i}].service`, `duplicate service "${name}" (first at services[${first}])`);
    else seen.set(name, i);
  });
  services.forEach((s, i) =>
    s?.dependsOn.forEach((dep, j) => {
      if (dep === s.service) addProblem(problems, `services[${i}].dependsOn[${j}]`, `"${dep}" cannot depend on itself`);
      else if (!seen.has(dep)) addProblem(problems, `services[${i}].dependsOn[${j}]`, `"${dep}" is not a service of this plan`);
    }),
  );
  if (problems.length > 0) return { problems };
  const plan = { services: services.filter((s): s is PlannedService => s !== undefined) };
  const order = dependencyLevels(plan.services);
  if ('cycle' in order) {
    const index = seen.get(order.cycle[0] ?? '') ?? 0;
    return { problems: [{ path: `services[${index}].dependsOn`, message: `dependency cycle: ${describeCycle(order.cycle)}` }] };
  }
  return { plan, problems };
}

import type { DomainEvent } from '../decider';

/**
 * An event a projection could not apply as written: a reference to something
 * gone, an event for an aggregate never created, a duplicate, an unknown type
 * or an old shape. Projections are total: they record it and go on.
 */
export interface Anomaly {
  /** stream sequence of the event (events of one append share it) */
  readonly sequence: number;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly eventType: string;
  readonly reason: string;
}

/** The JSON kind a field must have. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'object' | 'array';

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * Per event type, the kind of every required field (the compiler insists on
 * each type of the union and each required field), plus dotted paths into
 * nested values a projection relies on (`'job.id': 'string'`).
 */
export type EventShapes<E extends DomainEvent> = {
  readonly [T in E['type']]: { readonly [K in Exclude<RequiredKeys<Extract<E, { type: T }>>, 'type'>]: FieldKind } & Readonly<Record<string, FieldKind>>;
};

/**
 * What a projection needs to know about one aggregate's events: their shapes,
 * and `misfit`, why an event of the right shape does not fit the state it is
 * applied to (undefined when it does). A misfit is still applied (evolve is
 * written to tolerate it): it is a fact of the history, only a surprising one.
 */
export interface EventCatalog<E extends DomainEvent, S> {
  readonly shapes: EventShapes<E>;
  /** The aggregate id the event names (its subject must be that aggregate's). */
  idOf(event: E): string;
  misfit(state: S, event: E): string | undefined;
}

function kindOf(value: unknown): FieldKind | 'null' | 'undefined' | 'other' {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean' || kind === 'object' ? kind : 'other';
}

/** The value at `keys` (own or not: shape keys are field names no prototype has). */
function valueAt(event: object, keys: readonly string[]): unknown {
  let value: unknown = event;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

type CompiledShape = readonly (readonly [path: string, keys: readonly string[], kind: FieldKind])[];

/** Shapes split into key paths once: every event of a replay is checked against one. */
const compiled = new WeakMap<object, CompiledShape>();

function compile(shape: Readonly<Record<string, FieldKind>>): CompiledShape {
  let fields = compiled.get(shape);
  if (fields === undefined) {
    fields = Object.entries(shape).map(([path, kind]) => [path, path.split('.'), kind] as const);
    compiled.set(shape, fields);
  }
  return fields;
}

/** Why `event` does not have the shape its type requires (undefined when it has). */
export function shapeProblem(shape: Readonly<Record<string, FieldKind>>, event: object): string | undefined {
  const fields = compile(shape);
  let problems: string[] | undefined;
  for (const [path, keys, kind] of fields) {
    const actual = kindOf(valueAt(event, keys));
    if (actual !== kind) (problems ??= []).push(`${path} is ${actual === 'undefined' ? 'missing' : actual}, not ${kind}`);
  }
  return problems === undefined ? undefined : `malformed event: ${problems.join('; ')}`;
}

/** The outcome of applying one event: the next state, whether it was applied, and why it is an anomaly. */
export interface EvolveVerdict<S> {
  readonly state: S;
  readonly applied: boolean;
  readonly reason?: string;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `evolve` made total: an unknown type, a malformed event, one that names
 * another aggregate than the one it was stored under (`aggregateId`) or one
 * `evolve` throws on leaves the state as it was (not applied); a misfit is
 * applied and reported. Never throws.
 */
export function evolveTotally<E extends DomainEvent, S>(
  evolve: (state: S, event: E) => S,
  catalog: EventCatalog<E, S>,
  state: S,
  event: DomainEvent,
  aggregateId?: string,
): EvolveVerdict<S> {
  const type: unknown = event.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(catalog.shapes, type)) {
    return { state, applied: false, reason: `unknown event type ${String(type)}` };
  }
  const shape = catalog.shapes[type as E['type']] as Readonly<Record<string, FieldKind>>;
  const malformed = shapeProblem(shape, event);
  if (malformed !== undefined) return { state, applied: false, reason: malformed };
  try {
    const named = catalog.idOf(event as E);
    if (aggregateId !== undefined && named !== aggregateId) return { state, applied: false, reason: `the event names ${named}, but is stored under ${aggregateId}` };
    const reason = catalog.misfit(state, event as E);
    const next = evolve(state, event as E);
    if (next === undefined || next === null) return { state, applied: false, reason: 'the event leaves no state' };
    return reason === undefined ? { state: next, applied: true } : { state: next, applied: true, reason };
  } catch (err) {
    return { state, applied: false, reason: `cannot apply: ${messageOf(err)}` };
  }
}

/**
 * Commands and events are discriminated unions on `type`: commands are
 * imperative (`CreateJob`), events past tense (`JobCreated`). Commands carry
 * the time the rules may treat as "now", because the domain has no clock.
 */
export interface DomainCommand<T extends string = string> {
  readonly type: T;
  /** ISO-8601 instant at which the command is decided. */
  readonly time: string;
}

export interface DomainEvent<T extends string = string> {
  readonly type: T;
}

/**
 * A decider (Chassaing's pattern, as in Emmett): three pure pieces. `decide`
 * throws a DomainError when the command breaks a rule; an accepted command
 * yields zero or more events. `evolve` never throws for an event `decide`
 * produced, because past events are facts.
 */
export interface Decider<C, E, S> {
  readonly initialState: S;
  decide(command: C, state: S): readonly E[];
  evolve(state: S, event: E): S;
}

/** State after applying `events` in order, starting from `from` (default: the initial state). */
export function foldEvents<C, E, S>(decider: Decider<C, E, S>, events: Iterable<E>, from: S = decider.initialState): S {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** Decide on `state` and fold the result: what an event store does on append. */
export function runDecider<C, E, S>(
  decider: Decider<C, E, S>,
  state: S,
  command: C,
): { readonly events: readonly E[]; readonly state: S } {
  const events = decider.decide(command, state);
  return { events, state: foldEvents(decider, events, state) };
}

/**
 * Several commands to one aggregate decided as one: each on the state the
 * events of the ones before it left, all their events in one append. Any
 * refusal refuses the whole list (nothing is written).
 */
export function inSequence<C, E, S>(decider: Decider<C, E, S>): Decider<readonly C[], E, S> {
  return {
    initialState: decider.initialState,
    evolve: decider.evolve,
    decide(commands, state) {
      const events: E[] = [];
      let current = state;
      for (const command of commands) {
        const decided = runDecider(decider, current, command);
        events.push(...decided.events);
        current = decided.state;
      }
      return events;
    },
  };
}

import { inSequence, type Decider } from './decider';

/** A counter that refuses to go below zero. */
const counter: Decider<{ readonly add: number }, { readonly added: number }, number> = {
  initialState: 0,
  decide: (command, state) => {
    if (state + command.add < 0) throw new Error(`below zero at ${state}`);
    return command.add === 0 ? [] : [{ added: command.add }];
  },
  evolve: (state, event) => state + event.added,
};

describe('inSequence', () => {
  it('decides each command on the state the earlier ones left, all events together', () => {
    expect(inSequence(counter).decide([{ add: 2 }, { add: 0 }, { add: -2 }], 0)).toEqual([{ added: 2 }, { added: -2 }]);
  });

  it('refuses the whole list when one command is refused', () => {
    expect(() => inSequence(counter).decide([{ add: 1 }, { add: -2 }], 0)).toThrow('below zero at 1');
  });
});

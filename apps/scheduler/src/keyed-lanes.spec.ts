import { KeyedLanes } from './keyed-lanes';

/** A task that finishes when the test says so, recording its start and end. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    task: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLanes', () => {
  it('runs different keys together and one key in order', async () => {
    const log: string[] = [];
    const lanes = new KeyedLanes(10);
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    await lanes.add('a', a1.task);
    await lanes.add('a', a2.task);
    await lanes.add('b', b1.task);
    await settle();
    expect(log).toEqual(['start a1', 'start b1']);
    a2.open();
    b1.open();
    await settle();
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    a1.open();
    await lanes.drain();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('never runs more than its limit at once: add waits for a free slot', async () => {
    const log: string[] = [];
    const lanes = new KeyedLanes(2);
    const [h1, h2, h3] = [gate(log, 'h1'), gate(log, 'h2'), gate(log, 'h3')];
    await lanes.add('h1', h1.task);
    await lanes.add('h2', h2.task);
    let third = false;
    const adding = lanes.add('h3', h3.task).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    expect(log).toEqual(['start h1', 'start h2']);
    h1.open();
    await adding;
    await settle();
    expect(log).toEqual(['start h1', 'start h2', 'end h1', 'start h3']);
    h2.open();
    h3.open();
    await lanes.drain();
    expect(log).toHaveLength(6);
  });
});

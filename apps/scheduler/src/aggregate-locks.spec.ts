import { AggregateLocks } from './aggregate-locks';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AggregateLocks', () => {
  it('lets one holder of a key at a time, in the order they asked, and other keys at once', async () => {
    const locks = new AggregateLocks();
    const order: string[] = [];
    const first = await locks.acquire(['host/a']);
    const second = locks.acquire(['host/a']).then((release) => {
      order.push('second');
      return release;
    });
    const other = await locks.acquire(['host/b']);
    order.push('other');
    await tick();
    expect(order).toEqual(['other']);
    first();
    (await second)();
    other();
    expect(order).toEqual(['other', 'second']);
    expect(locks.size).toBe(0);
  });

  it('takes several keys in sorted order, so overlapping sets never wait for each other in a cycle', async () => {
    const locks = new AggregateLocks();
    const done: string[] = [];
    const run = async (name: string, keys: string[]) => {
      const release = await locks.acquire(keys);
      await tick();
      done.push(name);
      release();
    };
    await Promise.all([run('ab', ['a', 'b']), run('ba', ['b', 'a']), run('bc', ['c', 'b']), run('a', ['a'])]);
    expect(done.sort()).toEqual(['a', 'ab', 'ba', 'bc']);
    expect(locks.size).toBe(0);
  });

  it('releases once however often the release is called', async () => {
    const locks = new AggregateLocks();
    const release = await locks.acquire(['k']);
    release();
    release();
    const again = await locks.acquire(['k']);
    let third = false;
    void locks.acquire(['k']).then((r) => {
      third = true;
      r();
    });
    await tick();
    expect(third).toBe(false);
    again();
    await tick();
    expect(third).toBe(true);
  });
});

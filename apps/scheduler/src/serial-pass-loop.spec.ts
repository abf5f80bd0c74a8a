import { SerialPassLoop } from './serial-pass-loop';

describe('SerialPassLoop', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  function loopOf(pass: () => Promise<void>, failures: unknown[] = []) {
    return new SerialPassLoop({ pass, onFailure: (err) => failures.push(err), retryMs: 1_000, now: () => Date.now() });
  }

  it('coalesces requests made while a pass is scheduled into that pass', async () => {
    let passes = 0;
    const loop = loopOf(async () => void (passes += 1));
    loop.start();
    loop.request(50);
    loop.request(50);
    await jest.advanceTimersByTimeAsync(100);
    expect(passes).toBe(1);
    loop.request(50);
    await jest.advanceTimersByTimeAsync(100);
    expect(passes).toBe(2);
    await loop.stop();
  });

  it('never runs two passes at once', async () => {
    let active = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const loop = loopOf(async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise<void>((resolve) => (release = resolve));
      active -= 1;
    });
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.request(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(active).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(0);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(most).toBe(1);
    await loop.stop();
  });

  it('reports a failed pass and retries it after retryMs', async () => {
    const failures: unknown[] = [];
    let passes = 0;
    const loop = loopOf(async () => {
      passes += 1;
      if (passes === 1) throw new Error('store unavailable');
    }, failures);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(failures).toEqual([new Error('store unavailable')]);
    await jest.advanceTimersByTimeAsync(999);
    expect(passes).toBe(1);
    await jest.advanceTimersByTimeAsync(5);
    expect(passes).toBe(2);
    expect(failures).toHaveLength(1);
    await loop.stop();
  });

  it('wakes at the earliest deadline, replaces the timer on each call, and not at all after stop', async () => {
    let passes = 0;
    const loop = loopOf(async () => void (passes += 1));
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.wakeAt([Date.now() + 5_000, Date.now() + 2_000]);
    loop.wakeAt([Date.now() + 3_000]);
    await jest.advanceTimersByTimeAsync(2_500);
    expect(passes).toBe(1);
    await jest.advanceTimersByTimeAsync(600);
    expect(passes).toBe(2);
    loop.wakeAt([Date.now() + 1_000]);
    await loop.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(passes).toBe(2);
  });
});

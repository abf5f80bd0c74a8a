import { SimulatedRuntime } from '@berth/container-runtime';
import { ImagePreparer } from './image-preparer';

/** Unit spec on the SimulatedRuntime (the same runtime `--simulated` agents and fleet benchmarks prestage with). */
const request = (image: string) => ({ host: 'h1', rolloutId: 'r-1', jobId: `${image}:job`, image });

describe('ImagePreparer (on the SimulatedRuntime)', () => {
  it('PULLED for an image already local, without pulling', async () => {
    const runtime = new SimulatedRuntime({ images: ['local/busybox:1'], pullable: () => false });
    const status = await new ImagePreparer({ runtime, now: () => 0 }).prepare(request('local/busybox:1'));
    expect(status).toEqual({ image: 'local/busybox:1', rolloutId: 'r-1', jobId: 'local/busybox:1:job', state: 'PULLED', time: '1970-01-01T00:00:00.000Z' });
  });

  it('pulls a missing image once for concurrent requests, then PULLED; the image is then local', async () => {
    const runtime = new SimulatedRuntime({ pullDelayMs: 20 });
    const pull = jest.spyOn(runtime, 'pullImage');
    const preparer = new ImagePreparer({ runtime, now: Date.now });
    const statuses = await Promise.all([preparer.prepare(request('registry.local/app:2')), preparer.prepare({ ...request('registry.local/app:2'), rolloutId: 'r-2' })]);
    expect(statuses.map((s) => [s.rolloutId, s.state])).toEqual([['r-1', 'PULLED'], ['r-2', 'PULLED']]);
    expect(pull).toHaveBeenCalledTimes(1);
    expect(await runtime.imageExists('registry.local/app:2')).toBe(true);
  });

  it('IMAGE_MISSING when no registry has it, IMAGE_PULL_FAILED when the registry refuses or the engine is away, with the message', async () => {
    const missing = new ImagePreparer({ runtime: new SimulatedRuntime({ pullable: () => false }), now: Date.now });
    expect(await missing.prepare(request('registry.local/app:3'))).toMatchObject({ state: 'IMAGE_MISSING', error: expect.stringMatching(/manifest unknown/) });
    const runtime = new SimulatedRuntime({ registryAuth: { username: 'u', password: 'p' } });
    const refused = new ImagePreparer({ runtime, now: Date.now });
    expect(await refused.prepare(request('registry.local/app:4'))).toMatchObject({ state: 'IMAGE_PULL_FAILED', error: expect.stringMatching(/no basic auth credentials/) });
    runtime.setAvailable(false);
    expect(await refused.prepare(request('registry.local/app:5'))).toMatchObject({ state: 'IMAGE_PULL_FAILED', error: expect.stringMatching(/unavailable/) });
  });
});

import type { PortRange } from '@berth/domain';
import { resolvePorts } from './port-allocator';

const tcp = (internalPort: number, externalPort?: number) => ({ internalPort, protocol: 'tcp' as const, ...(externalPort === undefined ? {} : { externalPort }) });

describe('resolvePorts', () => {
  const job = { ports: { s: tcp(1, 80), a: tcp(2), b: tcp(3), c: tcp(4) } };

  it('uses static ports, then the scheduler’s allocation, then earlier ones, then free ports of the range', () => {
    expect(resolvePorts(job, { a: 30001 }, { b: 30002 }, new Set([20000]), { from: 20000, to: 20010 })).toEqual({ s: 80, a: 30001, b: 30002, c: 20001 });
  });

  describe('given a half-open range { from: 20000, to: 20002 } (ports 20000 and 20001)', () => {
    const range: PortRange = { from: 20000, to: 20002 };
    const two = { ports: { a: tcp(1), b: tcp(2) } };

    it('when two dynamic ports are free then they get the first port and the last one, 20000 and 20001', () => {
      expect(resolvePorts(two, {}, undefined, new Set(), range)).toEqual({ a: 20000, b: 20001 });
    });

    it('when 20000 is in use then the last port 20001 is handed out, and never `to` (20002) itself', () => {
      expect(resolvePorts(two, {}, undefined, new Set([20000]), range)).toEqual({ a: 20001 });
    });

    it('when both ports are in use then no dynamic port is allocated', () => {
      expect(resolvePorts(two, {}, undefined, new Set([20000, 20001]), range)).toEqual({});
    });
  });

  it('given the top of the port space (65534-65535) when allocating then 65535 is handed out', () => {
    expect(resolvePorts({ ports: { a: tcp(1), b: tcp(2) } }, {}, undefined, new Set(), { from: 65534, to: 65536 })).toEqual({ a: 65534, b: 65535 });
  });
});

import type { Anomaly } from '@berth/domain';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { reportAnomalies } from './anomaly-reporter';

describe('reportAnomalies', () => {
  it('logs each anomaly at warn and counts it by event type, an unknown type as unknown, until stopped', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'scheduler' });
    const listeners = new Set<(a: Anomaly) => void>();
    const source = { onAnomaly: (l: (a: Anomaly) => void) => (listeners.add(l), () => void listeners.delete(l)) };
    const stop = reportAnomalies(source, { logger, registry, knownTypes: new Set(['JobDeployed']) });

    const poison: Anomaly = { sequence: 3, aggregate: 'deployment', aggregateId: 'h1', eventType: 'JobDeployed', reason: 'deployed job x is unknown' };
    for (const l of listeners) l(poison);
    for (const l of listeners) l({ ...poison, eventType: 'Whatever-hand-edited', reason: 'unknown event type' });
    stop();
    for (const l of listeners) l(poison);

    const metrics = await registry.metrics();
    expect(metrics).toContain('berth_projection_anomalies_total{type="JobDeployed",service="scheduler"} 1');
    expect(metrics).toContain('berth_projection_anomalies_total{type="unknown",service="scheduler"} 1');
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, anomaly: poison }),
      expect.objectContaining({ level: 40, anomaly: expect.objectContaining({ eventType: 'Whatever-hand-edited' }) }),
    ]);
  });
});

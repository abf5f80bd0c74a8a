import type { Anomaly } from '@berth/domain';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from './logger';

export interface AnomalySource {
  onAnomaly(listener: (anomaly: Anomaly) => void): () => void;
}

export interface AnomalyReporterOptions {
  readonly logger: Logger;
  readonly registry: Registry;
  /** event types counted under their own label; any other (a hand-edited type) counts as `unknown`, so labels stay few */
  readonly knownTypes: ReadonlySet<string>;
}

/**
 * Logs each anomaly of a projection (warn) and counts it in
 * `berth_projection_anomalies_total{type}` (the registry adds `service`).
 * Returns the function that stops reporting.
 */
export function reportAnomalies(source: AnomalySource, options: AnomalyReporterOptions): () => void {
  const counter = new Counter({
    name: 'berth_projection_anomalies_total',
    help: 'events of the history the projection could not apply as written (recorded, then skipped or applied), by event type',
    labelNames: ['type'],
    registers: [options.registry],
  });
  return source.onAnomaly((anomaly) => {
    counter.inc({ type: options.knownTypes.has(anomaly.eventType) ? anomaly.eventType : 'unknown' });
    options.logger.warn({ anomaly }, 'projection anomaly: event recorded, not stopped on');
  });
}

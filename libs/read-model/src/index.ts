export * from './berth-projection';
export * from './berth-queries';
export * from './job-history-index';
export * from './deployment-group-queries';
export * from './release-queries';
export * from './release-plan-queries';
export * from './anomaly-log';
export * from './as-of';

/** Berth's version, reported by every component (agents' host info, schedulers' presence, the gateway, the CLI); package.json's. */
export const BERTH_VERSION = '0.1.0';

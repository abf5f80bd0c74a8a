import { resolve } from 'node:path';

/**
 * Where the gateway finds its files. It runs either from its sources
 * (tests, development: this file is apps/gateway/src/app/paths.ts) or as
 * the bundle tools/bundle-services.cjs builds (dist/services/gateway.cjs,
 * as `npm start` runs it), and paths are relative to whichever it is.
 */
export const RUNS_FROM_SOURCES = __filename.endsWith('.ts');

/** apps/gateway/schema.gql, committed; regenerated when the gateway runs from its sources, so schema changes show in review. */
export const SCHEMA_FILE = resolve(__dirname, '../../schema.gql');

/** The built console (`nx build console`): dist/apps/console in the repository. */
export const DEFAULT_CONSOLE_DIR = RUNS_FROM_SOURCES ? resolve(__dirname, '../../../../dist/apps/console') : resolve(__dirname, '../apps/console');

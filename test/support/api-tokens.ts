import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gateway's API tokens in end-to-end tests; the CLI runs with the admin one (BERTH_TOKEN). */
export const E2E_TOKENS = { admin: 'e2e-admin-token-0123456789', read: 'e2e-read-token-0123456789' } as const;

/**
 * Writes a gateway tokens file into `dir` and returns its path: the admin
 * token's subject is `adminSubject` (so it is the actor on every event the
 * CLI causes), the read token's `read-e2e`.
 */
export function writeGatewayTokens(dir: string, adminSubject: string): string {
  const file = join(dir, 'gateway-tokens.json');
  writeFileSync(file, JSON.stringify([
    { subject: adminSubject, role: 'admin', token: E2E_TOKENS.admin },
    { subject: 'read-e2e', role: 'read', token: E2E_TOKENS.read },
  ]));
  return file;
}

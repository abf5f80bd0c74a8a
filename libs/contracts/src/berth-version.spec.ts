import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BERTH_VERSION } from './berth-version';

it("BERTH_VERSION is the repository's package.json version", () => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string };
  expect(BERTH_VERSION).toBe(pkg.version);
});

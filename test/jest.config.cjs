const shared = require('../jest.shared.cjs');

// End-to-end: the whole system as real processes (nats-server, scheduler,
// agent on a real Docker engine), driven through its public APIs.
module.exports = {
  ...shared,
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  testTimeout: 60_000,
};

const shared = require('../../jest.shared.cjs');

module.exports = {
  ...shared,
  displayName: 'gateway',
  rootDir: __dirname,
  // the int specs start nats-server and a scheduler process in beforeAll: seconds on a loaded 2-core machine
  testTimeout: 30_000,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
};

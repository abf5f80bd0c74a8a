const shared = require('../../jest.shared.cjs');

module.exports = {
  ...shared,
  displayName: 'agent',
  // real containers on a real engine: a start or a pull takes seconds on a loaded machine
  testTimeout: 20_000,
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
};

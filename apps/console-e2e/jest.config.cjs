const shared = require('../../jest.shared.cjs');

// The web console in a real headless Chromium against the real stack
// (nats-server, scheduler and gateway processes; agents speaking the real protocol).
// Needs the built console: the Nx test target depends on console:build.
module.exports = {
  ...shared,
  displayName: 'console-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.browser-spec.ts'],
  testTimeout: 90_000,
};

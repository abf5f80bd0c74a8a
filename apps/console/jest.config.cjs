const shared = require('../../jest.shared.cjs');
const swcOptions = require('../../tools/swc-options.cjs');

// Component and logic tests in jsdom; swc also compiles TSX with React's automatic runtime.
module.exports = {
  ...shared,
  displayName: 'console',
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        ...swcOptions,
        jsc: {
          ...swcOptions.jsc,
          parser: { ...swcOptions.jsc.parser, tsx: true },
          transform: { ...swcOptions.jsc.transform, react: { runtime: 'automatic' } },
        },
        sourceMaps: true,
      },
    ],
  },
  moduleFileExtensions: ['tsx', 'ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.spec.tsx'],
};

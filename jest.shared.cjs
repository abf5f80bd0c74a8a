// Shared jest settings: every project's jest.config.cjs spreads this.
const path = require('node:path');
const swcOptions = require('./tools/swc-options.cjs');
const aliases = require('./tools/workspace-aliases.cjs');

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

module.exports = {
  testEnvironment: 'node',
  passWithNoTests: true,
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { ...swcOptions, sourceMaps: true }],
  },
  // jest does not read tsconfig paths
  moduleNameMapper: Object.fromEntries(Object.entries(aliases).map(([alias, file]) => [`^${escape(alias)}$`, file])),
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', path.join(__dirname, 'tools', 'jest-totals-reporter.cjs')],
};

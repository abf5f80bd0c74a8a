// Shared jest settings: every project's jest.config.cjs spreads this.
const path = require('node:path');

const libs = ['domain', 'contracts', 'event-store', 'container-runtime', 'testing'];

module.exports = {
  testEnvironment: 'node',
  passWithNoTests: true,
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // jest does not read tsconfig paths
  moduleNameMapper: Object.fromEntries(
    libs.map((lib) => [`^@berth/${lib}$`, path.join(__dirname, 'libs', lib, 'src', 'index.ts')]),
  ),
  moduleFileExtensions: ['ts', 'js', 'json'],
};

// One swc configuration for jest and for running TypeScript entry points
// directly (scripts/start, bench): decorators with metadata, CommonJS output.
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

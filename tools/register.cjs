// Lets `node -r ./tools/register.cjs app.ts` run the TypeScript sources
// directly: compiles .ts with swc (same options as the tests) and resolves
// the @berth/* aliases. Used by scripts/start and the benchmarks.
const Module = require('node:module');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const swcOptions = require('./swc-options.cjs');
const aliases = require('./workspace-aliases.cjs');

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, ...rest) {
  const target = aliases[request];
  return originalResolve.call(this, target ?? request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions, filename, swcrc: false, configFile: false });
  module._compile(code, filename);
};

// The @berth/* import aliases, read from tsconfig.base.json so that jest and
// the runtime require hook resolve exactly what tsc resolves.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

/** alias → absolute path of its entry file */
module.exports = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]),
);

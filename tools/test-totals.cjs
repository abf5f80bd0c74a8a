// Sums the jest totals written by jest-totals-reporter.cjs and prints the one
// closing line CI reads: `N passed, N failed`. A failed lint or type-check
// task, or a suite that could not run, counts as a failure too, so a red run
// never prints `0 failed`. Exit code: non-zero when anything failed.
const fs = require('node:fs');
const path = require('node:path');

const [resultsDir, nxLog, nxStatus] = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const file of fs.readdirSync(resultsDir)) {
  const totals = JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));
  passed += totals.passed;
  failed += totals.failed + totals.failedSuites;
}
// Nx lists failed tasks as "- project:target" after "Failed tasks:".
const log = fs.readFileSync(nxLog, 'utf8');
const failedBlock = log.split('Failed tasks:')[1] ?? '';
const failedNonTest = [...failedBlock.matchAll(/^\s*- (\S+):(lint|typecheck)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
failed += failedNonTest.length;
if (failedNonTest.length > 0) console.log(`failed checks: ${failedNonTest.join(', ')}`);
if (Number(nxStatus) !== 0 && failed === 0) failed = 1; // Nx failed for a reason we could not attribute
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || Number(nxStatus) !== 0 ? 1 : 0);

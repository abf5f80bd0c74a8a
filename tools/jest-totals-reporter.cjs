// Writes each jest run's totals to $BERTH_TEST_RESULTS_DIR so that
// scripts/test can print one `N passed, N failed` line for the whole run.
const fs = require('node:fs');
const path = require('node:path');

class JestTotalsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.BERTH_TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const totals = {
      project: path.basename(this.globalConfig.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      // a suite that could not run (syntax error, failed beforeAll) has no failed tests of its own
      failedSuites: results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(path.join(dir, `jest-${process.pid}-${Date.now()}.json`), JSON.stringify(totals));
  }
}

module.exports = JestTotalsReporter;

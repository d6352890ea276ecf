#!/usr/bin/env node
// Prints `N passed, N failed, N skipped` from vitest's JSON report and exits non-zero on any
// failure. Skipped counts the tests that did not run (skip, todo). A suite that failed to load
// counts as a failure even though it ran no test; a missing report (vitest crashed) is a failure
// too, and so is a non-zero vitest status with no failed test in the report.
import {readFileSync} from 'node:fs';

const [reportPath, vitestStatus] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed++;
  }
} catch (e) {
  console.error(`no vitest report at ${reportPath}: ${e.message}`);
  failed = Math.max(failed, 1);
}
if (failed === 0 && Number(vitestStatus) !== 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);

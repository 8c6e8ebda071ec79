/**
 * Guards the checkout: running the tests must not write into `reports/` (a user's own reports
 * live there). Every test writes to a temporary folder; this fails the run if one did not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPORTS = path.resolve('reports');

function listing(): string[] {
  return fs.existsSync(REPORTS) ? fs.readdirSync(REPORTS).sort() : [];
}

export default function setup(): () => void {
  const before = listing();
  return () => {
    const after = listing();
    const added = after.filter((f) => !before.includes(f));
    const removed = before.filter((f) => !after.includes(f));
    if (added.length > 0 || removed.length > 0) {
      process.exitCode = 1; // vitest reports a teardown error but would still exit 0
      throw new Error(`the tests changed the checkout's reports/ folder (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}): a test must write its reports to a temporary folder (--report <tmp> or --no-report)`);
    }
  };
}

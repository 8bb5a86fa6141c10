/**
 * `npm test`: runs vitest once, then prints one plain closing line "tests: N passed, N failed,
 * N skipped" that any CI can read. Exits with vitest's exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const out = path.resolve('.vitest/results.json');
mkdirSync(path.dirname(out), { recursive: true });
const vitest = path.resolve('node_modules/vitest/vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], { stdio: 'inherit' });
try {
  const res = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  console.log(`tests: ${res.numPassedTests} passed, ${res.numFailedTests} failed, ${res.numPendingTests + res.numTodoTests} skipped`);
} catch {
  console.log('tests: 0 passed, 1 failed (vitest wrote no results)');
}
process.exit(r.status ?? 1);

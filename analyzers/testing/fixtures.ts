/**
 * Where the real EMDB fixtures live for tests: `../shared/fixtures/emdb` next to the project root
 * (override with EMVR_FIXTURES). Tests that need them skip with a visible message when absent,
 * so a fresh clone without `../shared` still passes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const fixturesDir =
  process.env.EMVR_FIXTURES ?? path.resolve(projectRoot, '../shared/fixtures/emdb');

/** True when the fixture folder exists; prints one visible line per test file when it does not. */
export function haveFixtures(what = 'EMDB fixture tests'): boolean {
  if (existsSync(fixturesDir)) return true;
  console.warn(`SKIPPED ${what}: fixtures not found at ${fixturesDir} (set EMVR_FIXTURES or provide ../shared)`);
  return false;
}

/** Absolute path of a file under the fixture folder. */
export function fixture(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

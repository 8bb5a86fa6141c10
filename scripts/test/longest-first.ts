/**
 * Vitest's file order: longest first, by the seconds each file took in the last `npm test` of this
 * checkout (.vitest/results.json), else in the run recorded in scripts/test/file-seconds.json (a
 * clean clone has no run of its own). With two workers the slowest files then start at once
 * instead of last, where one would run alone while the other core idles (vitest's own order, from
 * its cache, is the glob order in a clean clone: the pipeline tests of scripts/ last). Files known
 * to neither run first, as vitest does with files it has not seen.
 *
 * Refresh the recorded run after a full `npm test`: node scripts/test/longest-first.ts --write
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAST_RUN = path.join(ROOT, '.vitest', 'results.json');
const RECORDED = path.join(ROOT, 'scripts', 'test', 'file-seconds.json');

interface VitestJson {
  testResults: { name: string; startTime: number; endTime: number }[];
}

/** Seconds per test file (path relative to the project) in vitest's JSON report. */
export function fileSeconds(json: VitestJson): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of json.testResults) out[path.relative(ROOT, f.name)] = Math.round((f.endTime - f.startTime) / 100) / 10;
  return out;
}

function known(): Record<string, number> {
  try {
    if (existsSync(LAST_RUN)) return { ...JSON.parse(readFileSync(RECORDED, 'utf8')), ...fileSeconds(JSON.parse(readFileSync(LAST_RUN, 'utf8'))) };
    return JSON.parse(readFileSync(RECORDED, 'utf8'));
  } catch {
    return {};
  }
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = known();
    const of = (f: TestSpecification) => seconds[path.relative(ROOT, f.moduleId)] ?? Number.POSITIVE_INFINITY;
    // Infinity − Infinity is NaN: two unknown files keep their order.
    return [...files].sort((a, b) => of(b) - of(a) || 0);
  }
}

if (import.meta.main) {
  if (process.argv[2] !== '--write' || !existsSync(LAST_RUN)) {
    console.error(`usage: node scripts/test/longest-first.ts --write   (after a full npm test, which writes ${path.relative(ROOT, LAST_RUN)})`);
    process.exit(2);
  }
  const s = fileSeconds(JSON.parse(readFileSync(LAST_RUN, 'utf8')));
  writeFileSync(RECORDED, `${JSON.stringify(Object.fromEntries(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : 1))), null, 1)}\n`);
  console.log(`${RECORDED}: ${Object.keys(s).length} files`);
}

/**
 * Every field of the reports of 9 phantoms and 6 real maps (golden-reports.ts) equals its golden
 * copy, bit for bit: item values, warnings, statuses, result sentences, tables, score, abstract,
 * inputs and parameters; only timings and the analyzer version may differ. The first goldens were
 * written by the schema-1 analyzer, so this also proves the schema-1 migration.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportItems } from '../../analyzers/report/schema.ts';
import { haveFixtures } from '../../analyzers/testing/fixtures.ts';
import { analyzeGoldenCase, comparable, GOLDEN_CASES, readGolden } from './golden-reports.ts';
import { sharedAnalysis } from './shared-analysis.ts';

const fixturesReady = haveFixtures('golden reports of the real EMDB maps');
let work = '';
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('reports equal their golden copies (all values, bit for bit)', () => {
  for (const c of GOLDEN_CASES) {
    it.skipIf(c.kind === 'fixture' && !fixturesReady)(c.name, async () => {
      work ||= await mkdtemp(path.join(tmpdir(), 'emvr-golden-test-'));
      const [golden, actual] = await Promise.all([readGolden(c.name), analyzeGoldenCase(c, work, sharedAnalysis)]);
      const a = comparable(actual) as typeof actual;
      const g = comparable(golden) as typeof golden;
      // Item by item first, so that a difference names its item.
      const gItems = reportItems(g);
      expect(reportItems(a).map((i) => i.id)).toEqual(gItems.map((i) => i.id));
      for (const [k, item] of reportItems(a).entries()) expect(item, `item ${item.id}`).toEqual(gItems[k]);
      expect(a).toEqual(g);
    }, 600_000);
  }
});

/**
 * The curated result lists of the item specs, on the golden reports (Levels 0 and 1): every
 * measured item shows a list, in readers' words, with clean numbers, and a quantity that a result
 * sentence also states reads the same in both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rawValueKeys, scanText } from '../../scripts/site/page-scan.ts';
import { resultLines } from './result-list.ts';
import { itemSpec, parseReport, reportItem, reportItems, type ItemId, type Report } from './schema.ts';
import type { ResultRow } from './item-spec.ts';

// Read directly (not through golden-reports.ts, which loads the whole analyzer).
const GOLDEN_DIR = path.join(import.meta.dirname, '../../scripts/testing/golden');
const GOLDEN_NAMES = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json.gz')).map((f) => f.slice(0, -'.json.gz'.length));
const readGolden = (name: string): Report => parseReport(JSON.parse(gunzipSync(readFileSync(path.join(GOLDEN_DIR, `${name}.json.gz`))).toString('utf8')), name);

const rows = (id: ItemId) => itemSpec(id).display as unknown as { results: readonly ResultRow<unknown>[]; details: readonly ResultRow<unknown>[] };

describe('curated result lists', () => {
  it('every measured item of every golden report has a list with labels and numbers a reader can read', () => {
    const keys = rawValueKeys();
    let lines = 0;
    expect(GOLDEN_NAMES.length).toBeGreaterThan(10);
    for (const name of GOLDEN_NAMES) {
      const c = { name };
      const r = readGolden(name);
      for (const it of reportItems(r)) {
        if (it.status !== 'ok' && it.status !== 'warnings') continue;
        const { results, details } = rows(it.id as ItemId);
        const shown = [...resultLines(results, it.values), ...resultLines(details, it.values)];
        expect(resultLines(results, it.values).length, `${c.name} ${it.id}`).toBeGreaterThan(0);
        for (const l of shown) expect(scanText(`${l.label} ${l.text}`, keys), `${c.name} ${it.id} ${l.label}`).toEqual([]);
        lines += shown.length;
      }
    }
    expect(lines).toBeGreaterThan(100);
  });

  it('0.b of the well-behaved phantom: one component, and its volumes read as in the sentences', () => {
    const r = readGolden('phantom-well-behaved');
    const b = reportItem(r, '0.b')!;
    const list = Object.fromEntries(resultLines(rows('0.b').results, b.values).map((l) => [l.label, l.text]));
    expect(list['Connected components of the raw mask']).toBe('1');
    expect(list['Raw mask volume']).toBe('23\u202f299 Å³');
    expect(b.results[0]).toContain(`there is 1 connected component with 13\u202f483 voxels in total, a volume of ${list['Raw mask volume']}.`);
    expect(b.results[3]).toContain(`a volume of ${list['Constructed mask volume']}.`);
    // No component outside the 95% set: no average volume to show.
    expect(list['Average volume of the other components']).toBeUndefined();
  });
});

/**
 * What could not be measured and what was refused, as the archive's readers see them: the CSV
 * words, the index row of a refused entry, its search record and the status label's wording.
 */
import { describe, expect, it } from 'vitest';
import { makeRefusal } from '../../analyzers/report/refusal.ts';
import { ITEM_IDS } from '../../analyzers/report/schema.ts';
import { archiveCsv, KEY_VALUES, refusalRow, STATUS_CODE, type IndexRow } from '../../site/src/lib/archive-index.ts';
import { fanOut } from '../../site/src/lib/entry-path.ts';
import { statusLabel } from '../../site/src/lib/format.ts';
import { refusalSearchRecord } from '../../site/src/lib/search-record.ts';

const refusal = makeRefusal(
  { id: 'EMD-90005', title: 'Too high', authors: ['A. Curator'], depositionDate: '2024-01-02', releaseDate: '2024-01-15', resolution: 3.5, threshold: 1.04, method: 'singleParticle' },
  'analysis',
  'threshold 1.04 is too high: no voxel of /data/cache/EMD-90005/emd_90005.map.gz reaches it (map maximum 0.70); lower it',
  '9.9.9',
);

describe('refused and not-measured entries in the archive', () => {
  it('a refused entry has a row: no score, every item refused, no key value', () => {
    const row = refusalRow(refusal);
    expect(row.slice(0, 7)).toEqual(['EMD-90005', 'Too high', 3.5, '2024-01-02', '2024-01-15', 0, 0]);
    expect(row[7]).toBe('r'.repeat(ITEM_IDS.length));
    expect(row[8]).toEqual(ITEM_IDS.map(() => 0));
    expect(row.slice(9)).toEqual(KEY_VALUES.map(() => null));
  });

  it('all.csv says "refused" and "not-measured", never "failed"', () => {
    const masked = [...refusalRow(refusal)] as IndexRow;
    masked[0] = 'EMD-90010';
    masked[7] = ITEM_IDS.map((k) => (k === '0.c' ? STATUS_CODE.failed : STATUS_CODE.ok)).join('');
    const lines = archiveCsv({ rows: [refusalRow(refusal), masked], skipped: [] }).split('\n');
    const header = lines[0].split(',');
    const cells = (k: number, item: string) => lines[k].split(',')[header.indexOf(`status_${item.replace('.', '')}`)];
    expect(ITEM_IDS.map((k) => cells(1, k))).toEqual(ITEM_IDS.map(() => 'refused'));
    expect(cells(2, '0.c')).toBe('not-measured');
    expect(cells(2, '0.a')).toBe('ok');
    expect(lines.join('\n')).not.toMatch(/failed/u);
  });

  it('a refused entry is found by its ID, title, authors and reason; its result reads "refused"', () => {
    const rec = refusalSearchRecord(refusal, fanOut(1000));
    expect(rec.meta).toEqual({ title: 'EMD-90005 Too high', entry: 'EMD-90005', score: 'refused' });
    expect(rec.content).toBe('EMD-90005\nToo high\nA. Curator\nrefused: threshold 1.04 is too high: no voxel of emd_90005.map.gz reaches it (map maximum 0.70); lower it');
    expect(rec.url).toMatch(/\/EMD-90005\/$/u);
  });

  it('the entry page and the table call a failed item "not measured", not "fail"', () => {
    expect(statusLabel('failed', 0)).toMatchObject({ text: 'Could not be measured', short: 'not measured', icon: '⊘' });
  });
});

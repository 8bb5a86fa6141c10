/**
 * Q_relative against a direct rank in the archive CSV, the shipped copy against the shared
 * fixture it was made from, and the margin of A.e's "well below the expected Q" warning against
 * the archive's spread around the published line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../testing/fixtures.ts';
import { BELOW_EXPECTED_MARGIN, expectedQ } from './q-expected.ts';
import { ARCHIVE_Q_FILE, archiveQ, archiveQFromSource, percentileOf, qRelative, similarResolution } from './q-relative.ts';

const SOURCE = path.resolve(fixturesDir, '../archive/emdb-qscores.csv');
const haveSource = existsSync(SOURCE);
if (!haveSource) console.warn(`SKIPPED the shipped-copy check of Q_relative: ${SOURCE} not found (set EMVR_FIXTURES or provide ../shared)`);

/** Rank by sorting: entries strictly below found by binary search in the sorted scores, ties by scan. */
function directRank(q: number, scores: number[]): number {
  const s = [...scores].sort((a, b) => a - b);
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid] < q) lo = mid + 1;
    else hi = mid;
  }
  let eq = 0;
  while (lo + eq < s.length && s[lo + eq] === q) eq++;
  return (100 * (lo + eq / 2)) / s.length;
}

describe('Q_relative', () => {
  const archive = archiveQ();

  it('the shipped copy holds the ~10,188 entries with finite resolution and Q', () => {
    expect(archive.length).toBe(10188);
    expect(archive.every((e) => e.q >= -1 && e.q <= 1 && e.resolution > 0)).toBe(true);
  });

  it.skipIf(!haveSource)('the shipped copy equals the fixture\'s columns emdb_id, reported resolution, q_score', () => {
    const shipped = gunzipSync(readFileSync(ARCHIVE_Q_FILE)).toString('utf8');
    expect(shipped).toBe(archiveQFromSource(readFileSync(SOURCE, 'utf8')));
    const rows = readFileSync(SOURCE, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const r = rows[1234];
    expect(shipped.split('\n')[1235]).toBe(`${r[0]},${r[2]},${r[3]}`);
  });

  it('equals a direct rank among all entries and among the 1,000 nearest in resolution (ties included)', () => {
    for (const [q, res] of [[0.65, 1.75], [0.42, 3.5], [0.1, 8], [0.9, 1.2], [0.55, 3.2]] as const) {
      const rel = qRelative(q, res, archive);
      expect(rel.all).toBe(directRank(q, archive.map((e) => e.q)));
      expect(rel.allEntries).toBe(archive.length);
      // The band by sorting on |Δres|: the 1,000th distance and everything within it.
      const byDistance = [...archive].sort((a, b) => Math.abs(a.resolution - res) - Math.abs(b.resolution - res));
      const edge = Math.abs(byDistance[999].resolution - res);
      const band = byDistance.filter((e) => Math.abs(e.resolution - res) <= edge);
      expect(band.length).toBeGreaterThanOrEqual(1000);
      expect(rel.resolutionEntries).toBe(band.length);
      expect(rel.resolution).toBe(directRank(q, band.map((e) => e.q)));
      expect(rel.band).toEqual([Math.min(...band.map((e) => e.resolution)), Math.max(...band.map((e) => e.resolution))]);
    }
  });

  it('mid-rank percentile: ties count half, 0 below everything, 100 above', () => {
    expect(percentileOf(0.5, [0.1, 0.5, 0.5, 0.9])).toBe(50);
    expect(percentileOf(-1, [0.1, 0.2])).toBe(0);
    expect(percentileOf(2, [0.1, 0.2])).toBe(100);
    expect(similarResolution(3, [{ id: 'a', resolution: 3, q: 0 }], 5)).toHaveLength(1);
  });

  it('the "well below expected" margin is the archive\'s 5th percentile below the protein line', () => {
    const d = archive.map((e) => e.q - expectedQ(e.resolution, 'protein')).sort((a, b) => a - b);
    const p5 = d[Math.floor(0.05 * d.length)];
    console.log(`archive: 5th percentile of q − expected ${p5.toFixed(3)}; margin ${BELOW_EXPECTED_MARGIN}`);
    expect(Math.abs(-BELOW_EXPECTED_MARGIN - p5)).toBeLessThan(0.03);
  });
});

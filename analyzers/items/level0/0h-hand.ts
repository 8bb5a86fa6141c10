/**
 * 0.h Hand: the helix-chirality test (methods/helix-hand.ts, the classical replacement of
 * DeepHand), its warnings, sentences and segment table, and the figure of the segments it used.
 */
import { handTest, type HandTestResult } from '../../methods/helix-hand.ts';
import { handSpec } from '../../report/items/level0/0h-hand.ts';
import type { Table } from '../../report/schema.ts';
import { f } from '../../util/format.ts';
import type { Vec3 } from '../../volume/volume.ts';
import { implementItem, type ItemResult } from '../item.ts';

/**
 * Warnings of a hand score, one per condition (project decision; VRS emitted both above 0.5):
 * score > 0.5 → `0h.flipped`; 0.4 < score ≤ 0.5 → `0h.uncertain`; otherwise none.
 */
export function handWarnings(score: number): ItemResult['warnings'] {
  if (score > 0.5) {
    return [{ code: '0h.flipped', text: `The map seems to be mirrored (wrong hand): the helix-chirality score is ${f(score, 2)} (> 0.5), most of the α-helices found wind left-handed. Flip the hand of the map.` }];
  }
  if (score > 0.4) {
    return [{ code: '0h.uncertain', text: `The hand of the map is uncertain: the helix-chirality score is ${f(score, 2)} (between 0.4 and 0.5).` }];
  }
  return [];
}

/** Values, warnings, sentences and segment table of 0.h from a hand test. */
export function measureHand(h: HandTestResult): ItemResult {
  const { segments, score } = h;
  const table: Table = {
    id: 'hand-segments',
    caption: 'α-helix segments found in the map: axis end points, length, chirality index h (< 0 right-handed, > 0 left-handed), helicity η and weight in the score',
    columns: [
      { key: 'start', label: 'Start (x, y, z)', unit: 'Å' },
      { key: 'end', label: 'End (x, y, z)', unit: 'Å' },
      { key: 'length', label: 'Length', unit: 'Å' },
      { key: 'h', label: 'Chirality index h' },
      { key: 'helicity', label: 'Helicity η' },
      { key: 'weight', label: 'Weight', unit: 'Å' },
      { key: 'used', label: 'Used' },
    ],
    rows: segments.map((s) => [xyz(s.start), xyz(s.end), r2(s.lengthA), r3(s.h), r3(s.helicity), r2(s.weight), s.used ? 'yes' : 'no']),
  };
  return {
    warnings: handWarnings(score),
    values: {
      score,
      helixSegments: h.usedSegments,
      helixTotalLengthA: h.totalLengthA,
      evidenceA: h.evidenceA,
      leftHandedSegments: h.leftHandedSegments,
      lowPassA: h.lowPassA,
    },
    results: [
      `Helix-chirality hand test (classical replacement of DeepHand): ${h.usedSegments} α-helix segments (total length ${f(h.totalLengthA, 0)} Å) were found in the map low-passed at ${f(h.lowPassA, 1)} Å.`,
      `${h.leftHandedSegments} of them wind left-handed; the length- and strength-weighted share of left-handed segments (the hand score) is ${f(score, 3)} (0 = correct hand, 1 = mirrored), on chirality evidence Σ length·|h| = ${f(h.evidenceA, 0)} Å (at least 30 Å are needed).`,
    ],
    tables: [table],
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const xyz = (p: Vec3) => p.map((x) => x.toFixed(1)).join(', ');

export const handItem = implementItem({
  spec: handSpec,
  compute: async (ctx) => {
    const h = await handTest(ctx.map, ctx.threshold, ctx.resolution);
    return { ...measureHand(h), extra: h };
  },
  outputs: async (ctx, m) => ({ figures: await ctx.figures.handFigures(m.extra), files: [] }),
});

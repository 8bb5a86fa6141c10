/**
 * The grid of the accuracy suite: every simulated case, each a family of items run on maps with a
 * known answer under one condition. A case is fully described by its fields (seed included), so a
 * worker rebuilds the same bytes whatever process or order runs it.
 *
 * Families:
 * - `map` (Level 0 on a single map): procedural protein, global B, white noise designed for an FSC
 *   crossing 0.143 at the stated resolution (or at 1.25 × it: more noise, reported as such); seeds
 *   2 and 5 (one in three) are decentred along x, mirrored and have a background offset, so 0.a, 0.c and 0.h have non-zero
 *   truths; optionally masked by its own molecular mask, as masked deposits are.
 * - `halves` (Level 1 and 0.e): half maps with a designed FSC, uniform, two regions of different
 *   resolution, or anisotropic (z coarser).
 * - `model` (Level A): the analyzer's own model map plus designed white noise, with the model.
 */
import type { AccuracyConditions } from '../../analyzers/report/accuracy.ts';

export type CaseFamily = 'map' | 'halves' | 'model';

export interface AccuracyCase {
  /** Stable name, e.g. "map-3.5A-nominal-s2". */
  readonly id: string;
  readonly family: CaseFamily;
  readonly resolution: number;
  readonly noise: AccuracyConditions['noise'];
  readonly layout: AccuracyConditions['layout'];
  readonly masked: boolean;
  /** Box edge (voxels, cubic). */
  readonly box: number;
  readonly voxelA: number;
  /** Seed of the protein and of the noise (1, 2, 3…). */
  readonly seed: number;
  /** Items to measure (all of the family when absent): a test runs a cheap subset. */
  readonly items?: readonly string[];
}

/** The resolutions of the grid (Å) and the voxel edge each is simulated on (Å): R/Ts from 2.5 to 4, as deposited maps have. */
export const RESOLUTIONS: readonly (readonly [number, number])[] = [
  [2.5, 1.0],
  [3.5, 1.2],
  [5, 1.6],
  [8, 2.0],
];

/** Box edge of seed s: 96, 128, 96, 128, 96 (box size is a pooled condition: seeds alternate it). */
export function boxForSeed(seed: number): number {
  return seed % 2 === 0 ? 128 : 96;
}

/** Factor on the resolution at which the 'high' noise makes the FSC cross 0.143. */
export const HIGH_NOISE_FACTOR = 1.25;

/** Coarser resolution (× the design) of the second region and of the z axis in the non-uniform layouts. */
export const COARSE_FACTOR = 1.6;

function caseOf(family: CaseFamily, resolution: number, voxelA: number, seed: number, o: { noise?: AccuracyConditions['noise']; layout?: AccuracyConditions['layout']; masked?: boolean; box?: number } = {}): AccuracyCase {
  const noise = o.noise ?? 'nominal';
  const layout = o.layout ?? 'uniform';
  const masked = o.masked ?? false;
  const box = o.box ?? boxForSeed(seed);
  const tags = [family, `${resolution}A`, noise, ...(layout === 'uniform' ? [] : [layout]), ...(masked ? ['masked'] : []), `b${box}`, `s${seed}`];
  return { id: tags.join('-'), family, resolution, noise, layout, masked, box, voxelA, seed };
}

/**
 * Every case of the full grid (148), or of the quick slice (--quick: 3.5 Å only, one seed, box 96,
 * one case per family and layout).
 */
export function accuracyCases(slice: 'full' | 'quick'): AccuracyCase[] {
  const out: AccuracyCase[] = [];
  const seeds = slice === 'quick' ? [1] : [1, 2, 3, 4, 5];
  const grid = slice === 'quick' ? RESOLUTIONS.filter(([r]) => r === 3.5) : RESOLUTIONS;
  for (const [r, ts] of grid) {
    for (const s of seeds) {
      for (const noise of ['nominal', 'high'] as const) {
        if (slice === 'quick' && noise === 'high') continue;
        out.push(caseOf('map', r, ts, s, { noise }));
        out.push(caseOf('model', r, ts, s, { noise, box: 96 }));
      }
      if (s <= 2) out.push(caseOf('map', r, ts, s, { masked: true, box: 96 }));
      for (const layout of ['uniform', 'two-region', 'anisotropic'] as const) out.push(caseOf('halves', r, ts, s, { layout }));
    }
  }
  if (slice === 'quick') return out.map((c) => ({ ...c, box: 96, id: c.id.replace(/-b\d+-/u, '-b96-') }));
  return out;
}

/**
 * 1.c Local resolution by a local FSC of the half maps (level1A-spec.md §1.c, Blocres-like;
 * methods/local-fsc.ts) over the soft mask: the §0 local-resolution summary (percentiles,
 * histogram, percentile of the reported resolution), its two warnings, sentences and percentile
 * table, coloured surface views and the local-resolution map as a download.
 */
import { CALIBRATED_CUTOFF, localFsc, localFscBox, REGION_FLOOR, type LocalFscResult } from '../../methods/local-fsc.ts';
import { localResolutionStatistics } from '../../methods/monores.ts';
import { localFscSpec } from '../../report/items/level1/1c-local-fsc.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';
import { localResolutionOutputs, localResolutionTable, localResolutionWarnings, round3 } from '../local-resolution-report.ts';

/** Values, warnings, sentences and table of 1.c from a local-FSC run and the reported resolution (Å, or null). */
export function measureLocalFsc(out: LocalFscResult, reported: number | null, ts: number): Measurement<Float32Array> {
  // Without a reported resolution P is meaningless: computed against +∞ and reported as null.
  const st = localResolutionStatistics(out.resmap, reported ?? Infinity);
  const { p2_5, p25, p50, p75, p97_5 } = st.percentiles;
  const P = reported === null ? null : st.reportedResolutionPercentile;
  const { box, lattice, cutoff, range } = out;
  const table = localResolutionTable('local-fsc-percentiles', 'Representative percentiles of the local resolution (local FSC) over the analysed region', st);
  const bounds = [
    out.atFinest > 0 ? `${out.atFinest} stayed above the cutoff up to Nyquist (${f(range[0], 2)} Å)` : '',
    out.atCoarsest > 0 ? `${out.atCoarsest} were below it from the first shell (${f(range[1], 1)} Å, the box)` : '',
  ].filter((s) => s !== '');
  const results = [
    `The local FSC of the half maps was computed in cubes of ${box} voxels (${f(box * ts, 1)} Å, Hann window, zero-padded to ${2 * box}) at ${lattice.nodes.length} lattice points every ${lattice.step} voxels over the soft mask (${out.regionVoxels} voxels), read where it falls below ${cutoff} (the cutoff at which half maps designed to cross 0.143 at a known resolution give that resolution; Blocres reads 0.5), and interpolated between the lattice points${bounds.length > 0 ? `; of the lattice points, ${bounds.join(' and ')}` : ''}.`,
    `The local resolution over the soft mask has median ${f(p50)} Å, interquartile range ${f(p25)}–${f(p75)} Å, and 95% of the voxels between ${f(p2_5)} and ${f(p97_5)} Å. Some representative percentiles are in the table.`,
    P === null
      ? 'No resolution was reported, so the local values are not compared with it.'
      : `The reported resolution, ${f(reported as number)} Å, is at percentile ${f(P)}% of the local resolutions (the fraction of voxels with a better local resolution).`,
  ];
  return {
    warnings: localResolutionWarnings('1c', st, reported),
    notEvaluable: reported === null ? 'no resolution was reported to compare the local resolutions with' : undefined,
    values: {
      percentiles: { p2_5, p25, p50, p75, p97_5 },
      histogram: st.histogram,
      median: p50,
      reportedResolutionPercentile: P,
      voxels: st.count,
      box,
      step: lattice.step,
      cutoff,
      nodes: lattice.nodes.length,
      range: [round3(range[0]), round3(range[1])],
      nodesAtFinest: out.atFinest,
      nodesAtCoarsest: out.atCoarsest,
      regionFloor: REGION_FLOOR,
    },
    results,
    tables: [table],
    extra: out.resmap,
  };
}

export const localFscItem = implementItem({
  spec: localFscSpec,
  uses: ['softMask'],
  compute: async (ctx) => {
    const [h1, h2] = ctx.halfMaps as readonly [Volume, Volume];
    const ts = h1.voxelSize[0];
    const out = await localFsc(h1, h2, await ctx.softMask(), { box: localFscBox(ctx.resolution, ts), cutoff: CALIBRATED_CUTOFF });
    return measureLocalFsc(out, ctx.resolution, ts);
  },
  outputs: (ctx, m) => localResolutionOutputs(ctx, m, { stem: '1c-local-fsc', itemId: '1c', name: 'Local resolution', label: 'Local resolution by local FSC (Å)' }),
});

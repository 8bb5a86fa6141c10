/**
 * 1.b FSC permutation test (level1A-spec.md §1.b): FDR-FSC of the half maps (methods/fdr-fsc.ts),
 * SPOC's B-factor when the FDR resolution is finer than 8 Å, the per-shell table and plot, and
 * VRS's criterion (a reported resolution better than 0.8 × the FDR-FSC resolution warns).
 */
import { fdrFsc, shellTable as fdrShellTable, spocBFactor, type FdrFsc } from '../../methods/fdr-fsc.ts';
import { fdrFscSpec } from '../../report/items/level1/1b-fdr-fsc.ts';
import type { Table, Warning } from '../../report/schema.ts';
import { fdrFscPlot } from '../../figures/fsc-plots.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

const FDR = 0.01;
const MAX_PERMUTATIONS = 200;
const MAX_SAMPLES = 20_000;

export async function fdrFscItem(h1: Volume, h2: Volume, reported: number | null): Promise<Measurement<FdrFsc>> {
  const table = await fdrShellTable(h1.dims);
  const r = await fdrFsc(h1, h2, { fdr: FDR, maxPermutations: MAX_PERMUTATIONS, maxSamples: MAX_SAMPLES, shells: table });
  const bFactor = r.resolution !== null ? await spocBFactor(h1, h2, r.resolution, table) : null;
  let significantShells = 0;
  for (let i = 1; i < r.significant.length; i++) significantShells += r.significant[i];
  const shells = r.shell.length - 1;
  const allSignificant = significantShells === shells;
  const warnings: Warning[] = [];
  if (reported !== null && r.resolution !== null && reported < 0.8 * r.resolution) {
    warnings.push({ code: '1b.fdr-optimistic', text: `The reported resolution ${reported} Å is better than 0.8 × the FDR-FSC resolution (0.8 × ${f(r.resolution, 2)} = ${f(0.8 * r.resolution, 2)} Å).` });
  }
  if (reported !== null && r.resolution === null) {
    warnings.push({ code: '1b.fdr-optimistic', text: `Not even the first FSC shell (${f(1 / r.frequency[1], 1)} Å) is significant at ${100 * FDR} % FDR, far from the reported ${reported} Å.` });
  }
  const results = [
    r.resolution === null
      ? `No FSC shell is significant at ${100 * FDR} % false-discovery rate: the half maps share no detectable signal.`
      : allSignificant
        ? `Every FSC shell up to Nyquist is significant at ${100 * FDR} % false-discovery rate: the resolution at 1 % FDR-FSC is limited by the sampling (${f(r.resolution, 2)} Å).`
        : `The resolution at ${100 * FDR} % FDR-FSC is ${f(r.resolution, 2)} Å (${significantShells} of ${shells} shells significant).`,
    ...(bFactor !== null ? [`SPOC's B-factor of the half-map average (fitted from 10 Å to ${f(r.resolution as number, 2)} Å) is ${f(bFactor, 1)} Å².`] : []),
  ];
  return {
    values: { fdrFsc: r.resolution, fdr: FDR, allSignificant, significantShells, shells, maxPermutations: MAX_PERMUTATIONS, maxSamples: MAX_SAMPLES, maskRadius: r.maskRadius, bFactor },
    warnings,
    notEvaluable: reported === null ? 'no resolution was reported to compare with' : undefined,
    results,
    tables: [shellTable(r)],
    extra: r,
  };
}

function shellTable(r: FdrFsc): Table {
  const p = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);
  return {
    id: 'fdr-fsc',
    caption: 'FDR-FSC per shell: FSC of the masked halves, permutation p-value, Benjamini–Yekutieli q-value, significance at 1 % FDR, pairs drawn and permutations run',
    columns: [
      { key: 'shell', label: 'Shell' }, { key: 'frequency', label: 'Frequency', unit: 'Å⁻¹' }, { key: 'resolution', label: 'Resolution', unit: 'Å' },
      { key: 'fsc', label: 'FSC' }, { key: 'p', label: 'p' }, { key: 'q', label: 'q (BY)' }, { key: 'significant', label: 'Significant' },
      { key: 'samples', label: 'Pairs drawn' }, { key: 'permutations', label: 'Permutations' },
    ],
    rows: Array.from(r.shell, (k, i) => [k, p(r.frequency[i]), i > 0 ? p(1 / r.frequency[i]) : null, p(r.fsc[i]), p(r.pValue[i]), p(r.qValue[i]), r.significant[i] ? 'yes' : 'no', r.samples[i], r.permutations[i]]).slice(1),
  };
}

export const fdrFscImplementation = implementItem({
  spec: fdrFscSpec,
  compute: async (ctx) => {
    const [h1, h2] = ctx.halfMaps as readonly [Volume, Volume];
    return fdrFscItem(h1, h2, ctx.resolution);
  },
  outputs: async (ctx, m) => ({
    figures: await ctx.figures.plotFigure('1b-fdr-fsc', '1b.fdr-fsc', 'FSC of the half maps under the spherical mask of the FDR-FSC test; the points mark the shells significant at 1 % false-discovery rate and those that are not, the dashed lines FSC = 0.143 and the reported resolution.', () =>
      fdrFscPlot(m.extra.frequency.subarray(1), m.extra.fsc.subarray(1), m.extra.significant.subarray(1), ctx.resolution),
    ),
    files: [],
  }),
});

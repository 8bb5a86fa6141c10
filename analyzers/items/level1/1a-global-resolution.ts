/**
 * 1.a Global resolution (level1A-spec.md §1.a): FSC of the half maps (unmasked; masked with the
 * soft mask and corrected by phase randomisation), its 0.143, 0.5, half-bit and 1-bit crossings,
 * the logistic fit, DPR and SSNR (correct frequency axis), the curves as a table (CSV on the
 * site), and VRS's three criteria: a reported resolution better than 0.8 × an estimate warns.
 */
import { correctedMaskedFsc, firstCross, firstCrossCurve, fscOfSpectra, halfBitThreshold, halfMapSpectra, oneBitThreshold, SsnrSums, type CorrectedFsc, type HalfMapSpectra, type SsnrCurve } from '../../methods/fsc.ts';
import { fitFscLogistic, logisticFsc, type LogisticFit } from '../../methods/fsc-logistic.ts';
import { globalResolutionSpec } from '../../report/items/level1/1a-global-resolution.ts';
import type { Table, Warning } from '../../report/schema.ts';
import { dprPlot, fscPlot, ssnrPlot } from '../../figures/fsc-plots.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

/** VRS's DPR threshold, the random-phase value π/√3 rad (VRS's code has the typo 102.9°). */
export const DPR_RANDOM_DEG = 103.9;
/** Seed of the phase randomisation: reports are reproducible. */
const RANDOMIZE_SEED = 1;
/** VRS: a reported resolution better than this fraction of an estimate warns. */
const OPTIMISM_FACTOR = 0.8;

/** What the figures are drawn from. */
export interface GlobalResolutionCurves {
  readonly fsc: CorrectedFsc;
  readonly halfBit: Float64Array;
  readonly oneBit: Float64Array;
  readonly ssnr: SsnrCurve;
  readonly logistic: LogisticFit | null;
}

/** 1/f in Å, or null. */
const inv = (freq: number | null): number | null => (freq !== null && freq > 0 ? 1 / freq : null);

/** `masked`: the spectra of the halves times the soft mask, when the caller has them (the entry context shares them with 1.g and 1.h). */
export async function globalResolution(h1: Volume, h2: Volume, softMask: Float32Array, reported: number | null, masked?: HalfMapSpectra): Promise<Measurement<GlobalResolutionCurves>> {
  const spectra = await halfMapSpectra(h1, h2, masked?.shellOf);
  // The SSNR is summed slab by slab with the unmasked FSC (while the pool computes the DPR's terms); after that, the randomised spectra are written over the unmasked ones.
  const ssnrSums = new SsnrSums(spectra);
  const fsc = await correctedMaskedFsc(h1, h2, softMask, RANDOMIZE_SEED, { spectra, masked, overwriteSpectra: true, alongsideUnmasked: (z0, z1) => ssnrSums.add(z0, z1) });
  const ssnr = ssnrSums.curve();
  const c = fsc.unmasked;
  const x = c.frequency;
  const halfBit = c.voxels.map(halfBitThreshold);
  const oneBit = c.voxels.map(oneBitThreshold);
  const f05 = firstCross(x, c.fsc, 0.5, 'lesser');
  const logistic = f05 !== null ? fitFscLogistic(x, c.fsc, f05) : null;
  const ts = h1.voxelSize[0];
  const nyquist = 2 * ts;
  const v = {
    fsc0143: inv(firstCross(x, c.fsc, 0.143, 'lesser')),
    fsc05: inv(f05),
    fscHalfBit: inv(firstCrossCurve(x, c.fsc, halfBit)),
    fscOneBit: inv(firstCrossCurve(x, c.fsc, oneBit)),
    maskedFsc0143: inv(firstCross(x, fsc.corrected, 0.143, 'lesser')),
    maskedUncorrectedFsc0143: inv(firstCross(x, fsc.masked.fsc, 0.143, 'lesser')),
    dpr: inv(firstCross(x, c.dpr, DPR_RANDOM_DEG, 'greater')),
    ssnr: inv(firstCross(ssnr.frequency, ssnr.log10, 0, 'lesser')),
    logistic90: inv(logistic?.f90 ?? null),
    fscCrosses: crossing(c.fsc),
    maskedFscCrosses: crossing(fsc.corrected),
    randomizedFrom: fsc.randomizedFromShell <= c.shell.length ? 1 / x[fsc.randomizedFromShell - 1] : null,
    maskFraction: sum(softMask) / softMask.length,
    shells: c.shell.length,
    nyquist,
  };
  const warnings: Warning[] = [];
  const notEvaluable = reported === null ? 'no resolution was reported to compare with' : undefined;
  if (reported !== null) {
    const check = (code: '1a.fsc-optimistic' | '1a.dpr-optimistic' | '1a.ssnr-optimistic', name: string, est: number | null) => {
      if (est !== null && reported < OPTIMISM_FACTOR * est) {
        warnings.push({ code, text: `The reported resolution ${reported} Å is better than 0.8 × the ${name} resolution (0.8 × ${f(est, 2)} = ${f(OPTIMISM_FACTOR * est, 2)} Å).` });
      }
    };
    if (v.fscCrosses === 'below') warnings.push({ code: '1a.fsc-optimistic', text: `The FSC of the half maps is below 0.143 from the first shells (coarser than ${f(1 / x[1], 1)} Å): the halves hardly agree, far from the reported ${reported} Å.` });
    else check('1a.fsc-optimistic', 'FSC (0.143)', v.fsc0143);
    check('1a.dpr-optimistic', `DPR (${DPR_RANDOM_DEG}°)`, v.dpr);
    check('1a.ssnr-optimistic', 'SSNR', v.ssnr);
  }
  return {
    values: v,
    warnings,
    notEvaluable,
    results: sentences(v, reported),
    tables: [curveTable(fsc, halfBit, oneBit, ssnr, logistic)],
    extra: { fsc, halfBit, oneBit, ssnr, logistic },
  };
}

/** Σ a in float64, in index order (a plain loop: a typed array's reduce with a closure costs a second on 360³). */
function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** How the FSC meets 0.143: crosses it, never falls below it, or is below it from the first two shells. */
function crossing(fsc: ArrayLike<number>): 'crosses' | 'above' | 'below' {
  const i = Array.prototype.findIndex.call(fsc, (y: number) => y < 0.143);
  return i < 0 ? 'above' : i <= 1 ? 'below' : 'crosses';
}

type Crossing = 'crosses' | 'above' | 'below';
type Values = Awaited<ReturnType<typeof globalResolution>>['values'] & { fscCrosses: Crossing; maskedFscCrosses: Crossing; nyquist: number };

/** Where a curve meets 0.143, in words: "at 3.2 Å", "nowhere up to Nyquist (2.1 Å)", "from the first shells". */
function where(res: unknown, how: Crossing, nyquist: number): string {
  if (how === 'above') return `nowhere up to Nyquist (${f(nyquist, 2)} Å)`;
  if (how === 'below') return 'from the first shells';
  return typeof res === 'number' ? `at ${f(res, 2)} Å` : 'nowhere';
}

function sentences(v: Values, reported: number | null): string[] {
  const a = (x: unknown) => (typeof x === 'number' ? `${f(x, 2)} Å` : 'not reached');
  const out: string[] = [];
  if (v.fscCrosses === 'above') out.push(`The FSC of the unmasked half maps stays above 0.143 up to Nyquist (${f(v.nyquist, 2)} Å): the resolution is limited by the sampling.`);
  else if (v.fscCrosses === 'below') out.push('The FSC of the unmasked half maps is below 0.143 from the first shells: no resolution can be read from it.');
  else out.push(`The FSC of the unmasked half maps falls below 0.143 at ${a(v.fsc0143)} (0.5: ${a(v.fsc05)}; half-bit: ${a(v.fscHalfBit)}; 1-bit: ${a(v.fscOneBit)}).`);
  out.push(
    `With the soft mask (${f(100 * (v.maskFraction as number), 1)} % of the box) the FSC falls below 0.143 ${typeof v.maskedUncorrectedFsc0143 === 'number' ? `at ${a(v.maskedUncorrectedFsc0143)}` : 'nowhere it can be read'}; corrected for the mask by phase randomisation beyond ${a(v.randomizedFrom)}, ${where(v.maskedFsc0143, v.maskedFscCrosses, v.nyquist)}.`,
  );
  const dpr = typeof v.dpr === 'number' ? `reaches ${DPR_RANDOM_DEG}° at ${a(v.dpr)}` : `stays below ${DPR_RANDOM_DEG}° up to Nyquist (${f(v.nyquist, 2)} Å)`;
  const ssnr = typeof v.ssnr === 'number' ? `falls to 2 at ${a(v.ssnr)}` : `stays above 2 up to Nyquist`;
  out.push(`The DPR ${dpr}; the SSNR (mean amplitude ratio of the half-map sum and difference) ${ssnr}.`);
  if (v.logistic90 !== null) out.push(`The logistic fitted to the FSC falls to 0.9 at ${a(v.logistic90)}.`);
  const est = [v.fsc0143, v.dpr, v.ssnr].filter((x): x is number => typeof x === 'number');
  if (est.length > 0) {
    const mean = est.reduce((s, x) => s + x, 0) / est.length;
    out.push(`FSC, DPR and SSNR give ${est.length === 1 ? `${f(mean, 2)} Å` : `between ${f(Math.min(...est), 2)} and ${f(Math.max(...est), 2)} Å (mean ${f(mean, 2)} Å)`}${reported !== null ? `; the reported resolution is ${reported} Å` : ''}.`);
  }
  return out;
}

/** The curves per shell (the site offers the table as CSV). */
function curveTable(fsc: CorrectedFsc, halfBit: Float64Array, oneBit: Float64Array, ssnr: SsnrCurve, logistic: LogisticFit | null): Table {
  const c = fsc.unmasked;
  const r = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);
  return {
    id: 'fsc-curves',
    caption: 'FSC, DPR and SSNR per frequency shell (unmasked, masked and corrected masked FSC; half-bit and 1-bit thresholds; fitted logistic)',
    columns: [
      { key: 'shell', label: 'Shell' }, { key: 'frequency', label: 'Frequency', unit: 'Å⁻¹' }, { key: 'resolution', label: 'Resolution', unit: 'Å' },
      { key: 'voxels', label: 'Fourier voxels' }, { key: 'fsc', label: 'FSC' }, { key: 'maskedFsc', label: 'FSC masked' },
      { key: 'randomizedFsc', label: 'FSC masked, randomised phases' }, { key: 'correctedFsc', label: 'FSC masked, corrected' },
      { key: 'halfBit', label: 'Half-bit' }, { key: 'oneBit', label: '1-bit' }, { key: 'dpr', label: 'DPR', unit: '°' },
      { key: 'log10Ssnr', label: 'log10(SSNR − 1)' }, { key: 'logistic', label: 'Logistic fit' },
    ],
    rows: Array.from(c.shell, (k, j) => [
      k, r(c.frequency[j]), r(1 / c.frequency[j]), c.voxels[j], r(c.fsc[j]), r(fsc.masked.fsc[j]), k >= fsc.randomizedFromShell ? r(fsc.randomized.fsc[j]) : null,
      r(fsc.corrected[j]), r(halfBit[j]), r(oneBit[j]), r(c.dpr[j]), r(ssnr.log10[k] ?? Number.NaN), logistic ? r(logisticFsc(logistic, c.frequency[j])) : null,
    ]),
  };
}

export const globalResolutionItem = implementItem({
  spec: globalResolutionSpec,
  uses: ['softMask', 'maskedHalfMapSpectra'],
  compute: async (ctx) => {
    const [h1, h2] = ctx.halfMaps as readonly [Volume, Volume];
    return globalResolution(h1, h2, await ctx.softMask(), ctx.resolution, await ctx.maskedHalfMapSpectra());
  },
  outputs: async (ctx, m) => {
    const { fsc, halfBit, oneBit, ssnr, logistic } = m.extra;
    const x = fsc.unmasked.frequency;
    const reported = ctx.resolution;
    const figures = [
      ...(await ctx.figures.plotFigure('1a-fsc', '1a.fsc', 'Fourier shell correlation of the half maps: unmasked, with the soft mask, and with the mask corrected by phase randomisation; half-bit and 1-bit thresholds, the logistic fitted to the unmasked FSC, the 0.143 and 0.5 lines and the reported resolution.', () =>
        fscPlot({ frequency: x, fsc: fsc.unmasked.fsc, masked: fsc.masked.fsc, corrected: fsc.corrected, halfBit, oneBit, logistic: logistic ? Array.from(x, (q) => logisticFsc(logistic, q)) : undefined, reported }),
      )),
      ...(await ctx.figures.plotFigure('1a-dpr', '1a.dpr', `Differential phase residual of the half maps per shell, with the random-phase value ${DPR_RANDOM_DEG}°.`, () => dprPlot(x, fsc.unmasked.dpr, reported))),
      ...(await ctx.figures.plotFigure('1a-ssnr', '1a.ssnr', 'Spectral signal-to-noise ratio: log10 of the shell mean of |S|/|N| − 1, S the half-map sum and N their difference; 0 where the ratio is 2.', () =>
        ssnrPlot(ssnr.frequency.subarray(1), ssnr.log10.subarray(1), reported),
      )),
    ];
    return { figures, files: [] };
  },
});

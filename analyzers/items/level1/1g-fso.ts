/**
 * 1.g Fourier shell occupancy (level1A-spec.md §1.g; Vilas & Tagare 2023): the FSC of the half
 * maps times the soft mask in Xmipp's smooth 17° cones about 321 quasi-uniform directions
 * (methods/conical-fsc.ts), the share of directions passing 0.143 per shell and Bingham's test of
 * those directions (methods/fso.ts), the FSO resolution (FSO = 0.5) and its 0.9–0.1 band, the
 * curves as a table, and VRS's criterion: a reported resolution better than 0.8 × the FSO
 * resolution warns.
 */
import { conicalFsc, fibonacciHemisphere, FSO_CONE, maskedHalfMapSpectra, resolutionAt } from '../../methods/conical-fsc.ts';
import { firstCross, type HalfMapSpectra } from '../../methods/fsc.ts';
import { FSO_FORCED_SHELLS, fsoCurve, type FsoCurve } from '../../methods/fso.ts';
import { fsoSpec } from '../../report/items/level1/1g-fso.ts';
import type { Table, Warning } from '../../report/schema.ts';
import { fsoPlot } from '../../figures/fsc-plots.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

/** Directions of the FSO (as many as Xmipp's fixed set). */
export const FSO_DIRECTIONS = 321;
/** FSC threshold a direction must reach to occupy a shell. */
const THRESHOLD = 0.143;
/** VRS: a reported resolution better than this fraction of the estimate warns. */
const OPTIMISM_FACTOR = 0.8;

/** What the figure is drawn from. */
export interface FsoExtra {
  readonly curve: FsoCurve;
  readonly globalFsc: Float64Array;
  /** Frequencies (Å⁻¹) where the FSO falls below 0.9 and 0.1. */
  readonly band: readonly [number | null, number | null];
}

/** 1/f in Å, or null. */
const inv = (freq: number | null): number | null => (freq !== null && freq > 0 ? 1 / freq : null);

/** `given`: the halves times the soft mask, transformed, when the caller has them (the entry context shares them with 1.a). */
export async function fso(h1: Volume, h2: Volume, softMask: Float32Array, reported: number | null, given?: HalfMapSpectra): Promise<Measurement<FsoExtra>> {
  const spectra = given ?? (await maskedHalfMapSpectra(h1, h2, softMask));
  const conical = await conicalFsc(spectra, fibonacciHemisphere(FSO_DIRECTIONS), FSO_CONE);
  const curve = fsoCurve(conical, THRESHOLD);
  const x = curve.frequency;
  const half = resolutionAt(x, curve.fso, 0.5);
  const band: [number | null, number | null] = [firstCross(x, curve.fso, 0.9, 'lesser'), firstCross(x, curve.fso, 0.1, 'lesser')];
  const fsoBand: [number | null, number | null] = [inv(band[0]), inv(band[1])];
  const v = {
    fsoResolution: half.resolution,
    fsoCrosses: half.crossing,
    fsoBand,
    bandWidth: fsoBand[0] !== null && fsoBand[1] !== null && half.resolution !== null ? (fsoBand[0] - fsoBand[1]) / half.resolution : null,
    binghamMax: binghamInBand(curve, band),
    globalResolution: resolutionAt(x, conical.global.fsc, THRESHOLD).resolution,
    directions: FSO_DIRECTIONS,
    coneAngle: FSO_CONE.halfAngleDeg,
    threshold: THRESHOLD,
  };
  const warnings: Warning[] = [];
  if (reported !== null && v.fsoResolution !== null && reported < OPTIMISM_FACTOR * v.fsoResolution) {
    warnings.push({ code: '1g.fso-optimistic', text: `The reported resolution ${reported} Å is better than 0.8 × the FSO resolution (0.8 × ${f(v.fsoResolution, 2)} = ${f(OPTIMISM_FACTOR * v.fsoResolution, 2)} Å).` });
  }
  return {
    values: v,
    warnings,
    notEvaluable: reported === null ? 'no resolution was reported to compare with' : undefined,
    results: sentences(v, 1 / x[x.length - 1]),
    tables: [shellTable(curve, conical.global.fsc)],
    extra: { curve, globalFsc: conical.global.fsc, band },
  };
}

/**
 * The largest anisotropy (Bingham's test) over the shells of the band [f90, f10], where the
 * directions drop out; beyond it only the odd direction passes by chance, and a handful of
 * directions always looks uneven.
 */
function binghamInBand(c: FsoCurve, band: readonly [number | null, number | null]): number | null {
  const [f90, f10] = band;
  if (f90 === null || f10 === null) return null;
  let best: number | null = null;
  for (let j = 0; j < c.shell.length; j++) {
    const a = c.anisotropy[j];
    if (c.frequency[j] < f90 || c.frequency[j] > f10 || !Number.isFinite(a)) continue;
    if (best === null || a > best) best = a;
  }
  return best;
}

interface Values {
  fsoResolution: number | null;
  fsoCrosses: 'crosses' | 'above' | 'below';
  fsoBand: [number | null, number | null];
  bandWidth: number | null;
  binghamMax: number | null;
  globalResolution: number | null;
  directions: number;
  coneAngle: number;
}

function sentences(v: Values, nyquist: number): string[] {
  const a = (x: number | null) => (x === null ? 'not reached' : `${f(x, 2)} Å`);
  const out: string[] = [];
  if (v.fsoCrosses === 'crosses') out.push(`Half of the ${v.directions} directions (${v.coneAngle}° cones) keep an FSC ≥ ${THRESHOLD} up to ${a(v.fsoResolution)}, the FSO resolution; the FSC of the masked half maps over all directions falls below ${THRESHOLD} at ${a(v.globalResolution)}.`);
  else if (v.fsoCrosses === 'above') out.push(`More than half of the ${v.directions} directions keep an FSC ≥ ${THRESHOLD} up to Nyquist (${f(nyquist, 2)} Å): the FSO resolution is limited by the sampling.`);
  else out.push(`Fewer than half of the ${v.directions} directions reach an FSC of ${THRESHOLD} beyond the first shells.`);
  const [lo, hi] = v.fsoBand;
  if (lo !== null && hi !== null && v.bandWidth !== null) {
    out.push(`The FSO falls from 0.9 to 0.1 between ${a(lo)} and ${a(hi)}, a band ${f(100 * v.bandWidth, 0)} % of the FSO resolution wide: over that range of resolutions the directions drop out (an isotropic map drops them all at about the same resolution, in a narrow band).`);
  } else if (lo !== null) {
    out.push(`The FSO falls below 0.9 at ${a(lo)} but stays above 0.1 up to Nyquist.`);
  }
  if (v.binghamMax !== null) out.push(`Within the band, Bingham's test of the directions that still pass reaches ${f(v.binghamMax, 3)} (near 1: they crowd into some directions; the per-shell values are in the table).`);
  return out;
}

/** Per shell: FSO, passing directions, Bingham's statistic and the anisotropy, the global FSC. */
function shellTable(c: FsoCurve, globalFsc: Float64Array): Table {
  const r = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);
  return {
    id: 'fso-curves',
    caption: `Fourier shell occupancy per frequency shell: directions (of ${FSO_DIRECTIONS}) whose FSC in the ${FSO_CONE.halfAngleDeg}° cone reaches ${THRESHOLD} (the first ${FSO_FORCED_SHELLS} shells count as fully occupied), Bingham's statistic of those directions and its χ² (5 degrees of freedom) distribution function, and the FSC of the masked half maps`,
    columns: [
      { key: 'shell', label: 'Shell' }, { key: 'frequency', label: 'Frequency', unit: 'Å⁻¹' }, { key: 'resolution', label: 'Resolution', unit: 'Å' },
      { key: 'fso', label: 'FSO' }, { key: 'passing', label: 'Directions passing' }, { key: 'bingham', label: 'Bingham statistic' },
      { key: 'anisotropy', label: 'Anisotropy (χ²₅ CDF)' }, { key: 'fsc', label: 'FSC (masked)' },
    ],
    rows: Array.from(c.shell, (k, j) => [k, r(c.frequency[j]), r(1 / c.frequency[j]), r(c.fso[j]), c.passing[j], r(c.bingham[j]), r(c.anisotropy[j]), r(globalFsc[j])]),
  };
}

export const fsoItem = implementItem({
  spec: fsoSpec,
  uses: ['softMask', 'maskedHalfMapSpectra'],
  compute: async (ctx) => {
    const [h1, h2] = ctx.halfMaps as readonly [Volume, Volume];
    return fso(h1, h2, await ctx.softMask(), ctx.resolution, await ctx.maskedHalfMapSpectra());
  },
  outputs: async (ctx, m) => {
    const { curve, band } = m.extra;
    return {
      figures: await ctx.figures.plotFigure('1g-fso', '1g.fso', `Fourier shell occupancy: the share of the ${FSO_DIRECTIONS} directions whose FSC in a ${FSO_CONE.halfAngleDeg}° cone reaches ${THRESHOLD}, and the anisotropy of the directions that pass (Bingham's test); the 0.5 line (FSO resolution), the band where the FSO falls from 0.9 to 0.1, and the reported resolution.`, () =>
        fsoPlot(curve.frequency, curve.fso, curve.anisotropy, band, ctx.resolution),
      ),
      files: [],
    };
  },
});

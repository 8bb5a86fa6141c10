/**
 * 1.h 3-D FSC (level1A-spec.md §1.h; Tan et al. 2017): the FSC of the half maps times the soft
 * mask in hard 20° cones about 500 quasi-uniform directions and the x, y, z axes
 * (methods/conical-fsc.ts), each direction's 0.143 resolution on the frequency axis k/(N·Ts),
 * their best, worst and median, the sphericity of the surface they draw, the curves and the
 * directions as tables, and VRS's criteria: a reported resolution better than 0.8 × the global
 * (masked) FSC resolution warns, and so does a global FSC that does not cross 0.143.
 */
import { conicalFsc, directionalCurve, directionalResolutions, fibonacciHemisphere, FSC3D_CONE, maskedHalfMapSpectra, resolutionAt, type ConicalFsc, type Crossing } from '../../methods/conical-fsc.ts';
import { histogram, quantile } from '../../methods/order-statistics.ts';
import { antipodalSphericity, smoothAxial } from '../../methods/sphericity.ts';
import { fsc3dSpec } from '../../report/items/level1/1h-fsc3d.ts';
import type { Table, Warning } from '../../report/schema.ts';
import { directionalFscPlot, directionalHistogramPlot, directionMapPlot } from '../../figures/fsc-plots.ts';
import { f } from '../../util/format.ts';
import type { HalfMapSpectra } from '../../methods/fsc.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

/** Quasi-uniform directions of the histogram, the statistics and the sphericity (the spec's ~500). */
export const FSC3D_DIRECTIONS = 500;
/** FSC threshold of every resolution of the item. */
const THRESHOLD = 0.143;
/** VRS: a reported resolution better than this fraction of the estimate warns. */
const OPTIMISM_FACTOR = 0.8;
/** The x, y and z axes, appended after the quasi-uniform set. */
const AXES = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** What the figures are drawn from. */
export interface Fsc3dCurves {
  readonly conical: ConicalFsc;
  /** Resolution (Å) per direction (the quasi-uniform set, then x, y, z); NaN where none. */
  readonly resolution: Float64Array;
  readonly reported: number | null;
  readonly globalResolution: number | null;
}

/** null for NaN. */
const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** `given`: the halves times the soft mask, transformed, when the caller has them (the entry context shares them with 1.a). */
export async function fsc3d(h1: Volume, h2: Volume, softMask: Float32Array, reported: number | null, given?: HalfMapSpectra): Promise<Measurement<Fsc3dCurves>> {
  const spectra = given ?? (await maskedHalfMapSpectra(h1, h2, softMask));
  const hemisphere = fibonacciHemisphere(FSC3D_DIRECTIONS);
  const conical = await conicalFsc(spectra, Float64Array.from([...hemisphere, ...AXES]), FSC3D_CONE);
  const { resolution, crossing } = directionalResolutions(conical, THRESHOLD);
  const global = resolutionAt(conical.frequency, conical.global.fsc, THRESHOLD);
  const set = resolution.subarray(0, FSC3D_DIRECTIONS);
  const finite = Float64Array.from(set.filter((r) => Number.isFinite(r)));
  const count = (how: Crossing) => crossing.slice(0, FSC3D_DIRECTIONS).filter((c) => c === how).length;
  const nyquist = 1 / conical.frequency[conical.frequency.length - 1];
  const v = {
    globalResolution: global.resolution,
    globalCrosses: global.crossing,
    directional: finite.length > 0 ? { min: Math.min(...finite), max: Math.max(...finite), median: quantile(finite, 0.5) } : { min: null, max: null, median: null },
    axes: { x: orNull(resolution[FSC3D_DIRECTIONS]), y: orNull(resolution[FSC3D_DIRECTIONS + 1]), z: orNull(resolution[FSC3D_DIRECTIONS + 2]) },
    sphericity: finite.length === FSC3D_DIRECTIONS ? surfaceSphericity(hemisphere, set) : null,
    directions: FSC3D_DIRECTIONS,
    directionsAtNyquist: count('above'),
    directionsUnresolved: count('below'),
    coneAngle: FSC3D_CONE.halfAngleDeg,
    threshold: THRESHOLD,
    nyquist,
  };
  const warnings: Warning[] = [];
  if (global.crossing !== 'crosses') {
    warnings.push({
      code: '1h.not-estimated',
      text: global.crossing === 'above'
        ? `The FSC of the masked half maps stays above ${THRESHOLD} up to Nyquist (${f(nyquist, 2)} Å): the 3-D FSC resolution could not be estimated.`
        : `The FSC of the masked half maps is below ${THRESHOLD} from the first shells: the 3-D FSC resolution could not be estimated.`,
    });
  }
  if (reported !== null && global.resolution !== null && reported < OPTIMISM_FACTOR * global.resolution) {
    warnings.push({ code: '1h.fsc3d-optimistic', text: `The reported resolution ${reported} Å is better than 0.8 × the resolution of the masked half maps (0.8 × ${f(global.resolution, 2)} = ${f(OPTIMISM_FACTOR * global.resolution, 2)} Å).` });
  }
  return {
    values: v,
    warnings,
    notEvaluable: reported === null ? 'no resolution was reported to compare with' : undefined,
    results: sentences(v),
    tables: [curveTable(conical), directionTable(conical, resolution)],
    extra: { conical, resolution, reported, globalResolution: global.resolution },
  };
}

/**
 * Sphericity of the 0.143 surface of the 3-D FSC: radius 1/d along each direction, averaged over
 * the directions within the cone angle. Cones cannot resolve finer angular detail than their
 * own width; what varies between neighbouring directions is the jitter of their crossings (a
 * shell apart), which roughens the surface and, unaveraged, lowers Ψ of an isotropic map to
 * about 0.95.
 */
function surfaceSphericity(hemisphere: Float64Array, resolution: Float64Array): number {
  const radius = smoothAxial(hemisphere, resolution.map((r) => 1 / r), (FSC3D_CONE.halfAngleDeg * Math.PI) / 180);
  return antipodalSphericity(hemisphere, radius);
}

type Values = Awaited<ReturnType<typeof fsc3d>>['values'] & {
  globalResolution: number | null;
  globalCrosses: Crossing;
  directional: { min: number | null; max: number | null; median: number | null };
  axes: { x: number | null; y: number | null; z: number | null };
  sphericity: number | null;
  directionsAtNyquist: number;
  directionsUnresolved: number;
  nyquist: number;
};

function sentences(v: Values): string[] {
  const a = (x: number | null) => (x === null ? 'none' : `${f(x, 2)} Å`);
  const out: string[] = [];
  if (v.globalCrosses === 'crosses') out.push(`The FSC of the half maps with the soft mask falls below ${THRESHOLD} at ${a(v.globalResolution)}.`);
  else if (v.globalCrosses === 'above') out.push(`The FSC of the half maps with the soft mask stays above ${THRESHOLD} up to Nyquist (${f(v.nyquist, 2)} Å).`);
  else out.push(`The FSC of the half maps with the soft mask is below ${THRESHOLD} from the first shells.`);
  const { min, max, median } = v.directional;
  if (min !== null && max !== null && median !== null) {
    out.push(`In ${v.coneAngle}° cones about ${v.directions} directions the FSC falls below ${THRESHOLD} between ${a(min)} (best direction) and ${a(max)} (worst), median ${a(median)}; along x, y and z at ${a(v.axes.x)}, ${a(v.axes.y)} and ${a(v.axes.z)}.`);
  }
  if (v.directionsAtNyquist > 0) out.push(`${v.directionsAtNyquist} of the directions stay above ${THRESHOLD} up to Nyquist: their resolution is counted as the Nyquist limit, ${f(v.nyquist, 2)} Å.`);
  if (v.directionsUnresolved > 0) out.push(`${v.directionsUnresolved} of the directions are below ${THRESHOLD} from the first shells and have no resolution.`);
  if (v.sphericity !== null && min !== null && max !== null) {
    out.push(`The sphericity of the surface of the directional resolutions is ${f(v.sphericity, 3)} (1 for a map resolved equally in every direction); the worst direction is ${f(max / min, 2)} times coarser than the best.`);
  }
  return out;
}

/** Significant digits of the tables. */
const r6 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/** Per shell: the global FSC, the FSC about x, y and z, and the lowest and highest FSC over the quasi-uniform directions. */
function curveTable(c: ConicalFsc): Table {
  const axis = (k: number) => directionalCurve(c, FSC3D_DIRECTIONS + k);
  const spread = Array.from(c.shell, (_, j) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let d = 0; d < FSC3D_DIRECTIONS; d++) {
      const x = c.fsc[d * c.shell.length + j];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return [lo, hi];
  });
  return {
    id: 'fsc3d-curves',
    caption: `3-D FSC per frequency shell: the FSC of the masked half maps, in ${FSC3D_CONE.halfAngleDeg}° cones about the x, y and z axes, and the lowest and highest FSC over the ${FSC3D_DIRECTIONS} directions (empty where the cone holds no coefficient)`,
    columns: [
      { key: 'shell', label: 'Shell' }, { key: 'frequency', label: 'Frequency', unit: 'Å⁻¹' }, { key: 'resolution', label: 'Resolution', unit: 'Å' },
      { key: 'fsc', label: 'FSC (masked)' }, { key: 'fscX', label: 'FSC about x' }, { key: 'fscY', label: 'FSC about y' }, { key: 'fscZ', label: 'FSC about z' },
      { key: 'fscMin', label: 'Lowest directional FSC' }, { key: 'fscMax', label: 'Highest directional FSC' },
    ],
    rows: Array.from(c.shell, (k, j) => [k, r6(c.frequency[j]), r6(1 / c.frequency[j]), r6(c.global.fsc[j]), r6(axis(0)[j]), r6(axis(1)[j]), r6(axis(2)[j]), r6(spread[j][0]), r6(spread[j][1])]),
  };
}

/** Per direction: the unit vector, its azimuth and tilt from z, and its resolution. */
function directionTable(c: ConicalFsc, resolution: Float64Array): Table {
  const deg = 180 / Math.PI;
  return {
    id: 'fsc3d-directions',
    caption: `Resolution per direction (FSC ${THRESHOLD} in the ${FSC3D_CONE.halfAngleDeg}° cone about ±u): the ${FSC3D_DIRECTIONS} quasi-uniform directions, then the x, y and z axes`,
    columns: [
      { key: 'ux', label: 'u x' }, { key: 'uy', label: 'u y' }, { key: 'uz', label: 'u z' },
      { key: 'azimuth', label: 'Azimuth from x', unit: '°' }, { key: 'tilt', label: 'Tilt from z', unit: '°' }, { key: 'resolution', label: 'Resolution', unit: 'Å' },
    ],
    rows: Array.from(resolution, (res, d) => {
      const [x, y, z] = [c.directions[3 * d], c.directions[3 * d + 1], c.directions[3 * d + 2]];
      return [r6(x), r6(y), r6(z), r6(((Math.atan2(y, x) * deg) + 360) % 360), r6(Math.acos(Math.min(1, z)) * deg), r6(res)];
    }),
  };
}

/** Index of the smallest (sign 1) or largest (sign −1) finite value. */
function extreme(values: ArrayLike<number>, sign: 1 | -1): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && (best < 0 || sign * (values[i] - values[best]) < 0)) best = i;
  return best;
}

export const fsc3dItem = implementItem({
  spec: fsc3dSpec,
  uses: ['softMask', 'maskedHalfMapSpectra'],
  compute: async (ctx) => {
    const [h1, h2] = ctx.halfMaps as readonly [Volume, Volume];
    return fsc3d(h1, h2, await ctx.softMask(), ctx.resolution, await ctx.maskedHalfMapSpectra());
  },
  outputs: async (ctx, m) => {
    const { conical: c, resolution, reported, globalResolution } = m.extra;
    const set = resolution.subarray(0, FSC3D_DIRECTIONS);
    const figures = [
      ...(await ctx.figures.plotFigure('1h-directional-fsc', '1h.directional-fsc', `FSC of the masked half maps in ${FSC3D_CONE.halfAngleDeg}° cones about the x, y and z axes, and over all directions (global); the 0.143 line and the reported resolution.`, () =>
        directionalFscPlot({ frequency: c.frequency, x: directionalCurve(c, FSC3D_DIRECTIONS), y: directionalCurve(c, FSC3D_DIRECTIONS + 1), z: directionalCurve(c, FSC3D_DIRECTIONS + 2), global: c.global.fsc }, FSC3D_CONE.halfAngleDeg, reported),
      )),
    ];
    if (set.some((r) => Number.isFinite(r))) {
      const h = histogram(set, 25);
      const markers = [
        ...(globalResolution !== null ? [{ value: globalResolution, label: `global ${f(globalResolution, 2)} Å` }] : []),
        ...(reported !== null ? [{ value: reported, label: `reported ${reported} Å` }] : []),
      ];
      figures.push(...(await ctx.figures.plotFigure('1h-histogram', '1h.histogram', `Histogram of the resolutions of the ${FSC3D_DIRECTIONS} directions (FSC ${THRESHOLD} in each ${FSC3D_CONE.halfAngleDeg}° cone), with the resolution of the global FSC of the masked half maps and the reported resolution.`, () =>
        directionalHistogramPlot(h.counts, h.edges, markers),
      )));
      const points = Array.from({ length: FSC3D_DIRECTIONS }, (_, d) => ({ x: c.directions[3 * d], y: c.directions[3 * d + 1], z: c.directions[3 * d + 2], value: set[d] }));
      figures.push(...(await ctx.figures.plotFigure('1h-direction-map', '1h.direction-map', `Resolution of each direction, seen from +z on an equal-area map of the hemisphere (the centre is z, the outer circle the xy plane; circles every 30° of tilt). A cone covers u and −u, so the hemisphere shows every direction. The best and the worst directions are ringed.`, () =>
        directionMapPlot(points, extreme(set, 1), extreme(set, -1)),
      )));
    }
    return { figures, files: [] };
  },
});

/**
 * What Level A must measure on a simulated entry whose model is the one its map was simulated
 * from (the demo's EMD-90014): the known answer, derived from the simulation itself (the clean map,
 * the noise added to it, the model), not from a chosen threshold.
 *
 * CC_mask: with map = s + n (n white noise of variance σ², independent of everything) and the
 * model map m, CC(s + n, m) = CC(s, m) · L with L = √(var s / (var s + σ²)) over the atom mask (the
 * noise-limited maximum); its sampling error is √(1 − L²)/√N over N mask voxels (the noise term of
 * the covariance), and the expected value is accepted within 4 such errors.
 * Atom inclusion: an atom at clean value c, whose trilinear weights per axis are (1 − f, f), sees
 * noise of variance σ²·Π((1 − f)² + f²), so it lies inside the contour t with probability
 * Φ((c − t)/σ_a); the expected fraction is their mean, accepted within 4 standard errors
 * √(Σ p(1 − p))/n inflated by √8 (neighbouring atoms share the eight voxels they interpolate).
 */
import type { AtomModel } from '../../analyzers/io/model.ts';
import { modelMapResolution } from '../../analyzers/items/context.ts';
import { normalCdf } from '../../analyzers/methods/distributions.ts';
import { atomMask, ccOverVoxels, maskRadius, trilinear } from '../../analyzers/methods/model-fit.ts';
import { modelMapOnGrid } from '../../analyzers/simulate/model-map.ts';
import type { Volume } from '../../analyzers/volume/volume.ts';

/** Standard errors a measured value may lie from its expectation. */
const TOLERANCE_SE = 4;
/** Atoms sharing the voxels of one trilinear interpolation, at most (the 2×2×2 cell). */
const SHARED_VOXELS = 8;

/** The Level A answers a report on this simulated entry must give. */
export interface LevelATruth {
  /** σ of the noise actually added (map − clean map, whole box). */
  readonly noiseSigma: number;
  /** Expected CC_mask and the accepted distance from it. */
  readonly ccMask: number;
  readonly ccMaskTolerance: number;
  /** The noise-limited maximum L (a perfect model on this noise). */
  readonly ccMaskNoiseLimit: number;
  /** Expected fraction of atoms inside the contour and the accepted distance from it. */
  readonly allAtoms: number;
  readonly allAtomsTolerance: number;
}

/** Standard deviation of map − clean over the box. */
function noiseSigmaOf(map: Volume, clean: Volume): number {
  let s = 0, ss = 0;
  const n = map.data.length;
  for (let i = 0; i < n; i++) {
    const d = map.data[i] - clean.data[i];
    s += d;
    ss += d * d;
  }
  return Math.sqrt(ss / n - (s / n) ** 2);
}

/** Variance of the clean map over the listed voxels. */
function varianceOver(v: Float32Array, voxels: Int32Array): number {
  let s = 0, ss = 0;
  for (const i of voxels) {
    s += v[i];
    ss += v[i] * v[i];
  }
  return ss / voxels.length - (s / voxels.length) ** 2;
}

/** Π over the axes of ((1 − f)² + f²): the variance factor of trilinearly interpolated white noise at a point. */
function interpolatedNoiseFactor(v: Volume, x: number, y: number, z: number): number {
  let k = 1;
  for (const [a, c] of [[0, x], [1, y], [2, z]] as const) {
    const u = (c - v.origin[a]) / v.voxelSize[a];
    const f = u - Math.floor(u);
    k *= (1 - f) ** 2 + f ** 2;
  }
  return k;
}

/**
 * The Level A truth of `map` = `clean` + white noise, with `model` (as the analyzer reads it) the
 * model `clean` was simulated from, analysed at `contour` with reported resolution `resolution`.
 */
export async function levelATruth(map: Volume, clean: Volume, model: AtomModel, contour: number, resolution: number): Promise<LevelATruth> {
  const sigma = noiseSigmaOf(map, clean);
  const d = modelMapResolution(resolution, map.voxelSize[0]);
  const modelMap = await modelMapOnGrid(model, map, d);
  const { voxels } = atomMask(model, map, maskRadius(d));
  const vs = varianceOver(clean.data, voxels);
  const limit = Math.sqrt(vs / (vs + sigma * sigma));
  const ccClean = ccOverVoxels(clean.data, modelMap.data, voxels) ?? Number.NaN;
  let sumP = 0, sumVar = 0;
  for (let j = 0; j < model.count; j++) {
    const c = trilinear(clean, model.x[j], model.y[j], model.z[j]);
    const p = Number.isNaN(c) ? 0 : normalCdf((c - contour) / (sigma * Math.sqrt(interpolatedNoiseFactor(map, model.x[j], model.y[j], model.z[j]))));
    sumP += p;
    sumVar += p * (1 - p);
  }
  const n = model.count;
  return {
    noiseSigma: sigma,
    ccMask: limit * ccClean,
    ccMaskTolerance: (TOLERANCE_SE * Math.sqrt(1 - limit * limit)) / Math.sqrt(voxels.length),
    ccMaskNoiseLimit: limit,
    allAtoms: sumP / n,
    // At least one atom's worth: the fraction moves in steps of 1/n.
    allAtomsTolerance: Math.max(1 / n, (TOLERANCE_SE * Math.sqrt(SHARED_VOXELS * sumVar)) / n),
  };
}

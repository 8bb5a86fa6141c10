/**
 * 0.h Hand (level0-spec.md §11.1): a classical helix-chirality hand test that replaces the DeepHand
 * neural network of VRS. α-helices are right-handed (pitch ≈ 5.4 Å); in a mirrored map every
 * helix turns left. The test finds straight α-helix segments in the map and measures, for each,
 * whether its density winds right or left around the axis.
 *
 * Pipeline (units: Å; the working grid has 1 Å voxels, so voxel coordinates are Å offsets):
 * 1. Crop the map to the box of voxels ≥ threshold plus a margin, resample it by trilinear
 *    interpolation onto a 1 Å grid centred on that box (centring makes the step commute with a
 *    mirror of the map), zero outside the source.
 * 2. One forward FFT; two inverse FFTs: L = raised-cosine low-pass at 1/max(res, 3.5) Å⁻¹ (width
 *    0.02 Å⁻¹, as DeepHand's 5 Å filter; it keeps the 1/5.4 Å⁻¹ pitch even at 5 Å), and
 *    S = L smoothed by a Gaussian of σ_H = 2 Å (multiplier exp(−2π²σ_H²s²)). Mask M = S ≥ t_S,
 *    where t_S encloses in S the same volume as the threshold encloses in the resampled map
 *    (equal-volume transfer); t_L is defined the same way for L. Why not the resampled map ≥
 *    threshold, as DeepHand: the axis of a helix in a map better than ≈ 3 Å is less dense than
 *    its backbone ring, and noise beyond the resolution punches holes in an unfiltered map; in S
 *    helices are solid rods, and filtering lowers peaks, hence the transfer by volume.
 * 3. Hessian H of S by central finite differences on the grid instead of six inverse FFTs of
 *    −4π²w_i·w_j·Ŝ (no six extra volumes; the differences are evaluated only where needed). Per
 *    axis the difference operators have gains sinc²(f) (second) and sinc(2f) (first, mixed terms)
 *    relative to the analytic derivatives: ≥ 0.98 and ≥ 0.96 for f ≤ 0.05 Å⁻¹, where S has most
 *    of its power (its Gaussian factor is 0.82 at 0.05 Å⁻¹, 0.04 at 0.2 Å⁻¹). Eigenvalues
 *    sorted by magnitude |λa| ≤ |λb| ≤ |λc|: a voxel of M is tube-like (Frangi et al. 1998) when
 *    λb, λc < 0, |λb| ≥ 0.35·|λc| (round cross-section) and |λa| ≤ 0.35·|λb| (elongated; a
 *    β-sheet, flattened by σ_H into a slab, fails the roundness test). Seeds: tube voxels by
 *    decreasing −(λb + λc)/2.
 * 4. Growing: from each unclaimed seed (first re-centred), step 1 Å along the axis direction, both
 *    ways; after each step two Newton steps re-centre the point on the ridge of S inside the plane
 *    normal to the current direction (solve H⊥δ = −∇S⊥, |δ| ≤ 1 Å), then the new direction is
 *    the eigenvector of λa there. Stop when the point leaves M, is not tube-like, turns by more
 *    than 20°, or reaches voxels claimed by an earlier path. Voxels within 3 Å of every traced
 *    point are claimed (also for rejected paths, so each region is traced once: this is the
 *    non-maximum suppression of overlapping segments).
 * 5. Paths of arc length ≥ 10 Å are cut into n = ceil(length/20 Å) equal pieces (10–20 Å, short
 *    enough to be straight); each piece's axis is the principal axis (PCA) of its ridge points
 *    (they lie on the axis, so no density weighting is needed), its length the extent of their
 *    projections, which must be ≥ 8 Å (the re-centred points zigzag a little, so the straight
 *    extent is shorter than the arc).
 * 6. Per piece, the azimuthally averaged radial profile of L (r = 0…8 Å) must look like a helix
 *    rod: its maximum within r ≤ 3.5 Å, and it falls to below 60 % of that maximum by r = 7 Å
 *    (a rod, not a slab or a blob). The spec's "peak at 1.5–3 Å" is not required: at 3.5–5 Å the
 *    backbone ring is not resolved and the profile of a helix peaks on its axis.
 * 7. Chirality index (spec step 3): L sampled on a cylinder grid around the axis (r = 1.5…3.5 Å
 *    in 0.5 Å, φ in 5° steps counter-clockwise looking down +z of the right-handed frame
 *    (u, v, t), z in 0.25 Å steps over the piece), averaged over r → ρ(φ, z);
 *    a1(z) = Σ_φ ρ(φ, z)·e^(−iφ)/72, minus its least-squares line in z (removes the n = 1 terms
 *    of an off-centre or tilted axis, which would otherwise leak into the helical frequency for
 *    10 Å pieces); c± = Σ_z a1(z)·e^(±2πiz/5.4) (= Σ ρ·e^(−i(φ ∓ 2πz/5.4)));
 *    h = (|c−|² − |c+|²)/(|c−|² + |c+|²) ∈ [−1, 1], > 0 left-handed. Helicity
 *    η = (|c+|² + |c−|²)/(Nz·Σ_z|a1|²) is the share of the axial n = 1 power at ±1/5.4 Å⁻¹
 *    (1 for an ideal helix, ≈ 2/(number of independent axial frequencies) for random density).
 * 8. A piece is used when η ≥ 0.15 (an empirical floor: at 5 Å real helices give η ≈ 0.2–0.5),
 *    |h| ≥ 0.05 (the spec's noise floor), and its annulus is dense: mean ρ > 0 and ≥ ½·t_L
 *    (rejects ridges of filtered noise when the threshold sits at the background level), or
 *    η ≥ 0.8 (almost all its axial power at the α pitch: a helix, even when a high contour makes
 *    its annulus, grooves included, less than half as dense as the contour; at 1.75 Å the
 *    apoferritin helices give η ≈ 0.9–0.98 at every contour).
 *    w = length·|h|; score = Σ w·[h > 0]/Σ w ∈ [0, 1] (0 = correct hand, 1 = mirrored). A score
 *    needs evidence Σ w ≥ 30 Å (about 30 Å of clearly chiral helix, 20 residues), not a number
 *    of pieces (the spec's 5): the four long helices of an apoferritin subunit at a high contour
 *    give 4 pieces but ≈ 72 Å of evidence, while a β-only map gives none. A mirror image of the map gives the same pieces with h → −h, so
 *    score(mirror) = 1 − score (up to ties in the seed order, which can change a piece or two).
 *
 * Step 4 of the spec (template matching against ideal right/left poly-Ala helices) is not
 * implemented: the chirality index alone classified every simulated map of the validation set
 * (0h-validation.ts) correctly.
 *
 * Warnings (project decision, one per condition): score > 0.5 → `0h.flipped`;
 * 0.4 < score ≤ 0.5 → `0h.uncertain`.
 */
import { createRealFft3d, fftFreq, goodFftSize } from '../fft/fft.ts';
import { resampleOnto } from '../volume/interpolate.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import { kthLargest } from './order-statistics.ts';

/**
 * Voxel size of the working grid, Å (as DeepHand). Fixed, not an option: the tracer's 1-voxel
 * steps and differences, and the radial profile's 1-voxel radii, are 1 Å.
 */
export const HAND_VOXEL_A = 1;

/** Worst resolution (Å) at which the test applies (as DeepHand in VRS). */
export const HAND_MAX_RESOLUTION_A = 5;

/** Tunable parameters of the hand test (defaults in `HAND_DEFAULTS`, reasons in the file comment). */
export interface HandOptions {
  /** The low-pass never goes beyond this resolution (Å): 3.5 keeps the helix groove without side-chain detail. */
  readonly minLowPassA: number;
  /** Width of the raised-cosine edge of the low-pass, Å⁻¹. */
  readonly lowPassWidth: number;
  /** σ of the Gaussian smoothing before the Hessian, Å. */
  readonly hessianSigmaA: number;
  /** Tube test: |λb|/|λc| at least this (round cross-section). */
  readonly roundness: number;
  /** Tube test: |λa|/|λb| at most this (elongated). */
  readonly elongation: number;
  /** Largest change of axis direction per 1 Å step, degrees. */
  readonly maxTurnDeg: number;
  /** Voxels within this distance (Å) of a traced point are claimed. */
  readonly claimRadiusA: number;
  /** Shortest piece kept, Å. */
  readonly minLengthA: number;
  /** Longest piece; longer paths are cut into equal pieces, Å. */
  readonly maxLengthA: number;
  /** Helix pitch, Å. */
  readonly pitchA: number;
  /** Radii averaged by the chirality index, Å. */
  readonly innerRadiusA: number;
  readonly outerRadiusA: number;
  /** A kept piece's annulus mean density must be > 0 and ≥ this × t_L. */
  readonly minDensityFraction: number;
  /** Smallest helicity η of a kept piece. */
  readonly minHelicity: number;
  /** Smallest |h| of a kept piece (noise floor). */
  readonly minAbsH: number;
  /** A piece this helical (η) is used even when its annulus is less dense than ½·t_L (a high contour). */
  readonly confidentHelicity: number;
  /** Evidence needed for a score: Σ length·|h| over the used pieces, Å (≈ that length of perfectly chiral helix). */
  readonly minEvidenceA: number;
  /** Margin (Å) kept around the thresholded box before resampling (filters need room). */
  readonly marginA: number;
}

/** Default parameters (see the file comment for the reasons). */
export const HAND_DEFAULTS: HandOptions = {
  minLowPassA: 3.5,
  lowPassWidth: 0.02,
  hessianSigmaA: 2,
  roundness: 0.35,
  elongation: 0.35,
  maxTurnDeg: 20,
  claimRadiusA: 3,
  minLengthA: 10,
  maxLengthA: 20,
  pitchA: 5.4,
  innerRadiusA: 1.5,
  outerRadiusA: 3.5,
  minDensityFraction: 0.5,
  minHelicity: 0.15,
  minAbsH: 0.05,
  confidentHelicity: 0.8,
  minEvidenceA: 30,
  marginA: 12,
};

/** One straight helix piece found in the map. Positions in Å in the frame of the input map. */
export interface HelixSegment {
  /** Axis end points, Å. */
  readonly start: Vec3;
  readonly end: Vec3;
  /** |end − start|, Å. */
  readonly lengthA: number;
  /** Chirality index h ∈ [−1, 1]: < 0 right-handed (correct), > 0 left-handed. */
  readonly h: number;
  /** Helicity η ∈ [0, 1] (share of the n = 1 axial power at the helix pitch). */
  readonly helicity: number;
  /** Modulation depth of the helical wave (see `Chirality.depth`). */
  readonly depth: number;
  /** Radius (Å) of the maximum of the radial profile. */
  readonly profilePeakA: number;
  /** Weight in the score, length·|h| (0 for pieces that were not used). */
  readonly weight: number;
  /** Whether the piece entered the score (dense annulus, helicity and |h| above their floors). */
  readonly used: boolean;
}

/** The maps the detector works on: 1 Å grid, x fastest. */
export interface HandMaps {
  readonly dims: Vec3;
  /** Å position of voxel (0, 0, 0) (voxel size `voxelA` = HAND_VOXEL_A). */
  readonly origin: Vec3;
  readonly voxelA: number;
  /** Low-passed map L. */
  readonly lowPass: Float32Array;
  /** L smoothed by σ_H (for the Hessian). */
  readonly smooth: Float32Array;
  /** S ≥ t_S, 0/1, t_S enclosing in S the volume the threshold encloses in the resampled map. */
  readonly mask: Uint8Array;
  /** The user's threshold (map units). */
  readonly threshold: number;
  /**
   * The threshold transferred to L: the value enclosing in L as many voxels as `threshold`
   * encloses in the resampled map (equal volume). Filtering lowers the peaks of a high-resolution
   * map, so the user's threshold would enclose too little of L.
   */
  readonly workingThreshold: number;
}

/**
 * Steps 1–2: crop, resample to HAND_VOXEL_A, low-pass and smooth (see the file comment). The grid is
 * sized for the FFT (2·3·5-smooth) and centred on the thresholded box, so the grid of a mirrored
 * map is the mirror of this one. Throws NotMeasurable when no voxel reaches the threshold.
 */
export async function prepareHandMaps(v: Volume, threshold: number, resolution: number, options: Partial<HandOptions> = {}): Promise<HandMaps> {
  const o = { ...HAND_DEFAULTS, ...options };
  const [nx, ny, nz] = v.dims;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const d = v.data;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!(d[i] >= threshold)) continue;
        if (x < lo[0]) lo[0] = x;
        if (x > hi[0]) hi[0] = x;
        if (y < lo[1]) lo[1] = y;
        if (y > hi[1]) hi[1] = y;
        if (z < lo[2]) lo[2] = z;
        if (z > hi[2]) hi[2] = z;
      }
    }
  }
  if (!(hi[0] >= 0)) throw new NotMeasurable(`no voxel of the map reaches the threshold ${threshold}`);
  const step = HAND_VOXEL_A;
  const dims: number[] = [];
  const origin: number[] = [];
  for (let a = 0; a < 3; a++) {
    const ts = v.voxelSize[a];
    const centre = v.origin[a] + ((lo[a] + hi[a]) / 2) * ts;
    const extent = (hi[a] - lo[a]) * ts + 2 * o.marginA;
    const n = goodFftSize(Math.floor(extent / step) + 1);
    dims.push(n);
    origin.push(centre - ((n - 1) / 2) * step);
  }
  const grid = { dims: [dims[0], dims[1], dims[2]] as Vec3, voxelSize: [step, step, step] as Vec3, origin: [origin[0], origin[1], origin[2]] as Vec3 };
  const resampled = resampleOnto(v, grid).data;
  let count = 0;
  for (let i = 0; i < resampled.length; i++) {
    if (resampled[i] !== resampled[i]) resampled[i] = 0;
    else if (resampled[i] >= threshold) count++;
  }

  const fft = createRealFft3d(grid.dims);
  const spec = await fft.forward(resampled);
  const [cx, cy, cz] = fft.complexDims;
  const fc = 1 / Math.max(resolution, o.minLowPassA);
  const w = o.lowPassWidth;
  const g = -2 * Math.PI * Math.PI * o.hessianSigmaA * o.hessianSigmaA;
  const smoothSpec = sharedFloat32(spec.length);
  const fx2 = new Float64Array(cx).map((_, i) => (fftFreq(i, grid.dims[0]) / step) ** 2);
  for (let kz = 0, p = 0; kz < cz; kz++) {
    const fz2 = (fftFreq(kz, grid.dims[2]) / step) ** 2;
    for (let ky = 0; ky < cy; ky++) {
      const fyz2 = fz2 + (fftFreq(ky, grid.dims[1]) / step) ** 2;
      for (let kx = 0; kx < cx; kx++, p += 2) {
        const s2 = fyz2 + fx2[kx];
        const s = Math.sqrt(s2);
        const lp = s <= fc - w / 2 ? 1 : s >= fc + w / 2 ? 0 : 0.5 * (1 + Math.cos((Math.PI * (s - fc + w / 2)) / w));
        const gs = lp * Math.exp(g * s2);
        smoothSpec[p] = spec[p] * gs;
        smoothSpec[p + 1] = spec[p + 1] * gs;
        spec[p] *= lp;
        spec[p + 1] *= lp;
      }
    }
  }
  const lowPass = await fft.inverse(spec);
  // The resampled map is no longer needed: its buffer receives S (saves one volume).
  const smooth = await fft.inverse(smoothSpec, resampled);
  const workingThreshold = kthLargest(lowPass, count);
  const smoothThreshold = kthLargest(smooth, count);
  const mask = new Uint8Array(smooth.length);
  for (let i = 0; i < smooth.length; i++) if (smooth[i] >= smoothThreshold) mask[i] = 1;
  return { dims: grid.dims, origin: grid.origin, voxelA: step, lowPass, smooth, mask, threshold, workingThreshold };
}


// ---------------------------------------------------------------------------------------------
// Local differential geometry of S at arbitrary points (trilinear samples, 1-voxel differences).
// ---------------------------------------------------------------------------------------------

/** Trilinear value of `a` (dims n) at voxel coordinates (x, y, z); 0 outside [0, n−1]. */
function tri(a: Float32Array, nx: number, ny: number, nz: number, x: number, y: number, z: number): number {
  if (!(x >= 0 && y >= 0 && z >= 0 && x <= nx - 1 && y <= ny - 1 && z <= nz - 1)) return 0;
  const x0 = Math.min(Math.floor(x), nx - 2), y0 = Math.min(Math.floor(y), ny - 2), z0 = Math.min(Math.floor(z), nz - 2);
  const fx = x - x0, fy = y - y0, fz = z - z0;
  const nxy = nx * ny;
  const i = x0 + nx * y0 + nxy * z0;
  const c00 = a[i] + fx * (a[i + 1] - a[i]);
  const c10 = a[i + nx] + fx * (a[i + nx + 1] - a[i + nx]);
  const c01 = a[i + nxy] + fx * (a[i + nxy + 1] - a[i + nxy]);
  const c11 = a[i + nxy + nx] + fx * (a[i + nxy + nx + 1] - a[i + nxy + nx]);
  const c0 = c00 + fy * (c10 - c00);
  const c1 = c01 + fy * (c11 - c01);
  return c0 + fz * (c1 - c0);
}

/** Scratch of `jetAt`: [gx, gy, gz, hxx, hxy, hxz, hyy, hyz, hzz]. */
const JET = new Float64Array(9);

/** Gradient and Hessian of `a` at (x, y, z) by central differences (step 1 voxel) of trilinear samples, into JET. */
function jetAt(a: Float32Array, dims: Vec3, x: number, y: number, z: number): void {
  const [nx, ny, nz] = dims;
  const s = (dx: number, dy: number, dz: number) => tri(a, nx, ny, nz, x + dx, y + dy, z + dz);
  const c = s(0, 0, 0);
  const xp = s(1, 0, 0), xm = s(-1, 0, 0), yp = s(0, 1, 0), ym = s(0, -1, 0), zp = s(0, 0, 1), zm = s(0, 0, -1);
  JET[0] = (xp - xm) / 2;
  JET[1] = (yp - ym) / 2;
  JET[2] = (zp - zm) / 2;
  JET[3] = xp + xm - 2 * c;
  JET[6] = yp + ym - 2 * c;
  JET[8] = zp + zm - 2 * c;
  JET[4] = (s(1, 1, 0) - s(1, -1, 0) - s(-1, 1, 0) + s(-1, -1, 0)) / 4;
  JET[5] = (s(1, 0, 1) - s(1, 0, -1) - s(-1, 0, 1) + s(-1, 0, -1)) / 4;
  JET[7] = (s(0, 1, 1) - s(0, 1, -1) - s(0, -1, 1) + s(0, -1, -1)) / 4;
}

/** Scratch of `tubeEigen`: [λa, λb, λc (|λa| ≤ |λb| ≤ |λc|), ax, ay, az (unit eigenvector of λa)]. */
const EIG = new Float64Array(6);

/**
 * Eigenvalues of the symmetric matrix [[a, b, c], [b, d, e], [c, e, f]] (trigonometric closed
 * form), sorted by magnitude into EIG[0..2]; with `vector`, the unit eigenvector of the
 * smallest-magnitude one into EIG[3..5] (largest cross product of two rows of A − λI; well
 * defined when λa is separated from the others, which the tube test guarantees).
 */
function tubeEigen(a: number, b: number, c: number, d: number, e: number, f: number, vector: boolean): void {
  const p1 = b * b + c * c + e * e;
  const q = (a + d + f) / 3;
  const p2 = (a - q) ** 2 + (d - q) ** 2 + (f - q) ** 2 + 2 * p1;
  let l1: number, l2: number, l3: number;
  if (p2 < 1e-30 * (q * q + 1e-300)) {
    l1 = l2 = l3 = q;
  } else {
    const p = Math.sqrt(p2 / 6);
    const ia = (a - q) / p, id = (d - q) / p, iff = (f - q) / p, ib = b / p, ic = c / p, ie = e / p;
    const det = ia * (id * iff - ie * ie) - ib * (ib * iff - ie * ic) + ic * (ib * ie - id * ic);
    const r = Math.max(-1, Math.min(1, det / 2));
    const phi = Math.acos(r) / 3;
    l1 = q + 2 * p * Math.cos(phi);
    l3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
    l2 = 3 * q - l1 - l3;
  }
  // Sort by magnitude.
  let x = l1, y = l2, z = l3, t: number;
  if (Math.abs(x) > Math.abs(y)) { t = x; x = y; y = t; }
  if (Math.abs(y) > Math.abs(z)) { t = y; y = z; z = t; }
  if (Math.abs(x) > Math.abs(y)) { t = x; x = y; y = t; }
  EIG[0] = x;
  EIG[1] = y;
  EIG[2] = z;
  if (!vector) return;
  const r0x = a - x, r0y = b, r0z = c;
  const r1x = b, r1y = d - x, r1z = e;
  const r2x = c, r2y = e, r2z = f - x;
  let bx = r0y * r1z - r0z * r1y, by = r0z * r1x - r0x * r1z, bz = r0x * r1y - r0y * r1x;
  let bn = bx * bx + by * by + bz * bz;
  const cx1 = r0y * r2z - r0z * r2y, cy1 = r0z * r2x - r0x * r2z, cz1 = r0x * r2y - r0y * r2x;
  const cn = cx1 * cx1 + cy1 * cy1 + cz1 * cz1;
  if (cn > bn) { bx = cx1; by = cy1; bz = cz1; bn = cn; }
  const dx1 = r1y * r2z - r1z * r2y, dy1 = r1z * r2x - r1x * r2z, dz1 = r1x * r2y - r1y * r2x;
  const dn = dx1 * dx1 + dy1 * dy1 + dz1 * dz1;
  if (dn > bn) { bx = dx1; by = dy1; bz = dz1; bn = dn; }
  const inv = bn > 0 ? 1 / Math.sqrt(bn) : 0;
  EIG[3] = bx * inv;
  EIG[4] = by * inv;
  EIG[5] = bz * inv;
}

function isTube(o: HandOptions): boolean {
  const la = EIG[0], lb = EIG[1], lc = EIG[2];
  return lb < 0 && lc < 0 && -lb >= o.roundness * -lc && Math.abs(la) <= o.elongation * -lb;
}

// ---------------------------------------------------------------------------------------------
// Steps 3–5: seeds, growing, pieces.
// ---------------------------------------------------------------------------------------------

/** A traced ridge path: `count` points (voxel coordinates of the working grid), x, y, z interleaved. */
export interface RidgePath {
  readonly points: Float64Array;
  readonly count: number;
}

/**
 * Tube-like voxels of M (Hessian of S by grid differences), as flat indices sorted by decreasing
 * strength −(λb + λc)/2. The outermost voxel layer is skipped.
 */
export function tubeSeeds(maps: HandMaps, options: Partial<HandOptions> = {}): Uint32Array {
  const o = { ...HAND_DEFAULTS, ...options };
  const [nx, ny, nz] = maps.dims;
  const s = maps.smooth;
  const m = maps.mask;
  const nxy = nx * ny;
  let idx = new Uint32Array(1024);
  let str = new Float32Array(1024);
  let n = 0;
  for (let z = 1; z < nz - 1; z++) {
    for (let y = 1; y < ny - 1; y++) {
      let i = 1 + nx * y + nxy * z;
      for (let x = 1; x < nx - 1; x++, i++) {
        if (!m[i]) continue;
        const c2 = 2 * s[i];
        const hxx = s[i + 1] + s[i - 1] - c2;
        const hyy = s[i + nx] + s[i - nx] - c2;
        const hzz = s[i + nxy] + s[i - nxy] - c2;
        const hxy = (s[i + 1 + nx] - s[i + 1 - nx] - s[i - 1 + nx] + s[i - 1 - nx]) / 4;
        const hxz = (s[i + 1 + nxy] - s[i + 1 - nxy] - s[i - 1 + nxy] + s[i - 1 - nxy]) / 4;
        const hyz = (s[i + nx + nxy] - s[i + nx - nxy] - s[i - nx + nxy] + s[i - nx - nxy]) / 4;
        tubeEigen(hxx, hxy, hxz, hyy, hyz, hzz, false);
        if (!isTube(o)) continue;
        if (n === idx.length) {
          const bi = new Uint32Array(2 * n), bs = new Float32Array(2 * n);
          bi.set(idx);
          bs.set(str);
          idx = bi;
          str = bs;
        }
        idx[n] = i;
        str[n] = -(EIG[1] + EIG[2]) / 2;
        n++;
      }
    }
  }
  // Decreasing strength; ties by voxel index, so the order is deterministic.
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((p, q) => str[q] - str[p] || idx[p] - idx[q]);
  for (let k = 0; k < n; k++) order[k] = idx[order[k]];
  return order;
}

/**
 * One Newton step towards the ridge of S in the plane normal to t: δ = −H⊥⁻¹∇S⊥ with H⊥ the
 * 2 × 2 restriction of the Hessian to an orthonormal basis (u, v) of that plane; |δ| ≤ 1 voxel.
 * Uses JET at p (computed by the caller); writes the new point into `p`. Returns false when H⊥
 * is not negative definite (no ridge to move to).
 */
function recentre(p: Float64Array, tx: number, ty: number, tz: number): boolean {
  // Basis of the plane ⊥ t.
  let ux: number, uy: number, uz: number;
  if (Math.abs(tx) < 0.9) { ux = 0; uy = tz; uz = -ty; } else { ux = -tz; uy = 0; uz = tx; }
  const un = Math.hypot(ux, uy, uz);
  ux /= un; uy /= un; uz /= un;
  const vx = ty * uz - tz * uy, vy = tz * ux - tx * uz, vz = tx * uy - ty * ux;
  const H = JET;
  const hu = (ax: number, ay: number, az: number, bx: number, by: number, bz: number) =>
    ax * (H[3] * bx + H[4] * by + H[5] * bz) + ay * (H[4] * bx + H[6] * by + H[7] * bz) + az * (H[5] * bx + H[7] * by + H[8] * bz);
  const m00 = hu(ux, uy, uz, ux, uy, uz), m01 = hu(ux, uy, uz, vx, vy, vz), m11 = hu(vx, vy, vz, vx, vy, vz);
  const det = m00 * m11 - m01 * m01;
  if (!(m00 < 0 && det > 0)) return false;
  const gu = H[0] * ux + H[1] * uy + H[2] * uz, gv = H[0] * vx + H[1] * vy + H[2] * vz;
  let a = -(m11 * gu - m01 * gv) / det;
  let b = -(-m01 * gu + m00 * gv) / det;
  const len = Math.hypot(a, b);
  if (len > 1) { a /= len; b /= len; }
  p[0] += a * ux + b * vx;
  p[1] += a * uy + b * vy;
  p[2] += a * uz + b * vz;
  return true;
}

/** Marks voxels within `r` voxels of (x, y, z) in `claimed`. */
function claimBall(claimed: Uint8Array, dims: Vec3, x: number, y: number, z: number, r: number): void {
  const [nx, ny, nz] = dims;
  const r2 = r * r;
  const x0 = Math.max(0, Math.ceil(x - r)), x1 = Math.min(nx - 1, Math.floor(x + r));
  const y0 = Math.max(0, Math.ceil(y - r)), y1 = Math.min(ny - 1, Math.floor(y + r));
  const z0 = Math.max(0, Math.ceil(z - r)), z1 = Math.min(nz - 1, Math.floor(z + r));
  for (let k = z0; k <= z1; k++) {
    const dz2 = (k - z) ** 2;
    for (let j = y0; j <= y1; j++) {
      const dyz2 = dz2 + (j - y) ** 2;
      if (dyz2 > r2) continue;
      const base = nx * (j + ny * k);
      for (let i = x0; i <= x1; i++) if (dyz2 + (i - x) ** 2 <= r2) claimed[base + i] = 1;
    }
  }
}

/**
 * Steps 3–4: grows ridge paths from the tube seeds (see the file comment). Returns every path
 * (also those shorter than the minimum length, which the caller drops).
 */
export function traceHelixPaths(maps: HandMaps, options: Partial<HandOptions> = {}): RidgePath[] {
  const o = { ...HAND_DEFAULTS, ...options };
  const seeds = tubeSeeds(maps, o);
  const [nx, ny, nz] = maps.dims;
  const claimed = new Uint8Array(maps.mask.length);
  const cosTurn = Math.cos((o.maxTurnDeg * Math.PI) / 180);
  const maxSteps = 200;
  const p = new Float64Array(3);
  const fwd = new Float64Array(3 * (maxSteps + 1));
  const bwd = new Float64Array(3 * (maxSteps + 1));
  const paths: RidgePath[] = [];
  const inside = (x: number, y: number, z: number) => x >= 2 && y >= 2 && z >= 2 && x <= nx - 3 && y <= ny - 3 && z <= nz - 3;
  const nearest = (x: number, y: number, z: number) => Math.round(x) + nx * (Math.round(y) + ny * Math.round(z));
  /** Axis at p (into EIG) if p is tube-like. */
  const axisAt = (x: number, y: number, z: number): boolean => {
    jetAt(maps.smooth, maps.dims, x, y, z);
    tubeEigen(JET[3], JET[4], JET[5], JET[6], JET[7], JET[8], true);
    return isTube(o);
  };
  for (let s = 0; s < seeds.length; s++) {
    const seed = seeds[s];
    if (claimed[seed]) continue;
    p[0] = seed % nx;
    p[1] = Math.floor(seed / nx) % ny;
    p[2] = Math.floor(seed / (nx * ny));
    // Centre the seed on the ridge (two Newton steps).
    let ok = true;
    for (let it = 0; it < 2 && ok; it++) {
      ok = axisAt(p[0], p[1], p[2]) && recentre(p, EIG[3], EIG[4], EIG[5]);
    }
    ok = ok && inside(p[0], p[1], p[2]) && axisAt(p[0], p[1], p[2]);
    if (!ok || claimed[nearest(p[0], p[1], p[2])]) {
      claimed[seed] = 1;
      continue;
    }
    const t0x = EIG[3], t0y = EIG[4], t0z = EIG[5];
    const sx = p[0], sy = p[1], sz = p[2];
    const counts = [0, 0];
    for (let dir = 0; dir < 2; dir++) {
      const buf = dir === 0 ? fwd : bwd;
      const sign = dir === 0 ? 1 : -1;
      let tx = sign * t0x, ty = sign * t0y, tz = sign * t0z;
      let x = sx, y = sy, z = sz;
      let n = 0;
      while (n < maxSteps) {
        p[0] = x + tx;
        p[1] = y + ty;
        p[2] = z + tz;
        // Two Newton steps in the plane normal to the current direction, then the tube test.
        if (!inside(p[0], p[1], p[2])) break;
        jetAt(maps.smooth, maps.dims, p[0], p[1], p[2]);
        if (!recentre(p, tx, ty, tz)) break;
        if (!inside(p[0], p[1], p[2])) break;
        jetAt(maps.smooth, maps.dims, p[0], p[1], p[2]);
        if (!recentre(p, tx, ty, tz)) break;
        if (!inside(p[0], p[1], p[2]) || !axisAt(p[0], p[1], p[2])) break;
        let ax = EIG[3], ay = EIG[4], az = EIG[5];
        let dot = ax * tx + ay * ty + az * tz;
        if (dot < 0) { ax = -ax; ay = -ay; az = -az; dot = -dot; }
        if (dot < cosTurn) break;
        const k = nearest(p[0], p[1], p[2]);
        if (!maps.mask[k]) break;
        if (claimed[k]) break;
        // Guard against a stalled step (re-centring pulled the point back).
        if ((p[0] - x) ** 2 + (p[1] - y) ** 2 + (p[2] - z) ** 2 < 0.25) break;
        buf[3 * n] = p[0];
        buf[3 * n + 1] = p[1];
        buf[3 * n + 2] = p[2];
        n++;
        x = p[0]; y = p[1]; z = p[2];
        tx = ax; ty = ay; tz = az;
      }
      counts[dir] = n;
    }
    const count = counts[0] + counts[1] + 1;
    const pts = new Float64Array(3 * count);
    let w = 0;
    for (let k = counts[1] - 1; k >= 0; k--, w += 3) pts.set(bwd.subarray(3 * k, 3 * k + 3), w);
    pts[w] = sx; pts[w + 1] = sy; pts[w + 2] = sz; w += 3;
    for (let k = 0; k < counts[0]; k++, w += 3) pts.set(fwd.subarray(3 * k, 3 * k + 3), w);
    for (let k = 0; k < count; k++) claimBall(claimed, maps.dims, pts[3 * k], pts[3 * k + 1], pts[3 * k + 2], o.claimRadiusA / maps.voxelA);
    claimed[seed] = 1;
    paths.push({ points: pts, count });
  }
  return paths;
}

/** A straight piece: centre c, unit axis t, half length (voxel units of the working grid). */
export interface Piece {
  readonly c: Vec3;
  readonly t: Vec3;
  readonly half: number;
}

/** Arc length of a path (voxel units). */
function pathLength(path: RidgePath): number {
  let L = 0;
  const q = path.points;
  for (let k = 1; k < path.count; k++) L += Math.hypot(q[3 * k] - q[3 * k - 3], q[3 * k + 1] - q[3 * k - 2], q[3 * k + 2] - q[3 * k - 1]);
  return L;
}

/**
 * Step 5: paths of arc length ≥ minLength cut into ceil(L/maxLength) equal pieces; each piece's
 * axis is the principal eigenvector of the covariance of its points (power iteration from the
 * end-to-end vector), centred at their mean, half length = half the extent of the projections.
 */
export function pathPieces(path: RidgePath, minLength: number, maxLength: number): Piece[] {
  const L = pathLength(path);
  if (L < minLength) return [];
  const n = Math.ceil(L / maxLength);
  const q = path.points;
  const arc = new Float64Array(path.count);
  for (let k = 1; k < path.count; k++) arc[k] = arc[k - 1] + Math.hypot(q[3 * k] - q[3 * k - 3], q[3 * k + 1] - q[3 * k - 2], q[3 * k + 2] - q[3 * k - 1]);
  const out: Piece[] = [];
  for (let j = 0; j < n; j++) {
    const a0 = (j * L) / n - 1e-9, a1 = ((j + 1) * L) / n + 1e-9;
    let k0 = -1, k1 = -1;
    for (let k = 0; k < path.count; k++) {
      if (arc[k] >= a0 && arc[k] <= a1) {
        if (k0 < 0) k0 = k;
        k1 = k;
      }
    }
    if (k0 < 0 || k1 - k0 < 2) continue;
    const m = k1 - k0 + 1;
    let cx = 0, cy = 0, cz = 0;
    for (let k = k0; k <= k1; k++) { cx += q[3 * k]; cy += q[3 * k + 1]; cz += q[3 * k + 2]; }
    cx /= m; cy /= m; cz /= m;
    let sxx = 0, sxy = 0, sxz = 0, syy = 0, syz = 0, szz = 0;
    for (let k = k0; k <= k1; k++) {
      const dx = q[3 * k] - cx, dy = q[3 * k + 1] - cy, dz = q[3 * k + 2] - cz;
      sxx += dx * dx; sxy += dx * dy; sxz += dx * dz; syy += dy * dy; syz += dy * dz; szz += dz * dz;
    }
    let tx = q[3 * k1] - q[3 * k0], ty = q[3 * k1 + 1] - q[3 * k0 + 1], tz = q[3 * k1 + 2] - q[3 * k0 + 2];
    for (let it = 0; it < 30; it++) {
      const nx = sxx * tx + sxy * ty + sxz * tz, ny = sxy * tx + syy * ty + syz * tz, nz = sxz * tx + syz * ty + szz * tz;
      const nn = Math.hypot(nx, ny, nz);
      if (!(nn > 0)) break;
      tx = nx / nn; ty = ny / nn; tz = nz / nn;
    }
    const tn = Math.hypot(tx, ty, tz);
    tx /= tn; ty /= tn; tz /= tn;
    let lo = Infinity, hi = -Infinity;
    for (let k = k0; k <= k1; k++) {
      const s = (q[3 * k] - cx) * tx + (q[3 * k + 1] - cy) * ty + (q[3 * k + 2] - cz) * tz;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const mid = (lo + hi) / 2;
    out.push({ c: [cx + mid * tx, cy + mid * ty, cz + mid * tz], t: [tx, ty, tz], half: (hi - lo) / 2 });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Steps 6–7: radial profile and chirality index.
// ---------------------------------------------------------------------------------------------

/** Unit vectors u, v with u × v = t (a right-handed frame (u, v, t)). */
function frame(t: Vec3): { u: Vec3; v: Vec3 } {
  const [tx, ty, tz] = t;
  let ux: number, uy: number, uz: number;
  if (Math.abs(tx) < 0.9) { ux = 0; uy = tz; uz = -ty; } else { ux = -tz; uy = 0; uz = tx; }
  const un = Math.hypot(ux, uy, uz);
  ux /= un; uy /= un; uz /= un;
  return { u: [ux, uy, uz], v: [ty * uz - tz * uy, tz * ux - tx * uz, tx * uy - ty * ux] };
}

const PHI_STEPS = 72;
const COS_PHI = Float64Array.from({ length: PHI_STEPS }, (_, k) => Math.cos((2 * Math.PI * k) / PHI_STEPS));
const SIN_PHI = Float64Array.from({ length: PHI_STEPS }, (_, k) => Math.sin((2 * Math.PI * k) / PHI_STEPS));

/**
 * Azimuthal mean of `a` (working grid, voxel units = Å at 1 Å voxels) on cylinders r = 0, 1, …,
 * rMax around the piece's axis, averaged over z in 1 Å steps along the piece. Returns
 * profile[r].
 */
export function radialProfile(a: Float32Array, dims: Vec3, c: Vec3, t: Vec3, half: number, rMax = 8): Float64Array {
  const [nx, ny, nz] = dims;
  const { u, v } = frame(t);
  const prof = new Float64Array(rMax + 1);
  const nzs = Math.max(1, Math.floor(2 * half) + 1);
  for (let r = 0; r <= rMax; r++) {
    let acc = 0, n = 0;
    const nphi = r === 0 ? 1 : 24;
    for (let k = 0; k < nzs; k++) {
      const z = -half + (nzs === 1 ? half : (2 * half * k) / (nzs - 1));
      const bx = c[0] + z * t[0], by = c[1] + z * t[1], bz = c[2] + z * t[2];
      for (let j = 0; j < nphi; j++) {
        const cp = Math.cos((2 * Math.PI * j) / nphi), sp = Math.sin((2 * Math.PI * j) / nphi);
        acc += tri(a, nx, ny, nz, bx + r * (cp * u[0] + sp * v[0]), by + r * (cp * u[1] + sp * v[1]), bz + r * (cp * u[2] + sp * v[2]));
        n++;
      }
    }
    prof[r] = acc / n;
  }
  return prof;
}

/** Chirality of one piece (spec step 3): h, helicity η, |c+|², |c−|². */
export interface Chirality {
  readonly h: number;
  readonly helicity: number;
  readonly cPlus2: number;
  readonly cMinus2: number;
  /**
   * Modulation depth of the dominant helical wave relative to the mean density of the annulus:
   * 2·max(|c+|, |c−|)/Nz / mean ρ (for ρ = ρ̄(1 + m·cos(φ ∓ 2πz/P)), depth = m).
   */
  readonly depth: number;
  /** Mean of ρ over the annulus (map units). */
  readonly meanDensity: number;
}

/**
 * Chirality index of the piece (c, t, half) of map `a` on the working grid (voxel units; 1 Å
 * voxels): cylindrical samples r ∈ [rIn, rOut] (0.5 Å steps), φ in 5° steps, z in 0.25 Å steps,
 * a1(z) detrended, c± = Σ_z a1(z)·e^(±2πiz/pitch); h and η as in the file comment. Invariant
 * under t → −t; a mirror image of the map negates h.
 */
export function chiralityIndex(a: Float32Array, dims: Vec3, c: Vec3, t: Vec3, half: number, pitch: number, rIn: number, rOut: number): Chirality {
  const [nx, ny, nz] = dims;
  const { u, v } = frame(t);
  const dz = 0.25;
  const nzs = Math.floor((2 * half) / dz) + 1;
  const nr = Math.round((rOut - rIn) / 0.5) + 1;
  const re = new Float64Array(nzs), im = new Float64Array(nzs), zs = new Float64Array(nzs);
  let total = 0;
  for (let k = 0; k < nzs; k++) {
    const z = -half + k * dz;
    zs[k] = z;
    const bx = c[0] + z * t[0], by = c[1] + z * t[1], bz = c[2] + z * t[2];
    let sr = 0, si = 0;
    for (let j = 0; j < PHI_STEPS; j++) {
      const ex = COS_PHI[j] * u[0] + SIN_PHI[j] * v[0];
      const ey = COS_PHI[j] * u[1] + SIN_PHI[j] * v[1];
      const ez = COS_PHI[j] * u[2] + SIN_PHI[j] * v[2];
      let rho = 0;
      for (let q = 0; q < nr; q++) {
        const r = rIn + 0.5 * q;
        rho += tri(a, nx, ny, nz, bx + r * ex, by + r * ey, bz + r * ez);
      }
      rho /= nr;
      total += rho;
      sr += rho * COS_PHI[j];
      si -= rho * SIN_PHI[j];
    }
    re[k] = sr / PHI_STEPS;
    im[k] = si / PHI_STEPS;
  }
  detrend(zs, re);
  detrend(zs, im);
  let pr = 0, pi = 0, mr = 0, mi = 0, power = 0;
  const k2 = (2 * Math.PI) / pitch;
  for (let k = 0; k < nzs; k++) {
    const cs = Math.cos(k2 * zs[k]), sn = Math.sin(k2 * zs[k]);
    // a1·e^(+iθ) and a1·e^(−iθ)
    pr += re[k] * cs - im[k] * sn;
    pi += re[k] * sn + im[k] * cs;
    mr += re[k] * cs + im[k] * sn;
    mi += im[k] * cs - re[k] * sn;
    power += re[k] * re[k] + im[k] * im[k];
  }
  const cPlus2 = pr * pr + pi * pi;
  const cMinus2 = mr * mr + mi * mi;
  const sum = cPlus2 + cMinus2;
  return {
    h: sum > 0 ? (cMinus2 - cPlus2) / sum : 0,
    helicity: power > 0 ? sum / (nzs * power) : 0,
    cPlus2,
    cMinus2,
    meanDensity: total / (nzs * PHI_STEPS),
    depth: total > 0 ? (2 * Math.sqrt(Math.max(cPlus2, cMinus2))) / nzs / (total / (nzs * PHI_STEPS)) : 0,
  };
}

/** Subtracts the least-squares line in x from y (in place). */
function detrend(x: Float64Array, y: Float64Array): void {
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let k = 0; k < n; k++) { sx += x[k]; sy += y[k]; sxx += x[k] * x[k]; sxy += x[k] * y[k]; }
  const den = n * sxx - sx * sx;
  const b = den > 0 ? (n * sxy - sx * sy) / den : 0;
  const a = (sy - b * sx) / n;
  for (let k = 0; k < n; k++) y[k] -= a + b * x[k];
}

// ---------------------------------------------------------------------------------------------
// Steps 6–8 together, and the item.
// ---------------------------------------------------------------------------------------------

/** Whether a radial profile looks like a helix rod (step 6). Returns the peak radius or −1. */
function rodPeak(prof: Float64Array): number {
  let best = 0;
  for (let r = 1; r < prof.length; r++) if (prof[r] > prof[best]) best = r;
  if (best > 3.5) return -1;
  const max = prof[best];
  if (!(max > 0)) return -1;
  if (prof[Math.min(7, prof.length - 1)] >= 0.6 * max) return -1;
  return best;
}

/**
 * Steps 3–7 on prepared maps: every piece that passes the rod test, with its chirality; `used`
 * marks those entering the score. Positions converted to Å (frame of the input map).
 */
export function findHelixSegments(maps: HandMaps, options: Partial<HandOptions> = {}): HelixSegment[] {
  const o = { ...HAND_DEFAULTS, ...options };
  const vox = maps.voxelA;
  const paths = traceHelixPaths(maps, o);
  const segs: HelixSegment[] = [];
  for (const path of paths) {
    for (const piece of pathPieces(path, o.minLengthA / vox, o.maxLengthA / vox)) {
      // Arc length ≥ minLength was checked on the path; the straight extent may be shorter
      // (the ridge points zigzag by a few tenths of an Å), but not much.
      if (2 * piece.half * vox < 0.8 * o.minLengthA) continue;
      const prof = radialProfile(maps.lowPass, maps.dims, piece.c, piece.t, piece.half, Math.round(8 / vox));
      const peak = rodPeak(prof);
      if (peak < 0) continue;
      const ch = chiralityIndex(maps.lowPass, maps.dims, piece.c, piece.t, piece.half, o.pitchA / vox, o.innerRadiusA / vox, o.outerRadiusA / vox);
      const toA = (s: number): Vec3 => [0, 1, 2].map((a) => maps.origin[a] + vox * (piece.c[a] + s * piece.half * piece.t[a])) as unknown as Vec3;
      const lengthA = 2 * piece.half * vox;
      // The annulus must be positive and at least half as dense as t_L: guards against ridges of
      // filtered noise when the threshold is at the background level. (Half, because at high
      // resolution and a high contour, the annulus of a helix, grooves included, is less dense
      // than the contour.)
      // A piece whose axial power sits almost all at the α pitch (η ≥ confidentHelicity; filtered
      // noise gives η ≈ 0.1–0.3) is a helix even when a high contour makes it look thin.
      const dense = ch.meanDensity > 0 && (ch.meanDensity >= o.minDensityFraction * maps.workingThreshold || ch.helicity >= o.confidentHelicity);
      const used = dense && ch.helicity >= o.minHelicity && Math.abs(ch.h) >= o.minAbsH;
      segs.push({
        start: toA(-1),
        end: toA(1),
        lengthA,
        h: ch.h,
        helicity: ch.helicity,
        depth: ch.depth,
        profilePeakA: peak * vox,
        weight: used ? lengthA * Math.abs(ch.h) : 0,
        used,
      });
    }
  }
  return segs;
}

const f1 = (x: number) => x.toFixed(1);

/** score = Σ w·[h > 0] / Σ w over used segments (NaN when none). */
export function handScore(segments: readonly HelixSegment[]): number {
  let num = 0, den = 0;
  for (const s of segments) {
    if (!s.used) continue;
    den += s.weight;
    if (s.h > 0) num += s.weight;
  }
  return den > 0 ? num / den : NaN;
}


/** Result of `handTest`: the pieces found (used or not), the score and the working maps. */
export interface HandTestResult {
  readonly segments: HelixSegment[];
  /** Length- and strength-weighted share of left-handed used segments (`handScore`). */
  readonly score: number;
  /** Used segments, their total length (Å) and how many wind left-handed. */
  readonly usedSegments: number;
  readonly totalLengthA: number;
  /** Σ length·|h| over the used segments, Å: the weight of evidence behind the score. */
  readonly evidenceA: number;
  readonly leftHandedSegments: number;
  /** Low-pass applied before tracing, Å. */
  readonly lowPassA: number;
  /** The working maps (for figures). */
  readonly maps: HandMaps;
}

/**
 * 0.h on map `v` at `threshold` with the reported `resolution` (Å). Not applicable without a
 * resolution (null or 0) or above 5 Å; "could not be measured" with fewer than
 * `minSegments` usable helix pieces.
 */
export async function handTest(v: Volume, threshold: number, resolution: number | null, options: Partial<HandOptions> = {}): Promise<HandTestResult> {
  if (!resolution) throw new NotApplicable('no resolution reported');
  if (resolution > HAND_MAX_RESOLUTION_A) throw new NotApplicable(`resolution worse than ${HAND_MAX_RESOLUTION_A} Å`);
  const o = { ...HAND_DEFAULTS, ...options };
  const maps = await prepareHandMaps(v, threshold, resolution, o);
  const segments = findHelixSegments(maps, o);
  const used = segments.filter((s) => s.used);
  const totalLengthA = used.reduce((a, s) => a + s.lengthA, 0);
  const evidenceA = used.reduce((a, s) => a + s.weight, 0);
  if (!(evidenceA >= o.minEvidenceA)) {
    throw new NotMeasurable(`too little α-helix to decide the hand: ${used.length} helix piece${used.length === 1 ? '' : 's'} (${f1(totalLengthA)} Å in total) with chirality evidence Σ length·|h| = ${f1(evidenceA)} Å; at least ${o.minEvidenceA} Å are needed`);
  }
  const score = handScore(segments);
  const leftHandedSegments = used.filter((s) => s.h > 0).length;
  return { segments, score, usedSegments: used.length, totalLengthA, evidenceA, leftHandedSegments, lowPassA: Math.max(resolution, o.minLowPassA), maps };
}

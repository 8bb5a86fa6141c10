/**
 * Cryo-EM-like maps from atomic models: a sum of 3-D Gaussians (one per atom, or five with the
 * Peng electron scattering factors), an optional global B-factor, optional Gaussian noise.
 *
 * Density convention: the map value is weight per Å³. Each 1-D profile of an atom is normalised
 * to unit sum over its ±4σ window (ρ(x) = g(x)/(Σ g·Δx)), so a weight-w atom lying inside the box
 * integrates to exactly w: Σ ρ·ΔxΔyΔz = w. For σ ≥ 0.5 voxel this is the continuous density
 * w·(2πσ²)^(−3/2)·exp(−r²/(2σ²)) within 1 %, and it stays mass-exact for sub-voxel σ.
 *
 * Global B convention (what the Guinier analysis of Level 0 item 0.d measures): |F(s)| ∝
 * exp(B·s²/4), s = 1/d in Å⁻¹, so B < 0 blurs (B = −100 Å² is a typical map). A Gaussian of
 * variance σ² multiplies amplitudes by exp(−2π²σ²s²), an effective B of −8π²σ². Hence:
 * - B ≤ 0 is applied exactly in real space by adding σ_B² = −B/(8π²) to every atom's variance;
 * - B > 0 (over-sharpened) is applied after the sum in Fourier space: coefficients with
 *   s ≤ 1/resolution are multiplied by exp(B·s²/4), finer ones are left unchanged.
 * The resolution blur σ_res = 0.225·resolution (Chimera molmap convention) itself has an
 * effective B of −8π²σ_res² (−49 Å² at 3.5 Å), so the map's total Guinier B is
 * B − 8π²σ_res² (see `effectiveBFactor`).
 */
import type { AtomModel } from '../io/model.ts';
import { createRealFft3d, fftFreq } from '../fft/fft.ts';
import type { Vec3, Volume } from '../volume/volume.ts';
import { atomGaussians, type WeightScheme } from './elements.ts';
import { gaussianSource, mulberry32 } from '../util/random.ts';

/** A sampling grid: dims [nx, ny, nz], voxel edges (Å), position of voxel (0, 0, 0) (Å). */
export interface Grid {
  readonly dims: Vec3;
  readonly voxelSize: Vec3;
  readonly origin: Vec3;
}

/** σ_res / resolution of the Chimera molmap convention (σ = 0.225·resolution Å). */
export const SIGMA_PER_RESOLUTION = 0.225;
/** Half-width of each atom's window, in σ (the Gaussian is cut at 4σ: exp(−8) ≈ 3.4e−4 of peak). */
export const WINDOW_SIGMAS = 4;

const EIGHT_PI2 = 8 * Math.PI * Math.PI;

/**
 * A grid enclosing every atom with `paddingA` Å of margin on each side. dims_i =
 * ceil((extent_i + 2·padding)/voxelSize) + 1, and the box is centred on the
 * atoms' bounding box: origin_i = centre_i − (dims_i − 1)/2·voxelSize. `cubic` makes all three
 * dims equal to the largest.
 */
export function gridAroundModel(model: AtomModel, voxelSize: number, paddingA: number, opts: { cubic?: boolean } = {}): Grid {
  if (!(voxelSize > 0)) throw new RangeError(`gridAroundModel: voxelSize must be > 0, got ${voxelSize}`);
  if (!(paddingA >= 0)) throw new RangeError(`gridAroundModel: paddingA must be ≥ 0, got ${paddingA}`);
  if (model.count === 0) throw new RangeError('gridAroundModel: the model has no atoms');
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const coords = [model.x, model.y, model.z];
  for (let d = 0; d < 3; d++) {
    const c = coords[d];
    for (let i = 0; i < model.count; i++) {
      if (c[i] < lo[d]) lo[d] = c[i];
      if (c[i] > hi[d]) hi[d] = c[i];
    }
  }
  let dims = [0, 1, 2].map((d) => Math.ceil((hi[d] - lo[d] + 2 * paddingA) / voxelSize) + 1);
  if (opts.cubic) {
    const m = Math.max(...dims);
    dims = [m, m, m];
  }
  const origin = [0, 1, 2].map((d) => (lo[d] + hi[d]) / 2 - ((dims[d] - 1) / 2) * voxelSize);
  return { dims: [dims[0], dims[1], dims[2]], voxelSize: [voxelSize, voxelSize, voxelSize], origin: [origin[0], origin[1], origin[2]] };
}

/** Options of `simulateMap`. */
export interface SimulateOptions {
  /** Resolution (Å): σ_res = 0.225·resolution, and the cut-off of the Fourier boost for B > 0. */
  resolution: number;
  /** Global B-factor (Å²) in the Guinier sign convention (negative blurs). Default 0. */
  bFactor?: number;
  /** Standard deviation of additive Gaussian noise (map units). Default 0. */
  noiseSigma?: number;
  /** Seed of the noise. Default 1. */
  seed?: number;
  /** Atom weights: 'z' (one Gaussian of weight Z) or 'peng' (five-Gaussian electron factors). Default 'z'. */
  weights?: WeightScheme;
  /** Also blur each atom by its own B (crystallographic sign: σ² += B_atom/(8π²)). Default false. */
  atomBFactors?: boolean;
  /** Receives one message per unknown element symbol (default: console.warn). */
  warn?: (message: string) => void;
}

/**
 * Total Guinier B (Å²) of a simulated map with global `bFactor` at `resolution`:
 * B − 8π²·(0.225·resolution)² (atom B-factors and Peng atom widths not included).
 * Inverse use: to get a map whose amplitudes fall as exp(B_target·s²/4) between 15 Å and the
 * resolution, ask for bFactor = B_target + 8π²σ_res².
 */
export function effectiveBFactor(resolution: number, bFactor = 0): number {
  const s = SIGMA_PER_RESOLUTION * resolution;
  return bFactor - EIGHT_PI2 * s * s;
}

/**
 * Simulated map of `model` on `grid`: Σ over atoms (and Gaussian terms) of
 * w·G(r; σ² = σ_term² + σ_res² + σ_B² [+ B_atom/(8π²)]), w = weight × occupancy, each Gaussian
 * evaluated separably (three 1-D rows per atom over ±4σ, then a triple loop), accumulated in
 * float64. Then the Fourier boost for B > 0, then noise N(0, noiseSigma²) from
 * mulberry32(seed) (Box–Muller, voxels in memory order). Deterministic for given inputs.
 * Units: weight per Å³ (see the file comment). Atoms outside the box contribute what falls inside.
 */
export async function simulateMap(model: AtomModel, grid: Grid, opts: SimulateOptions): Promise<Volume> {
  const { resolution } = opts;
  if (!(resolution > 0)) throw new RangeError(`simulateMap: resolution must be > 0 Å, got ${resolution}`);
  const bFactor = opts.bFactor ?? 0;
  if (!Number.isFinite(bFactor)) throw new RangeError(`simulateMap: bFactor must be finite, got ${bFactor}`);
  const noiseSigma = opts.noiseSigma ?? 0;
  if (!(noiseSigma >= 0)) throw new RangeError(`simulateMap: noiseSigma must be ≥ 0, got ${noiseSigma}`);
  const [nx, ny, nz] = grid.dims;
  const [vx, vy, vz] = grid.voxelSize;
  const [ox, oy, oz] = grid.origin;
  const g = atomGaussians(model.element, opts.weights ?? 'z');
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  for (const [sym, count] of g.unknown) {
    warn(`simulateMap: unknown element "${sym}" on ${count} atom(s), weighted as carbon`);
  }
  const sRes = SIGMA_PER_RESOLUTION * resolution;
  const baseVar = sRes * sRes + (bFactor < 0 ? -bFactor / EIGHT_PI2 : 0);

  const acc = new Float64Array(nx * ny * nz);
  // Scratch rows, grown on demand.
  let rowX = new Float64Array(64), rowY = new Float64Array(64), rowZ = new Float64Array(64);
  const nxy = nx * ny;
  for (let j = 0; j < model.count; j++) {
    const occ = model.occupancy[j];
    const atomVar = opts.atomBFactors ? Math.max(0, model.bFactor[j]) / EIGHT_PI2 : 0;
    const px = model.x[j], py = model.y[j], pz = model.z[j];
    for (let t = 0; t < g.terms; t++) {
      const w = g.weight[j * g.terms + t] * occ;
      if (w === 0) continue;
      const variance = baseVar + atomVar + g.variance[j * g.terms + t];
      const sigma = Math.sqrt(variance);
      if (!(sigma > 0)) throw new RangeError('simulateMap: an atom has zero width (resolution too small?)');
      const half = WINDOW_SIGMAS * sigma;
      // x row
      const ux = (px - ox) / vx, uy = (py - oy) / vy, uz = (pz - oz) / vz;
      const x0 = Math.ceil(ux - half / vx), x1 = Math.floor(ux + half / vx);
      const y0 = Math.ceil(uy - half / vy), y1 = Math.floor(uy + half / vy);
      const z0 = Math.ceil(uz - half / vz), z1 = Math.floor(uz + half / vz);
      if (x1 < 0 || y1 < 0 || z1 < 0 || x0 >= nx || y0 >= ny || z0 >= nz) continue;
      const lx = x1 - x0 + 1, ly = y1 - y0 + 1, lz = z1 - z0 + 1;
      if (lx > rowX.length) rowX = new Float64Array(2 * lx);
      if (ly > rowY.length) rowY = new Float64Array(2 * ly);
      if (lz > rowZ.length) rowZ = new Float64Array(2 * lz);
      fillRow(rowX, x0, lx, ux, vx, variance);
      fillRow(rowY, y0, ly, uy, vy, variance);
      fillRow(rowZ, z0, lz, uz, vz, variance);
      const xa = Math.max(0, x0), xb = Math.min(nx - 1, x1);
      const ya = Math.max(0, y0), yb = Math.min(ny - 1, y1);
      const za = Math.max(0, z0), zb = Math.min(nz - 1, z1);
      for (let z = za; z <= zb; z++) {
        const wz = w * rowZ[z - z0];
        for (let y = ya; y <= yb; y++) {
          const wzy = wz * rowY[y - y0];
          const base = nxy * z + nx * y;
          for (let x = xa; x <= xb; x++) acc[base + x] += wzy * rowX[x - x0];
        }
      }
    }
  }
  let data: Float32Array = Float32Array.from(acc);
  if (bFactor > 0) data = await boostAmplitudes(data, grid, bFactor, resolution);
  if (noiseSigma > 0) {
    const gauss = gaussianSource(mulberry32(opts.seed ?? 1));
    for (let i = 0; i < data.length; i++) data[i] += noiseSigma * gauss();
  }
  return { dims: [nx, ny, nz], voxelSize: [vx, vy, vz], origin: [ox, oy, oz], data };
}

/**
 * One normalised 1-D Gaussian profile: row[k] = g(i)/(Σ g·Δ), i = i0 + k, g(i) = exp(−((i − u)Δ)²/(2σ²)),
 * the sum over the whole window (also the part outside the box), so Σ row·Δ = 1.
 */
function fillRow(row: Float64Array, i0: number, len: number, u: number, delta: number, variance: number): void {
  const k = -(delta * delta) / (2 * variance);
  let sum = 0;
  for (let m = 0; m < len; m++) {
    const d = i0 + m - u;
    const v = Math.exp(k * d * d);
    row[m] = v;
    sum += v;
  }
  const inv = 1 / (sum * delta);
  for (let m = 0; m < len; m++) row[m] *= inv;
}

/**
 * Multiplies every Fourier coefficient with spatial frequency s ≤ 1/resolution (s² = Σ(fftFreq/voxel)²,
 * Å⁻¹) by exp(B·s²/4); coefficients beyond are unchanged. Returns the new real map.
 */
async function boostAmplitudes(data: Float32Array, grid: Grid, bFactor: number, resolution: number): Promise<Float32Array> {
  const fft = createRealFft3d(grid.dims);
  const spec = await fft.forward(data);
  const [cx, ny, nz] = fft.complexDims;
  const [nx] = grid.dims;
  const [vx, vy, vz] = grid.voxelSize;
  const sMax2 = 1 / (resolution * resolution);
  const fx2 = new Float64Array(cx);
  for (let i = 0; i < cx; i++) fx2[i] = (fftFreq(i, nx) / vx) ** 2;
  for (let kz = 0; kz < nz; kz++) {
    const fz2 = (fftFreq(kz, nz) / vz) ** 2;
    for (let ky = 0; ky < ny; ky++) {
      const fyz2 = fz2 + (fftFreq(ky, ny) / vy) ** 2;
      const base = 2 * cx * (ky + ny * kz);
      for (let kx = 0; kx < cx; kx++) {
        const s2 = fyz2 + fx2[kx];
        if (s2 > sMax2) continue;
        const f = Math.exp((bFactor * s2) / 4);
        spec[base + 2 * kx] *= f;
        spec[base + 2 * kx + 1] *= f;
      }
    }
  }
  return fft.inverse(spec);
}

/**
 * Exact mirror image of a map through its central z plane: out(x, y, z) = v(x, y, nz−1−z), same
 * grid. (A mirror of the model about the plane z = origin_z + (nz−1)/2·voxel_z simulates to this.)
 */
export function mirrorVolume(v: Volume): Volume {
  const [nx, ny, nz] = v.dims;
  const slab = nx * ny;
  const out = new Float32Array(v.data.length);
  for (let z = 0; z < nz; z++) out.set(v.data.subarray(slab * (nz - 1 - z), slab * (nz - z)), slab * z);
  return { dims: v.dims, voxelSize: v.voxelSize, origin: v.origin, data: out };
}

/**
 * Map–model fit (level1A-spec.md §A.0.2 and §A.a, after the definitions of Afonine et al. 2018):
 * the atom mask, the real-space correlations CC_mask, CC_box, CC_volume, CC_peaks, per chain, per
 * residue, main chain and side chain, the map–model FSC and d99.
 *
 * The atom mask is every voxel within `radius` Å of an atom. Each masked voxel also belongs to its
 * nearest atom: that partition gives the per-residue and per-chain voxel sets without overlaps
 * (a voxel between two residues counts once, for the closer one) and the per-voxel residue CC of
 * the coloured surface, from one pass. Correlations are Pearson over a voxel set, from float64
 * sums (n, Σa, Σb, Σa², Σb², Σab).
 */
import type { AtomModel } from '../io/model.ts';
import { kthLargest } from './order-statistics.ts';
import { createRealFft3d } from '../fft/fft.ts';
import { firstCross, fscOfSpectra, fscShells, squaredFrequencies, type FscCurve } from './fsc.ts';
import type { Volume } from '../volume/volume.ts';

/** A sampling grid (the map's): dims, voxel edges (Å), position of voxel (0, 0, 0) (Å). */
type Grid = Pick<Volume, 'dims' | 'voxelSize' | 'origin'>;

/** Backbone atom names (N, CA, C, O) of amino acids; nucleotides' sugar-phosphate counts as side chain here. */
export const BACKBONE_NAMES: ReadonlySet<string> = new Set(['N', 'CA', 'C', 'O']);
/** Solvent residues: in the model map and the mask, but no per-residue CC (single atoms are noise). */
const WATER: ReadonlySet<string> = new Set(['HOH', 'WAT', 'DOD', 'H2O']);
/** CC(map, low-pass(map)) ≥ 0.99 ⇔ the power kept is ≥ 0.99² of the whole. */
const D99_POWER_FRACTION = 0.99 * 0.99;

/** Atom-mask radius (Å) for a model map at `resolution` Å: the spec's max(3 Å, d). */
export function maskRadius(resolution: number): number {
  return Math.max(3, resolution);
}

/** Masked voxels and, for each, its nearest atom. */
export interface AtomMask {
  /** 1 inside the mask, on the full grid. */
  readonly mask: Uint8Array;
  /** Linear indices of the masked voxels, ascending. */
  readonly voxels: Int32Array;
  /** Nearest atom of each masked voxel (index into the model). */
  readonly nearest: Int32Array;
}

/** Position of the voxel index along one axis for a coordinate (Å → fractional index). */
const toIndex = (c: number, o: number, v: number) => (c - o) / v;

/**
 * The atom mask of radius `radius` (Å) and each masked voxel's nearest atom. Atoms are binned in
 * cells of edge `radius`, so each voxel searches 27 cells; memory is the mask plus two arrays of
 * the masked-voxel count, never a full-grid label.
 */
export function atomMask(model: AtomModel, grid: Grid, radius: number): AtomMask {
  const [nx, ny, nz] = grid.dims;
  const [vx, vy, vz] = grid.voxelSize;
  const [ox, oy, oz] = grid.origin;
  const mask = new Uint8Array(nx * ny * nz);
  const r2 = radius * radius;
  for (let j = 0; j < model.count; j++) {
    const ux = toIndex(model.x[j], ox, vx), uy = toIndex(model.y[j], oy, vy), uz = toIndex(model.z[j], oz, vz);
    const x0 = Math.max(0, Math.ceil(ux - radius / vx)), x1 = Math.min(nx - 1, Math.floor(ux + radius / vx));
    const y0 = Math.max(0, Math.ceil(uy - radius / vy)), y1 = Math.min(ny - 1, Math.floor(uy + radius / vy));
    const z0 = Math.max(0, Math.ceil(uz - radius / vz)), z1 = Math.min(nz - 1, Math.floor(uz + radius / vz));
    for (let z = z0; z <= z1; z++) {
      const dz2 = ((z - uz) * vz) ** 2;
      for (let y = y0; y <= y1; y++) {
        const dyz2 = dz2 + ((y - uy) * vy) ** 2;
        if (dyz2 > r2) continue;
        const base = nx * (y + ny * z);
        for (let x = x0; x <= x1; x++) if (dyz2 + ((x - ux) * vx) ** 2 <= r2) mask[base + x] = 1;
      }
    }
  }
  let m = 0;
  for (let i = 0; i < mask.length; i++) m += mask[i];
  const voxels = new Int32Array(m);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) voxels[k++] = i;
  return { mask, voxels, nearest: nearestAtoms(model, grid, radius, voxels) };
}

/** Nearest atom of each listed voxel, through a cell list of edge `radius` over the box. */
function nearestAtoms(model: AtomModel, grid: Grid, radius: number, voxels: Int32Array): Int32Array {
  const [nx, ny] = grid.dims;
  const [vx, vy, vz] = grid.voxelSize;
  const [ox, oy, oz] = grid.origin;
  const lo = [ox - radius, oy - radius, oz - radius];
  const cells = grid.dims.map((n, a) => Math.max(1, Math.ceil(((n - 1) * grid.voxelSize[a] + 2 * radius) / radius) + 1));
  const [cx, cy, cz] = cells;
  const cellOf = (x: number, y: number, z: number): number => {
    const i = Math.floor((x - lo[0]) / radius), k = Math.floor((y - lo[1]) / radius), l = Math.floor((z - lo[2]) / radius);
    return i < 0 || k < 0 || l < 0 || i >= cx || k >= cy || l >= cz ? -1 : i + cx * (k + cy * l);
  };
  // Counting sort of the atoms by cell: start[c] … start[c + 1] index `order`.
  const start = new Int32Array(cx * cy * cz + 1);
  const cellOfAtom = new Int32Array(model.count);
  for (let j = 0; j < model.count; j++) {
    const c = cellOf(model.x[j], model.y[j], model.z[j]);
    cellOfAtom[j] = c;
    if (c >= 0) start[c + 1]++;
  }
  for (let c = 0; c < cx * cy * cz; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1);
  const order = new Int32Array(start[cx * cy * cz]);
  for (let j = 0; j < model.count; j++) if (cellOfAtom[j] >= 0) order[fill[cellOfAtom[j]]++] = j;

  const out = new Int32Array(voxels.length).fill(-1);
  for (let k = 0; k < voxels.length; k++) {
    const v = voxels[k];
    const x = ox + (v % nx) * vx, y = oy + (Math.floor(v / nx) % ny) * vy, z = oz + Math.floor(v / (nx * ny)) * vz;
    const i0 = Math.floor((x - lo[0]) / radius), k0 = Math.floor((y - lo[1]) / radius), l0 = Math.floor((z - lo[2]) / radius);
    let best = Infinity;
    for (let l = Math.max(0, l0 - 1); l <= Math.min(cz - 1, l0 + 1); l++) {
      for (let kk = Math.max(0, k0 - 1); kk <= Math.min(cy - 1, k0 + 1); kk++) {
        for (let i = Math.max(0, i0 - 1); i <= Math.min(cx - 1, i0 + 1); i++) {
          const c = i + cx * (kk + cy * l);
          for (let p = start[c]; p < start[c + 1]; p++) {
            const j = order[p];
            const d2 = (model.x[j] - x) ** 2 + (model.y[j] - y) ** 2 + (model.z[j] - z) ** 2;
            if (d2 < best) {
              best = d2;
              out[k] = j;
            }
          }
        }
      }
    }
  }
  return out;
}

/** Pearson sums of one voxel set. */
class Sums {
  n = 0;
  a = 0;
  b = 0;
  aa = 0;
  bb = 0;
  ab = 0;
  add(x: number, y: number): void {
    this.n++;
    this.a += x;
    this.b += y;
    this.aa += x * x;
    this.bb += y * y;
    this.ab += x * y;
  }
  cc(): number | null {
    return pearsonFromSums(this.n, this.a, this.b, this.aa, this.bb, this.ab);
  }
}

/** Pearson correlation from sums; null with fewer than 2 voxels or a constant map. */
export function pearsonFromSums(n: number, a: number, b: number, aa: number, bb: number, ab: number): number | null {
  if (n < 2) return null;
  const va = aa - (a * a) / n, vb = bb - (b * b) / n;
  if (!(va > 0 && vb > 0)) return null;
  return (ab - (a * b) / n) / Math.sqrt(va * vb);
}

/** CC over the masked voxels (CC_mask): the fit check needs only this one. */
export function ccOverVoxels(map: Float32Array, model: Float32Array, voxels: Int32Array): number | null {
  const s = new Sums();
  for (let k = 0; k < voxels.length; k++) s.add(map[voxels[k]], model[voxels[k]]);
  return s.cc();
}

/** The four global correlations of Afonine et al. 2018. */
export interface GlobalCc {
  readonly ccMask: number | null;
  readonly ccBox: number | null;
  readonly ccVolume: number | null;
  readonly ccPeaks: number | null;
}

/**
 * CC_mask (atom mask), CC_box (every voxel), CC_volume (the N highest model-map voxels, N = mask
 * size) and CC_peaks (the union of the N highest voxels of either map).
 */
export function globalCc(map: Float32Array, model: Float32Array, am: AtomMask): GlobalCc {
  const n = am.voxels.length;
  const tModel = n > 0 ? kthLargest(model, n) : Infinity;
  const tMap = n > 0 ? kthLargest(map, n) : Infinity;
  // The box sums in locals: one pass over ~10⁸ voxels is the cost of this function, and a method
  // call per voxel doubles it. The sparse volume and peak sets keep their Sums.
  let n0 = 0, a0 = 0, b0 = 0, aa0 = 0, bb0 = 0, ab0 = 0;
  const volume = new Sums(), peaks = new Sums();
  for (let i = 0, len = map.length; i < len; i++) {
    const a = map[i], b = model[i];
    n0++;
    a0 += a;
    b0 += b;
    aa0 += a * a;
    bb0 += b * b;
    ab0 += a * b;
    if (b >= tModel) {
      volume.add(a, b);
      peaks.add(a, b);
    } else if (a >= tMap) peaks.add(a, b);
  }
  const ccBox = pearsonFromSums(n0, a0, b0, aa0, bb0, ab0);
  return { ccMask: ccOverVoxels(map, model, am.voxels), ccBox, ccVolume: volume.cc(), ccPeaks: peaks.cc() };
}

/** One residue of the model (waters left out). */
export interface Residue {
  readonly chain: string;
  readonly resSeq: number;
  readonly insCode: string;
  readonly resName: string;
  /** 0-based position of the residue along its chain (order of first appearance). */
  readonly ordinal: number;
}

/** Residues in order of first appearance, and each atom's residue (−1 for waters). */
export function residuesOf(model: AtomModel): { residues: Residue[]; residueOfAtom: Int32Array } {
  const residues: Residue[] = [];
  const index = new Map<string, number>();
  const perChain = new Map<string, number>();
  const residueOfAtom = new Int32Array(model.count).fill(-1);
  for (let j = 0; j < model.count; j++) {
    if (WATER.has(model.resName[j])) continue;
    const key = `${model.chainId[j]}\u0000${model.resSeq[j]}\u0000${model.insCode[j]}`;
    let r = index.get(key);
    if (r === undefined) {
      r = residues.length;
      index.set(key, r);
      const ordinal = perChain.get(model.chainId[j]) ?? 0;
      perChain.set(model.chainId[j], ordinal + 1);
      residues.push({ chain: model.chainId[j], resSeq: model.resSeq[j], insCode: model.insCode[j], resName: model.resName[j], ordinal });
    }
    residueOfAtom[j] = r;
  }
  return { residues, residueOfAtom };
}

/** Correlations over the nearest-atom partition of the mask. */
export interface PartitionCc {
  /** CC per residue (null: fewer than 2 voxels). */
  readonly residue: (number | null)[];
  /** Masked voxels per residue. */
  readonly residueVoxels: Int32Array;
  /** CC per chain, in order of first appearance. */
  readonly chain: Map<string, number | null>;
  readonly mainChain: number | null;
  readonly sideChain: number | null;
}

/** Per-residue, per-chain, main-chain and side-chain CC from the nearest-atom partition. */
export function partitionCc(map: Float32Array, modelMap: Float32Array, am: AtomMask, model: AtomModel, residues: readonly Residue[], residueOfAtom: Int32Array): PartitionCc {
  const R = residues.length;
  const s = new Float64Array(6 * R);
  const chains = new Map<string, Sums>();
  for (const r of residues) if (!chains.has(r.chain)) chains.set(r.chain, new Sums());
  const chainSums = residues.map((r) => chains.get(r.chain)!);
  const main = new Sums(), side = new Sums();
  for (let k = 0; k < am.voxels.length; k++) {
    const atom = am.nearest[k];
    const r = atom >= 0 ? residueOfAtom[atom] : -1;
    if (r < 0) continue;
    const a = map[am.voxels[k]], b = modelMap[am.voxels[k]];
    const o = 6 * r;
    s[o]++;
    s[o + 1] += a;
    s[o + 2] += b;
    s[o + 3] += a * a;
    s[o + 4] += b * b;
    s[o + 5] += a * b;
    chainSums[r].add(a, b);
    (BACKBONE_NAMES.has(model.atomName[atom]) ? main : side).add(a, b);
  }
  const residue = residues.map((_, r) => pearsonFromSums(s[6 * r], s[6 * r + 1], s[6 * r + 2], s[6 * r + 3], s[6 * r + 4], s[6 * r + 5]));
  const residueVoxels = Int32Array.from(residues, (_, r) => s[6 * r]);
  return { residue, residueVoxels, chain: new Map([...chains].map(([c, sum]) => [c, sum.cc()])), mainChain: main.cc(), sideChain: side.cc() };
}

/** Per-voxel value of the nearest residue's CC inside the mask (NaN elsewhere and for waters). */
export function residueCcVolume(am: AtomMask, residueOfAtom: Int32Array, residueCc: readonly (number | null)[], length: number): Float32Array {
  const out = new Float32Array(length).fill(Number.NaN);
  for (let k = 0; k < am.voxels.length; k++) {
    const r = am.nearest[k] >= 0 ? residueOfAtom[am.nearest[k]] : -1;
    const cc = r >= 0 ? residueCc[r] : null;
    if (cc !== null && cc !== undefined) out[am.voxels[k]] = cc;
  }
  return out;
}

/** How far (Å) beyond the atom mask the per-residue colouring reaches: the contour surface of a map lies up to a couple of Å outside it. */
export const SURFACE_REACH_EXTRA_A = 2;

/**
 * Per-voxel value of the nearest residue (`perResidue`, by residue index) for every voxel within
 * `reach` Å of a non-water atom; NaN beyond, and where the residue has no value. For colouring a
 * map's surface: with `reach` = mask radius + SURFACE_REACH_EXTRA_A, surface points just outside
 * the atom mask take their residue's colour instead of the grey of "no value".
 */
export function nearestResidueVolume(model: AtomModel, grid: Grid, residueOfAtom: Int32Array, perResidue: readonly (number | null)[], reach: number): Float32Array {
  const keep: number[] = [];
  for (let j = 0; j < model.count; j++) if (residueOfAtom[j] >= 0) keep.push(j);
  const pick = (a: Float32Array) => Float32Array.from(keep, (j) => a[j]);
  // Only the coordinates are read by the mask; the other fields stay the full model's.
  const atoms = { ...model, count: keep.length, x: pick(model.x), y: pick(model.y), z: pick(model.z) };
  const am = atomMask(atoms, grid, reach);
  const out = new Float32Array(grid.dims[0] * grid.dims[1] * grid.dims[2]).fill(Number.NaN);
  for (let k = 0; k < am.voxels.length; k++) {
    const v = am.nearest[k] >= 0 ? perResidue[residueOfAtom[keep[am.nearest[k]]]] : null;
    if (v !== null && v !== undefined) out[am.voxels[k]] = v;
  }
  return out;
}

/** Map–model FSC and the d99 of the map, for one pair (masked or not). */
export interface MapModelFsc {
  readonly curve: FscCurve;
  /** 1/f where the FSC first falls below 0, 0.143, 0.5 (Å; null: no crossing). */
  readonly d0: number | null;
  readonly d0143: number | null;
  readonly d05: number | null;
  /** Finest d (Å) at which CC(map, its hard low-pass at d) ≥ 0.99. */
  readonly d99: number | null;
  /** d maximising CC(map, model map at d) (Å), when asked for (`dModelFromSpectra`). */
  readonly dModel?: number | null;
}

/**
 * FSC of the map and the model map (both already multiplied by the mask for the masked curve),
 * on the FSC shells `shellOf` (pass them to share one table between the masked and unmasked pair), its crossings, and d99 of the map from the same spectrum: by Parseval, the correlation of a map
 * with its low-pass at shell k is √(P≤k / P), P the power of every non-DC coefficient inside the
 * Nyquist sphere.
 */
export async function mapModelFsc(map: Volume, modelMap: Volume, shellOf: Int16Array = fscShells(map.dims), modelResolution?: number): Promise<MapModelFsc> {
  const fft = createRealFft3d(map.dims);
  const sp = { dims: map.dims, voxelSize: map.voxelSize[0], F1: await fft.forward(map.data), F2: await fft.forward(modelMap.data), shellOf };
  // No DPR: the report shows none for the map–model pair.
  const curve = fscOfSpectra(sp, false);
  const x = curve.frequency;
  const inv = (f: number | null) => (f !== null && f > 0 ? 1 / f : null);
  return {
    curve,
    d0: inv(firstCross(x, curve.fsc, 0, 'lesser')),
    d0143: inv(firstCross(x, curve.fsc, 0.143, 'lesser')),
    d05: inv(firstCross(x, curve.fsc, 0.5, 'lesser')),
    d99: d99FromSpectrum(sp.F1, sp.shellOf, map.dims, map.voxelSize[0]),
    ...(modelResolution !== undefined ? { dModel: dModelFromSpectra(sp, modelResolution) } : {}),
  };
}

/** σ_res / d of the model map (simulate.ts's molmap convention); d_model blurs by the same rule. */
const SIGMA_PER_D = 0.225;
/** Step (Å) of the d_model search, and its upper end in multiples of the model map's resolution. */
const D_MODEL_STEP_A = 0.01;
const D_MODEL_MAX_FACTOR = 4;

/**
 * d_model (Afonine et al. 2018): the resolution d at which the model map correlates best with the
 * map, CC(map, ρ_c(d)), over the soft-masked box. ρ_c(d) is the model map at `d0` re-blurred in
 * Fourier space, ρ̂_c(d) = ρ̂_c(d0)·exp(−2π²σ²(d² − d0²)s²), σ = 0.225 per Å of d (a sharpening
 * for d < d0, exact for the noiseless model map). From the spectra of map·mask (A) and model·mask
 * (B): per FSC shell k (DC out: the means are removed) C_k = Σ Re(A·B*), P_k = Σ|B|², and the
 * map's power P_A; CC(d) = Σ C_k h_k / √(P_A · Σ P_k h_k²), h_k the multiplier at s_k = k/(N·Ts).
 * Searched from 2 voxels (Nyquist) to 4·d0 in 0.01 Å steps; null when the correlation is nowhere
 * positive or the best d is an end of the range.
 */
export function dModelFromSpectra(sp: { F1: Float32Array; F2: Float32Array; shellOf: Int16Array; dims: readonly [number, number, number]; voxelSize: number }, d0: number): number | null {
  const [N] = sp.dims;
  const shells = Math.floor(N / 2);
  const cross = new Float64Array(shells + 1), pB = new Float64Array(shells + 1);
  let pA = 0;
  const { hx, weight } = squaredFrequencies(sp.dims);
  const A = sp.F1, B = sp.F2;
  for (let q = 0; q < sp.shellOf.length; q++) {
    const k = sp.shellOf[q];
    if (k <= 0 || k > shells) continue;
    const g = weight[q % hx], p = 2 * q;
    cross[k] += g * (A[p] * B[p] + A[p + 1] * B[p + 1]);
    pB[k] += g * (B[p] * B[p] + B[p + 1] * B[p + 1]);
    pA += g * (A[p] * A[p] + A[p + 1] * A[p + 1]);
  }
  if (!(pA > 0)) return null;
  const s2 = Float64Array.from({ length: shells + 1 }, (_, k) => (k / (N * sp.voxelSize)) ** 2);
  const ccAt = (d: number): number => {
    const c = -2 * Math.PI ** 2 * SIGMA_PER_D ** 2 * (d * d - d0 * d0);
    let num = 0, den = 0;
    for (let k = 1; k <= shells; k++) {
      const h = Math.exp(c * s2[k]);
      num += cross[k] * h;
      den += pB[k] * h * h;
    }
    return den > 0 ? num / Math.sqrt(pA * den) : Number.NaN;
  };
  const lo = 2 * sp.voxelSize, hi = D_MODEL_MAX_FACTOR * d0;
  let best = -Infinity, bestD = Number.NaN;
  const steps = Math.round((hi - lo) / D_MODEL_STEP_A);
  for (let i = 0; i <= steps; i++) {
    const d = lo + i * D_MODEL_STEP_A;
    const cc = ccAt(d);
    if (cc > best) [best, bestD] = [cc, d];
  }
  const atEnd = bestD <= lo || bestD >= lo + steps * D_MODEL_STEP_A;
  return best > 0 && !atEnd ? bestD : null;
}

/** d99 (Å) from a half-complex spectrum: where the cumulative shell power reaches 0.99² of the total (linear between shells). */
export function d99FromSpectrum(F: Float32Array, shellOf: Int16Array, dims: readonly [number, number, number], voxelSize: number): number | null {
  const N = dims[0];
  const shells = Math.floor(N / 2);
  const power = new Float64Array(shells + 2);
  const { hx, weight } = squaredFrequencies(dims);
  let total = 0;
  for (let q = 0; q < shellOf.length; q++) {
    const x = q % hx;
    const k = shellOf[q];
    const p = weight[x] * (F[2 * q] * F[2 * q] + F[2 * q + 1] * F[2 * q + 1]);
    // The reference is the map band-limited to the Nyquist sphere: the corners beyond it (shell −1)
    // hold up to half the power of noise and would keep a noisy map from ever reaching 0.99.
    if (k <= 0 || k > shells) continue;
    total += p;
    power[k] += p;
  }
  if (!(total > 0)) return null;
  let cum = 0;
  for (let k = 1; k <= shells; k++) {
    const prev = cum;
    cum += power[k];
    if (cum / total >= D99_POWER_FRACTION) {
      const t = (D99_POWER_FRACTION * total - prev) / (cum - prev);
      const kStar = k - 1 + t;
      return kStar > 0 ? (N * voxelSize) / kStar : null;
    }
  }
  return null;
}

/** Map value at a point (Å) by trilinear interpolation; NaN outside the box. */
export function trilinear(v: Volume, x: number, y: number, z: number): number {
  const [nx, ny, nz] = v.dims;
  const u = (x - v.origin[0]) / v.voxelSize[0], w = (y - v.origin[1]) / v.voxelSize[1], t = (z - v.origin[2]) / v.voxelSize[2];
  if (!(u >= 0 && w >= 0 && t >= 0 && u <= nx - 1 && w <= ny - 1 && t <= nz - 1)) return Number.NaN;
  const i = Math.min(nx - 2, Math.floor(u)), k = Math.min(ny - 2, Math.floor(w)), l = Math.min(nz - 2, Math.floor(t));
  const fx = u - i, fy = w - k, fz = t - l;
  const at = (a: number, b: number, c: number) => v.data[i + a + nx * (k + b + ny * (l + c))];
  const c00 = at(0, 0, 0) * (1 - fx) + at(1, 0, 0) * fx;
  const c10 = at(0, 1, 0) * (1 - fx) + at(1, 1, 0) * fx;
  const c01 = at(0, 0, 1) * (1 - fx) + at(1, 0, 1) * fx;
  const c11 = at(0, 1, 1) * (1 - fx) + at(1, 1, 1) * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

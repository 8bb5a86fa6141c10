/**
 * EMRinger (Barad et al., Nat. Methods 12:943, 2015; level1A-spec.md §A.f): does the map's
 * side-chain density peak at the staggered χ1 rotamers the model's backbone allows?
 *
 * For every scanned residue the γ atom (CG, SG, OG, SE) is swung about the CA–CB axis through
 * χ1 = N–CA–CB–γ = 0, 5, …, 355° (IUPAC sign, as `simulate/protein.ts` builds it), keeping the
 * model's CB–γ bond and CA–CB–γ angle, and the σ-scaled map is sampled there (trilinear). The
 * model's own χ1 plays no part: only N, CA, CB and the bond geometry of γ do. The peak angle is
 * rotameric when it lies within 30° (inclusive) of 60°, 180° or 300°: 13 of the 72 angles per
 * window, 39 of 72 in all, so a peak at a random angle is rotameric with p = 39/72.
 *
 * Facts checked against Phenix (mmtbx/ringer, em_scoring.py, em_rolling.py), where we differ:
 * - Phenix rotates before it samples, so its sample i lies at 5(i+1)° but is labelled 5i°; here
 *   sample i lies at 5i°.
 * - Phenix's score bins count 12 angles per window (its labels c−30° … c+25°) while its p is
 *   39/72 (13 per window, as its histogram colours and rolling window use); here the windows and
 *   p agree (13 angles, 39/72).
 * - Phenix stops the threshold scan at the first threshold with no rotameric peak; here every
 *   threshold with at least one peak above it is scored. Both give the same maximum Z unless
 *   every Z is below −1.09 (the Z of one non-rotameric peak).
 * - Phenix reads a CCP4 map as is (σ = 1); here the map is σ-scaled over the box. The thresholds
 *   are spaced between the mean and the highest peak, so the score and the Z values do not
 *   depend on that scaling; only the reported thresholds do (they are in σ).
 */
import type { AtomModel } from '../io/model.ts';
import { volumeStats } from '../volume/stats.ts';
import type { Volume } from '../volume/volume.ts';
import { trilinear } from './model-fit.ts';

/** Scanned residue types and their γ atom (Phenix's list, plus selenomethionine, whose χ1 is MET's). */
export const GAMMA_ATOM: ReadonlyMap<string, string> = new Map([
  ['ARG', 'CG'], ['ASN', 'CG'], ['ASP', 'CG'], ['CYS', 'SG'], ['GLU', 'CG'], ['GLN', 'CG'], ['HIS', 'CG'],
  ['LEU', 'CG'], ['LYS', 'CG'], ['MET', 'CG'], ['PHE', 'CG'], ['SER', 'OG'], ['TRP', 'CG'], ['TYR', 'CG'],
  ['SEC', 'SE'], ['PYL', 'CG'], ['MSE', 'CG'],
]);

/** χ1 sampling step (degrees) and the number of angles per residue. */
export const ANGLE_STEP_DEG = 5;
export const ANGLES = 360 / ANGLE_STEP_DEG;
/** Centres of the staggered χ1 rotamers (degrees) and the half width of their windows (inclusive). */
export const ROTAMER_CENTRES_DEG = [60, 180, 300] as const;
export const ROTAMER_HALF_WIDTH_DEG = 30;
/** Chance that a peak at a random sampled angle is rotameric: 3 × 13 of 72 angles. */
export const P_ROTAMERIC = 39 / 72;
/** Thresholds scanned between the mean density and the highest peak. */
export const THRESHOLDS = 20;
/** Residues on each side of the centre of a rolling window (21-residue windows). */
export const WINDOW_HALF = 10;

const DEG = Math.PI / 180;

/** The χ1 scan of every scanned residue (structure of arrays, in the model's order). */
export interface Chi1Scan {
  readonly chain: string[];
  readonly resSeq: Int32Array;
  readonly insCode: string[];
  readonly resName: string[];
  /** The model's own χ1 (degrees, 0–360), for the table only. */
  readonly modelChi1: Float64Array;
  /** Angle (degrees) of the highest sample (the first one on ties). */
  readonly peakAngle: Int32Array;
  /** σ-scaled map at the peak, and the mean of the 72 samples. */
  readonly peakValue: Float64Array;
  readonly meanValue: Float64Array;
  /** The 72 σ-scaled samples of residue k at [72k, 72k + 72). */
  readonly samples: Float64Array;
  /** Residues of a scanned type left out: N, CA, CB or γ missing (or CA–CB degenerate), or the circle leaving the box. */
  readonly skippedMissingAtoms: number;
  readonly skippedOutsideMap: number;
}

/** True when `angleDeg` (0–360) lies within 30° of 60°, 180° or 300°. */
export function isRotameric(angleDeg: number): boolean {
  return ROTAMER_CENTRES_DEG.some((c) => Math.abs(angleDeg - c) <= ROTAMER_HALF_WIDTH_DEG);
}

/** Atom indices of N, CA, CB and γ of one residue (first alternate location only); −1 when absent. */
interface ResidueAtoms {
  readonly first: number;
  readonly resName: string;
  altLoc: string | null;
  n: number;
  ca: number;
  cb: number;
  g: number;
}

/** The residues of scanned types, in order of first appearance, with their N, CA, CB and γ. */
export function scannedResidueAtoms(model: AtomModel): ResidueAtoms[] {
  const byKey = new Map<string, ResidueAtoms>();
  const out: ResidueAtoms[] = [];
  for (let j = 0; j < model.count; j++) {
    const resName = model.resName[j];
    const gamma = GAMMA_ATOM.get(resName);
    if (gamma === undefined) continue;
    const key = `${model.chainId[j]}\u0000${model.resSeq[j]}\u0000${model.insCode[j]}`;
    let r = byKey.get(key);
    if (!r) {
      r = { first: j, resName, altLoc: null, n: -1, ca: -1, cb: -1, g: -1 };
      byKey.set(key, r);
      out.push(r);
    }
    const alt = model.altLoc[j];
    // First alternate location only: blank atoms belong to every conformer.
    if (alt !== '') {
      if (r.altLoc === null) r.altLoc = alt;
      else if (alt !== r.altLoc) continue;
    }
    const name = model.atomName[j];
    if (name === 'N' && r.n < 0) r.n = j;
    else if (name === 'CA' && r.ca < 0) r.ca = j;
    else if (name === 'CB' && r.cb < 0) r.cb = j;
    else if (name === gamma && r.g < 0) r.g = j;
  }
  return out;
}

/**
 * The 72 positions of γ (flat x, y, z) for χ1 = 0, 5, …, 355°, keeping |CB–γ| and ∠CA–CB–γ:
 * frame e1 = (CB − CA)/|…|, n = ((CA − N) × e1)/|…|, e2 = n × e1, and
 * γ(χ) = CB + r·(−cos θ·e1 + sin θ·cos χ·e2 + sin θ·sin χ·n). Null when the frame is degenerate.
 */
export function gammaCircle(model: AtomModel, n: number, ca: number, cb: number, g: number): Float64Array | null {
  const { x, y, z } = model;
  let e1x = x[cb] - x[ca], e1y = y[cb] - y[ca], e1z = z[cb] - z[ca];
  const l1 = Math.hypot(e1x, e1y, e1z);
  const ax = x[ca] - x[n], ay = y[ca] - y[n], az = z[ca] - z[n];
  const gx = x[g] - x[cb], gy = y[g] - y[cb], gz = z[g] - z[cb];
  const r = Math.hypot(gx, gy, gz);
  if (!(l1 > 0 && r > 0)) return null;
  e1x /= l1; e1y /= l1; e1z /= l1;
  let nx = ay * e1z - az * e1y, ny = az * e1x - ax * e1z, nz = ax * e1y - ay * e1x;
  const ln = Math.hypot(nx, ny, nz);
  if (!(ln > 1e-9)) return null;
  nx /= ln; ny /= ln; nz /= ln;
  const e2x = ny * e1z - nz * e1y, e2y = nz * e1x - nx * e1z, e2z = nx * e1y - ny * e1x;
  // cos θ of the angle CA–CB–γ, from the vectors CB→CA (= −e1) and CB→γ.
  const cosT = -(e1x * gx + e1y * gy + e1z * gz) / r;
  const sinT = Math.sqrt(Math.max(0, 1 - cosT * cosT));
  const along = -r * cosT, across = r * sinT;
  const out = new Float64Array(3 * ANGLES);
  for (let k = 0; k < ANGLES; k++) {
    const chi = k * ANGLE_STEP_DEG * DEG;
    const c = across * Math.cos(chi), s = across * Math.sin(chi);
    out[3 * k] = x[cb] + along * e1x + c * e2x + s * nx;
    out[3 * k + 1] = y[cb] + along * e1y + c * e2y + s * ny;
    out[3 * k + 2] = z[cb] + along * e1z + c * e2z + s * nz;
  }
  return out;
}

/** IUPAC dihedral a–b–c–d (degrees, 0–360) of four atoms of the model. */
export function dihedralDeg(model: AtomModel, a: number, b: number, c: number, d: number): number {
  const { x, y, z } = model;
  const b1x = x[b] - x[a], b1y = y[b] - y[a], b1z = z[b] - z[a];
  const b2x = x[c] - x[b], b2y = y[c] - y[b], b2z = z[c] - z[b];
  const b3x = x[d] - x[c], b3y = y[d] - y[c], b3z = z[d] - z[c];
  const n1x = b1y * b2z - b1z * b2y, n1y = b1z * b2x - b1x * b2z, n1z = b1x * b2y - b1y * b2x;
  const n2x = b2y * b3z - b2z * b3y, n2y = b2z * b3x - b2x * b3z, n2z = b2x * b3y - b2y * b3x;
  const s = Math.hypot(b2x, b2y, b2z) * (b1x * n2x + b1y * n2y + b1z * n2z);
  const deg = Math.atan2(s, n1x * n2x + n1y * n2y + n1z * n2z) / DEG;
  return deg < 0 ? deg + 360 : deg;
}

/**
 * Scans χ1 of every residue of a scanned type in the σ-scaled map. The scaling (v − mean)/σ over
 * the box is applied to the samples: trilinear weights sum to 1, so this equals sampling the
 * scaled map without a scaled copy of it.
 */
export function scanChi1(map: Volume, model: AtomModel): Chi1Scan {
  const stats = volumeStats(map.data);
  const sigma = stats.std > 0 ? stats.std : 1;
  const residues = scannedResidueAtoms(model);
  const chain: string[] = [], insCode: string[] = [], resName: string[] = [];
  const resSeq: number[] = [], modelChi1: number[] = [], peakAngle: number[] = [], peakValue: number[] = [], meanValue: number[] = [];
  const samples: number[] = [];
  let missing = 0, outside = 0;
  const wave = new Float64Array(ANGLES);
  for (const r of residues) {
    const circle = r.n >= 0 && r.ca >= 0 && r.cb >= 0 && r.g >= 0 ? gammaCircle(model, r.n, r.ca, r.cb, r.g) : null;
    if (!circle) {
      missing++;
      continue;
    }
    let ok = true, best = 0, sum = 0;
    for (let k = 0; k < ANGLES; k++) {
      const v = (trilinear(map, circle[3 * k], circle[3 * k + 1], circle[3 * k + 2]) - stats.mean) / sigma;
      if (!Number.isFinite(v)) {
        ok = false;
        break;
      }
      wave[k] = v;
      sum += v;
      if (v > wave[best]) best = k;
    }
    if (!ok) {
      outside++;
      continue;
    }
    const j = r.first;
    chain.push(model.chainId[j]);
    resSeq.push(model.resSeq[j]);
    insCode.push(model.insCode[j]);
    resName.push(r.resName);
    modelChi1.push(dihedralDeg(model, r.n, r.ca, r.cb, r.g));
    peakAngle.push(best * ANGLE_STEP_DEG);
    peakValue.push(wave[best]);
    meanValue.push(sum / ANGLES);
    for (let k = 0; k < ANGLES; k++) samples.push(wave[k]);
  }
  return {
    chain, insCode, resName,
    resSeq: Int32Array.from(resSeq),
    modelChi1: Float64Array.from(modelChi1),
    peakAngle: Int32Array.from(peakAngle),
    peakValue: Float64Array.from(peakValue),
    meanValue: Float64Array.from(meanValue),
    samples: Float64Array.from(samples),
    skippedMissingAtoms: missing,
    skippedOutsideMap: outside,
  };
}

/** Z of r rotameric peaks among n under the binomial null p = 39/72 (normal approximation); null when n = 0. */
export function rotamerZ(n: number, r: number): number | null {
  if (n === 0) return null;
  return (r - n * P_ROTAMERIC) / Math.sqrt(n * P_ROTAMERIC * (1 - P_ROTAMERIC));
}

/** Counts at one threshold: peaks above it (n), rotameric among them (r), their ratio and Z. */
export interface ThresholdRow {
  readonly threshold: number;
  readonly n: number;
  readonly r: number;
  readonly ratio: number | null;
  readonly z: number | null;
  /** 10·Z/√N_scanned. */
  readonly score: number | null;
}

/** The EMRinger result of a scan. */
export interface Emringer {
  readonly rows: readonly ThresholdRow[];
  /** Index of the optimal threshold (the highest Z, the lowest threshold on ties). */
  readonly optimal: number;
  readonly maxZ: number;
  readonly score: number;
  readonly rotamerRatio: number;
  readonly optimalThreshold: number;
  readonly scanned: number;
}

/**
 * Scores a scan: thresholds t_j = a + j·(M − a)/20, j = 0…19 (a the mean of the residues' mean
 * samples, M the highest peak); at each, the peaks strictly above t_j are counted (n) with the
 * rotameric ones (r), Z = (r − n·p)/√(n·p·(1 − p)); the optimal threshold has the highest Z and
 * the score is 10·Z_max/√N (N = residues scanned). Null when nothing was scanned or the peaks do
 * not rise above the mean (no threshold has a peak above it).
 */
export function emringerScore(scan: Chi1Scan): Emringer | null {
  const N = scan.peakValue.length;
  if (N === 0) return null;
  let a = 0, M = -Infinity;
  for (let k = 0; k < N; k++) {
    a += scan.meanValue[k];
    if (scan.peakValue[k] > M) M = scan.peakValue[k];
  }
  a /= N;
  if (!(M > a)) return null;
  const rotameric = Uint8Array.from(scan.peakAngle, (d) => (isRotameric(d) ? 1 : 0));
  const rows: ThresholdRow[] = [];
  for (let j = 0; j < THRESHOLDS; j++) {
    const t = a + (j * (M - a)) / THRESHOLDS;
    let n = 0, r = 0;
    for (let k = 0; k < N; k++) {
      if (scan.peakValue[k] > t) {
        n++;
        r += rotameric[k];
      }
    }
    const z = rotamerZ(n, r);
    rows.push({ threshold: t, n, r, ratio: n > 0 ? r / n : null, z, score: z === null ? null : (10 * z) / Math.sqrt(N) });
  }
  let optimal = -1;
  for (let j = 0; j < rows.length; j++) if (rows[j].z !== null && (optimal < 0 || rows[j].z! > rows[optimal].z!)) optimal = j;
  const best = rows[optimal];
  return { rows, optimal, maxZ: best.z!, score: best.score!, rotamerRatio: best.ratio!, optimalThreshold: best.threshold, scanned: N };
}

/** Rolling windows along one chain: for each scanned residue (the centre), the counts over residue numbers centre ± 10. */
export interface RollingWindows {
  readonly chain: string;
  /** Residue number of each window's centre, ascending. */
  readonly centre: Int32Array;
  /** Scanned residues in the window, those with a peak above the threshold, and the rotameric ones among those. */
  readonly total: Int32Array;
  readonly n: Int32Array;
  readonly r: Int32Array;
  /** Z of the window (NaN when no peak is above the threshold). */
  readonly z: Float64Array;
}

/**
 * Rolling 21-residue windows per chain at `threshold` (em_rolling.py's windows: by residue
 * number, centre ± 10, over the scanned residues), with the window's Z under the same null.
 * Chains in order of first appearance.
 */
export function rollingWindows(scan: Chi1Scan, threshold: number, half = WINDOW_HALF): RollingWindows[] {
  const byChain = new Map<string, number[]>();
  for (let k = 0; k < scan.chain.length; k++) {
    const list = byChain.get(scan.chain[k]);
    if (list) list.push(k);
    else byChain.set(scan.chain[k], [k]);
  }
  const out: RollingWindows[] = [];
  for (const [chain, ks] of byChain) {
    // Stable sort by residue number (insertion codes keep their file order).
    const order = ks.slice().sort((p, q) => scan.resSeq[p] - scan.resSeq[q] || p - q);
    const m = order.length;
    const centre = new Int32Array(m), total = new Int32Array(m), n = new Int32Array(m), r = new Int32Array(m);
    const z = new Float64Array(m);
    let lo = 0, hi = 0;
    for (let i = 0; i < m; i++) {
      const c = scan.resSeq[order[i]];
      while (scan.resSeq[order[lo]] < c - half) lo++;
      while (hi < m && scan.resSeq[order[hi]] <= c + half) hi++;
      let nn = 0, rr = 0;
      for (let w = lo; w < hi; w++) {
        const k = order[w];
        if (scan.peakValue[k] > threshold) {
          nn++;
          if (isRotameric(scan.peakAngle[k])) rr++;
        }
      }
      centre[i] = c;
      total[i] = hi - lo;
      n[i] = nn;
      r[i] = rr;
      z[i] = rotamerZ(nn, rr) ?? Number.NaN;
    }
    out.push({ chain, centre, total, n, r, z });
  }
  return out;
}

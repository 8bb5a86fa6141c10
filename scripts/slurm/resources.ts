/**
 * What one Slurm task asks for: memory from the map's grid size, time from its voxel count, both
 * more when the entry comes with its two half maps (Level 1), memory a little more with a model:
 *
 *   memory (MB) = MEM_BASE_MB + (MEM_FACTOR + MEM_HALF_MAPS_FACTOR·h + MEM_MODEL_FACTOR·a) × (nx·ny·nz × 4 bytes) / 2^20,   then × memScale
 *   time (min)  = TIME_BASE_MIN + (TIME_PER_MVOXEL_MIN + TIME_HALF_MAPS_PER_MVOXEL_MIN·h) × nx·ny·nz / 10^6,   then × timeScale
 *
 * with h = 1 when the half maps are analysed, else 0, and a = 1 when a fitted model is.
 * The map is decoded to float32 whatever its mode, so the map's float32 size is what the
 * analysis holds. The constants come from `scripts/slurm/calibrate.ts` (peak RSS and wall time of
 * analyzeEntry, one map per fresh process; see MEM_FACTOR) with a safety margin: being killed for
 * memory or time costs a resubmission, asking for a little too much costs nothing but queue slack.
 */

/**
 * Peak RSS per MB of float32 map. Measured with calibrate.ts (figures on, EMVR_THREADS=2, Node
 * 24.21, 2 cores; one fresh process per map): phantoms 96³–256³, EMD-6824 (70³), EMD-1997 (100³)
 * and EMD-44046 (360³) peaked at ≈ 400 MB + k × map MB with k ≤ 11.6 (360³: 2461 MB for a
 * 178 MB map; 256³: 921 MB for 64 MB; grids that are not multiples of 16 take the float64 FFT
 * path and need the most). 16 is asked: ≈ 40 % above the worst measured map.
 */
export const MEM_FACTOR = 16;
/** Node, the analyzer's modules, the WASM FFT and figure rendering before any map is loaded: ≈ 400 MB measured, 600 asked. */
export const MEM_BASE_MB = 600;
/**
 * Extra peak RSS per MB of float32 map when the two half maps are analysed (Level 1). Basis: both
 * halves stay in memory as float32 volumes for the whole analysis (2×), each passes through the
 * reader's buffer while it is read (≈ 1× transient), and the FSC family holds the half-complex
 * spectra of both halves (2 × ≈ 1×) plus, for the phase-randomised masked FSC, those of the
 * masked halves (≈ 1× more at a time): ≈ 6× in all, on top of Level 0's MEM_FACTOR (whose own
 * margin, ≈ 40 %, covers the rest). Measured with `calibrate.ts --half-maps --figures` before any
 * Level 1 item existed (so: reading and holding the halves only), phantoms 128³–256³ on 2 shared
 * cores: +19, +46, +62, +54 MB = 2.4, 2.9, 1.6, 0.8 × map (the halves overlap Level 0's own peak
 * less as maps grow). The FSC work is the assumed part: re-measure once 1.a runs, and raise this
 * if a Level 1 item holds more.
 */
export const MEM_HALF_MAPS_FACTOR = 6;
/**
 * Extra peak RSS per MB of float32 map when a fitted model comes with the entry: the model map
 * simulated on the map's grid is one more float32 map, and its transient (the simulation's
 * accumulation buffer) about one more; the atoms themselves (≈ 50 bytes each, 10⁶ for a ribosome)
 * are small beside the maps. An estimate, not a measurement: no Level A item runs yet.
 */
export const MEM_MODEL_FACTOR = 2;
/** Start-up, reading and figures (minutes): ≈ 15 s measured, 10 min asked (slow shared file systems, busy nodes). */
export const TIME_BASE_MIN = 10;
/** Minutes per million voxels: ≤ 2.6 s per Mvoxel measured on 2 cores (calibrate.ts), 12 s asked. */
export const TIME_PER_MVOXEL_MIN = 0.2;
/**
 * Minutes per million voxels added by the half maps: reading and decompressing two more maps and
 * the FSC's transforms, a fraction of Level 0's local items. calibrate.ts --half-maps (before any
 * Level 1 item existed) measured ≤ 2.6 s per million voxels on 2 busy cores (fit over 96³–216³;
 * single pairs scatter by ±10 s with the machine's load); 6 s is asked, half of Level 0's
 * allowance, until Level 1 is measured.
 */
export const TIME_HALF_MAPS_PER_MVOXEL_MIN = 0.1;

/** Resources of one task. */
export interface TaskResources {
  /** --mem, MB. */
  readonly memMB: number;
  /** --time, whole minutes. */
  readonly timeMin: number;
}

/** Scales and caps applied to the estimate (from the command line). */
export interface ResourcePolicy {
  /** Multiplies the memory estimate (default 1). */
  readonly memScale?: number;
  /** Multiplies the time estimate (default 1). */
  readonly timeScale?: number;
  /** Never ask for more than this (MB); 0/undefined = no cap. */
  readonly maxMemMB?: number;
  /** Never ask for more than this (minutes); 0/undefined = no cap. */
  readonly maxTimeMin?: number;
}

/** What is analysed beside the map (it changes the request). */
export interface AnalysisInputs {
  /** The entry's two half maps are analysed too (same grid as the map). */
  readonly halfMaps?: boolean;
  /** A fitted model is analysed too. */
  readonly model?: boolean;
}

/**
 * Memory and time for analysing one map of grid `dims` (voxels per axis), with its half maps when
 * `inputs.halfMaps` and its model when `inputs.model`. Rounded up to 100 MB and whole minutes; capped by the policy.
 * Preconditions: dims are positive integers.
 */
export function estimateResources(dims: readonly [number, number, number], policy: ResourcePolicy = {}, inputs: AnalysisInputs = {}): TaskResources {
  const voxels = dims[0] * dims[1] * dims[2];
  const mapMB = (voxels * 4) / 2 ** 20;
  const h = inputs.halfMaps ? 1 : 0;
  const a = inputs.model ? 1 : 0;
  let memMB = Math.ceil(((MEM_BASE_MB + (MEM_FACTOR + MEM_HALF_MAPS_FACTOR * h + MEM_MODEL_FACTOR * a) * mapMB) * (policy.memScale ?? 1)) / 100) * 100;
  let timeMin = Math.ceil((TIME_BASE_MIN + ((TIME_PER_MVOXEL_MIN + TIME_HALF_MAPS_PER_MVOXEL_MIN * h) * voxels) / 1e6) * (policy.timeScale ?? 1));
  if (policy.maxMemMB) memMB = Math.min(memMB, policy.maxMemMB);
  if (policy.maxTimeMin) timeMin = Math.min(timeMin, Math.max(1, Math.floor(policy.maxTimeMin)));
  return { memMB, timeMin: Math.max(1, timeMin) };
}

/** Resources of a task analysing several maps one after the other: the largest memory, the summed time. */
export function combineResources(parts: readonly TaskResources[], policy: ResourcePolicy = {}): TaskResources {
  const memMB = Math.max(0, ...parts.map((p) => p.memMB));
  let timeMin = parts.reduce((s, p) => s + p.timeMin, 0);
  if (policy.maxTimeMin) timeMin = Math.min(timeMin, Math.max(1, Math.floor(policy.maxTimeMin)));
  return { memMB, timeMin: Math.max(1, timeMin) };
}

/** Slurm's --time text for whole minutes: "D-HH:MM:00" or "HH:MM:00". */
export function slurmTime(minutes: number): string {
  const m = Math.max(1, Math.ceil(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  const hhmm = `${String(h).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00`;
  return d > 0 ? `${d}-${hhmm}` : hhmm;
}

/** Least-squares line y = intercept + slope·x (at least two distinct x). */
export function fitLine(x: readonly number[], y: readonly number[]): { intercept: number; slope: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('fitLine: all x are equal');
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

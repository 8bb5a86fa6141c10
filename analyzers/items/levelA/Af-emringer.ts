/**
 * A.f EMRinger (level1A-spec.md §A.f; methods/emringer.ts): χ1 scan of the placed model's side
 * chains in the σ-scaled map, the rotameric-peak Z over 20 thresholds, the score 10·Zmax/√N and
 * rolling 21-residue windows per chain. Does not apply above 4.5 Å (VRS runs it at any
 * resolution, where it only measures noise).
 */
import { ANGLE_STEP_DEG, ANGLES, emringerScore, isRotameric, rollingWindows, scanChi1, type Chi1Scan, type Emringer, type RollingWindows } from '../../methods/emringer.ts';
import type { AtomModel } from '../../io/model.ts';
import { linePlot } from '../../figures/plots.ts';
import { emringerSpec } from '../../report/items/levelA/Af-emringer.ts';
import type { Figure, Table, Warning } from '../../report/schema.ts';
import { NotApplicable, NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import type { Volume } from '../../volume/volume.ts';
import { implementItem, type Measurement } from '../item.ts';

/** Worst reported resolution (Å) at which side chains can show in the map. */
export const MAX_RESOLUTION_A = 4.5;
/** Below these the item warns. */
const LOW_SCORE = 1;
const LOW_Z = 1;
/** Chains drawn as rolling-window plots. */
const PLOTTED_CHAINS = 8;

/** What the figures are drawn from. */
export interface EmringerExtra {
  readonly scan: Chi1Scan;
  readonly result: Emringer;
  readonly windows: readonly RollingWindows[];
}

const r4 = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? Number(x.toPrecision(4)) : null);

/** Throws NotApplicable when the reported resolution is worse than 4.5 Å. */
export function checkResolution(resolution: number | null): void {
  if (resolution !== null && resolution > MAX_RESOLUTION_A) {
    throw new NotApplicable(`EMRinger needs resolved side chains: the reported resolution ${resolution} Å is worse than ${MAX_RESOLUTION_A} Å`);
  }
}

export function emringer(map: Volume, model: AtomModel, resolution: number | null): Measurement<EmringerExtra> {
  checkResolution(resolution);
  const scan = scanChi1(map, model);
  const skipped = scan.skippedMissingAtoms + scan.skippedOutsideMap;
  const N = scan.peakValue.length;
  if (N === 0) {
    throw new NotMeasurable(`no residues could be scanned: the model has no residue with a γ atom of a scanned type${skipped > 0 ? ` and complete N, CA, CB, γ inside the box (${scan.skippedMissingAtoms} lack an atom, ${scan.skippedOutsideMap} leave the box)` : ''}`);
  }
  const result = emringerScore(scan);
  if (!result) throw new NotMeasurable(`the density on the χ1 circles of the ${N} scanned residues is flat (no peak rises above the mean)`);
  const windows = rollingWindows(scan, result.optimalThreshold);
  const warnings: Warning[] = [];
  if (result.score < LOW_SCORE) warnings.push({ code: 'Af.low-score', text: `The EMRinger score is ${f(result.score, 2)} (below ${LOW_SCORE}).` });
  if (result.maxZ < LOW_Z) {
    warnings.push({ code: 'Af.low-z', text: `The highest Z of the rotameric-peak count is ${f(result.maxZ, 2)} (below ${LOW_Z}): the side-chain peaks are not significantly more rotameric than chance.` });
  }
  const results = [
    `${N} residues were scanned${skipped > 0 ? ` (${skipped} of a scanned type left out: ${scan.skippedMissingAtoms} lack N, CA, CB or the γ atom, ${scan.skippedOutsideMap} have their χ1 circle outside the box)` : ''}.`,
    `At the optimal threshold ${f(result.optimalThreshold, 3)} σ, ${result.rows[result.optimal].n} peaks rise above it and ${f(100 * result.rotamerRatio, 1)} % of them are rotameric (chance: 54.2 %); the Z-score is ${f(result.maxZ, 2)} and the EMRinger score ${f(result.score, 2)}.`,
  ];
  if (resolution === null) results.push('No resolution was reported: EMRinger was run although it only applies to maps that resolve side chains (about 4.5 Å or better).');
  return {
    values: {
      emringerScore: result.score,
      maxZ: result.maxZ,
      optimalThreshold: result.optimalThreshold,
      rotamerRatio: result.rotamerRatio,
      scannedResidues: N,
      skippedResidues: skipped,
    },
    warnings,
    results,
    tables: [thresholdTable(result), residueTable(scan)],
    extra: { scan, result, windows },
  };
}

function thresholdTable(e: Emringer): Table {
  return {
    id: 'emringer-thresholds',
    caption: 'Rotameric peaks per threshold: peaks above the threshold (n), rotameric among them (r), their ratio, the Z-score and the EMRinger score 10·Z/√N',
    columns: [
      { key: 'threshold', label: 'Threshold', unit: 'σ' },
      { key: 'n', label: 'Peaks above' },
      { key: 'r', label: 'Rotameric' },
      { key: 'ratio', label: 'Rotamer ratio' },
      { key: 'z', label: 'Z' },
      { key: 'score', label: 'EMRinger score' },
    ],
    rows: e.rows.map((row) => [r4(row.threshold), row.n, row.r, r4(row.ratio), r4(row.z), r4(row.score)]),
  };
}

function residueTable(s: Chi1Scan): Table {
  return {
    id: 'emringer-residues',
    caption: 'χ1 scan per residue: the model\'s χ1, the angle and height of the density peak on the χ1 circle, and whether the peak is rotameric (within 30° of 60°, 180° or 300°)',
    columns: [
      { key: 'chain', label: 'Chain' },
      { key: 'residue', label: 'Residue' },
      { key: 'name', label: 'Name' },
      { key: 'modelChi1', label: 'Model χ1', unit: '°' },
      { key: 'peakChi1', label: 'Peak χ1', unit: '°' },
      { key: 'peak', label: 'Peak density', unit: 'σ' },
      { key: 'rotameric', label: 'Rotameric peak' },
    ],
    rows: Array.from(s.peakAngle, (a, k) => [s.chain[k], `${s.resSeq[k]}${s.insCode[k]}`, s.resName[k], r4(s.modelChi1[k]), a, r4(s.peakValue[k]), isRotameric(a) ? 'yes' : 'no']),
  };
}

/** Peaks above `threshold` per 5° χ1 bin. */
export function peakHistogram(scan: Chi1Scan, threshold: number): Int32Array {
  const counts = new Int32Array(ANGLES);
  for (let k = 0; k < scan.peakAngle.length; k++) if (scan.peakValue[k] > threshold) counts[scan.peakAngle[k] / ANGLE_STEP_DEG]++;
  return counts;
}

type PlotFigure = (stem: string, id: string, caption: string, draw: () => ReturnType<typeof linePlot>) => Promise<Figure[]>;

async function figuresOf(plotFigure: PlotFigure, e: EmringerExtra): Promise<Figure[]> {
  const { result, scan, windows } = e;
  const rows = result.rows.filter((r) => r.z !== null);
  const t = rows.map((r) => r.threshold);
  const out: Figure[] = [];
  out.push(...(await plotFigure('Af-threshold-scan', 'Af.threshold-scan', `EMRinger score (10·Z/√N) and rotamer ratio at each of the 20 thresholds; the optimal threshold ${f(result.optimalThreshold, 3)} σ has the highest score, and a score of 1 is the criterion.`, () =>
    linePlot({
      series: [{ name: 'EMRinger score', x: t, y: rows.map((r) => r.score!), mark: 'line+point' }, { name: 'rotamer ratio', x: t, y: rows.map((r) => r.ratio!), mark: 'line+point' }],
      xTitle: 'Threshold (σ)',
      yTitle: 'EMRinger score / rotamer ratio',
      rules: [{ axis: 'y', value: LOW_SCORE, label: 'score 1' }, { axis: 'x', value: result.optimalThreshold, label: 'optimal' }],
    }),
  )));
  const counts = peakHistogram(scan, result.optimalThreshold);
  const angles = Array.from(counts, (_, i) => i * ANGLE_STEP_DEG);
  out.push(...(await plotFigure('Af-peaks', 'Af.peaks', `χ1 angle of the density peak of the ${result.rows[result.optimal].n} residues whose peak is above the optimal threshold ${f(result.optimalThreshold, 3)} σ, per 5°; shaded: the rotameric windows (±30° about 60°, 180°, 300°), which hold 39 of the 72 angles.`, () =>
    linePlot({
      series: [{ name: 'peaks', x: angles, y: Array.from(counts), mark: 'line+point' }],
      xTitle: 'χ1 of the peak (°)',
      yTitle: 'Residues',
      bands: [{ from: 30, to: 90, label: 'p 60°' }, { from: 150, to: 210, label: 't 180°' }, { from: 270, to: 330, label: 'm 300°' }],
    }),
  )));
  for (const [i, w] of windows.slice(0, PLOTTED_CHAINS).entries()) {
    const name = w.chain || '(blank)';
    out.push(...(await plotFigure(`Af-rolling-${i}`, `Af.rolling.${i}`, `Rolling 21-residue windows along chain ${name} at the optimal threshold: Z of the rotameric-peak count in each window (0: chance; gaps where no peak in the window is above the threshold).`, () =>
      linePlot({
        series: [{ name: `chain ${name}`, x: Array.from(w.centre), y: Array.from(w.z), mark: 'line+point' }],
        xTitle: 'Residue number (window centre)',
        yTitle: 'Z (21-residue window)',
        rules: [{ axis: 'y', value: 0, label: 'chance' }],
      }),
    )));
  }
  return out;
}

export const emringerItem = implementItem({
  spec: emringerSpec,
  uses: ['modelFit'],
  compute: async (ctx) => {
    checkResolution(ctx.resolution);
    return emringer(ctx.map, (await ctx.alignedModelFit()).model, ctx.resolution);
  },
  outputs: async (ctx, m) => ({ figures: await figuresOf(ctx.figures.plotFigure.bind(ctx.figures), m.extra), files: [] }),
});

/**
 * The plots of the half-map items (1.a, 1.b, 1.g, 1.h): curves against spatial frequency with the
 * x axis labelled in Å, thresholds as labelled lines, the reported resolution as a vertical line;
 * the directional resolutions of 1.h as a histogram and as a map of the hemisphere.
 */
import { histogramPlot, hemispherePlot, linePlot, type HemispherePoint, type HistogramMarker, type LineSeries, type Plot, type PlotBand, type PlotRule } from './plots.ts';

/** The curves of one FSC plot, per shell, at `frequency` (Å⁻¹). */
export interface FscPlotData {
  readonly frequency: ArrayLike<number>;
  readonly fsc: ArrayLike<number>;
  readonly masked?: ArrayLike<number>;
  readonly corrected?: ArrayLike<number>;
  readonly halfBit?: ArrayLike<number>;
  readonly oneBit?: ArrayLike<number>;
  /** The fitted logistic, when there is one. */
  readonly logistic?: ArrayLike<number>;
  /** Reported resolution (Å). */
  readonly reported: number | null;
}

const RESOLUTION_TITLE = 'Resolution (Å); the axis is linear in spatial frequency 1/d';

function reportedRule(reported: number | null): PlotRule[] {
  return reported !== null && reported > 0 ? [{ axis: 'x', value: 1 / reported, label: `reported ${reported} Å` }] : [];
}

/** FSC (unmasked, masked, corrected masked), the half-bit and 1-bit curves, the fitted logistic; lines at 0.143 and 0.5. */
export function fscPlot(d: FscPlotData): Promise<Plot> {
  const x = d.frequency;
  const series: LineSeries[] = [{ name: 'FSC (unmasked)', x, y: d.fsc }];
  if (d.masked) series.push({ name: 'FSC (masked)', x, y: d.masked });
  if (d.corrected) series.push({ name: 'FSC (masked, corrected)', x, y: d.corrected });
  if (d.logistic) series.push({ name: 'logistic fit (unmasked)', x, y: d.logistic, dash: true });
  if (d.halfBit) series.push({ name: 'half-bit', x, y: d.halfBit, dash: true });
  if (d.oneBit) series.push({ name: '1-bit', x, y: d.oneBit, dash: true });
  return linePlot({
    series,
    xTitle: RESOLUTION_TITLE,
    yTitle: 'Fourier shell correlation',
    xAxis: 'resolution',
    yDomain: [-0.1, 1.05],
    rules: [{ axis: 'y', value: 0.143, label: '0.143' }, { axis: 'y', value: 0.5, label: '0.5' }, ...reportedRule(d.reported)],
  });
}

/** DPR per shell with the random-phase line at 103.9°. The last two shells are left out (VRS: they carry too few voxels near the corners to mean much). */
export function dprPlot(frequency: ArrayLike<number>, dpr: ArrayLike<number>, reported: number | null): Promise<Plot> {
  const n = Math.max(0, frequency.length - 2);
  return linePlot({
    series: [{ name: 'DPR', x: Array.from(frequency).slice(0, n), y: Array.from(dpr).slice(0, n) }],
    xTitle: RESOLUTION_TITLE,
    yTitle: 'Differential phase residual (°)',
    xAxis: 'resolution',
    rules: [{ axis: 'y', value: 103.9, label: '103.9° (random phases)' }, ...reportedRule(reported)],
  });
}

/** log10(mean amplitude ratio − 1) per shell with the 0 line (ratio 2). */
export function ssnrPlot(frequency: ArrayLike<number>, log10: ArrayLike<number>, reported: number | null): Promise<Plot> {
  return linePlot({
    series: [{ name: 'SSNR', x: frequency, y: log10 }],
    xTitle: RESOLUTION_TITLE,
    yTitle: 'log10(|S|/|N| − 1), shell mean',
    xAxis: 'resolution',
    rules: [{ axis: 'y', value: 0, label: 'amplitude ratio 2' }, ...reportedRule(reported)],
  });
}

/** 1.b: the FSC under the spherical mask, significant shells and the others as two point series, with 0.143 and the reported resolution. */
export function fdrFscPlot(frequency: ArrayLike<number>, fsc: ArrayLike<number>, significant: ArrayLike<number>, reported: number | null): Promise<Plot> {
  const pick = (want: number) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < fsc.length; i++) {
      if ((significant[i] ? 1 : 0) === want) {
        x.push(frequency[i]);
        y.push(fsc[i]);
      }
    }
    return { x, y };
  };
  const yes = pick(1);
  const no = pick(0);
  const series: LineSeries[] = [{ name: 'FSC (spherical mask)', x: frequency, y: fsc }];
  if (yes.x.length > 0) series.push({ name: 'significant at 1 % FDR', ...yes, mark: 'point' });
  if (no.x.length > 0) series.push({ name: 'not significant', ...no, mark: 'point' });
  return linePlot({
    series,
    xTitle: RESOLUTION_TITLE,
    yTitle: 'Fourier shell correlation',
    xAxis: 'resolution',
    yDomain: [-0.1, 1.05],
    rules: [{ axis: 'y', value: 0.143, label: '0.143' }, ...reportedRule(reported)],
  });
}

/** The curves of the 1.h directional plot, per shell. */
export interface DirectionalCurves {
  readonly frequency: ArrayLike<number>;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly z: ArrayLike<number>;
  readonly global: ArrayLike<number>;
}

/** 1.h: the FSC in the cones about x, y and z and the global FSC of the masked half maps; the 0.143 line and the reported resolution. */
export function directionalFscPlot(c: DirectionalCurves, coneAngle: number, reported: number | null): Promise<Plot> {
  const x = c.frequency;
  return linePlot({
    series: [
      { name: 'global FSC (masked)', x, y: c.global },
      { name: `cone about x (${coneAngle}°)`, x, y: c.x, dash: true },
      { name: `cone about y (${coneAngle}°)`, x, y: c.y, dash: true },
      { name: `cone about z (${coneAngle}°)`, x, y: c.z },
    ],
    xTitle: RESOLUTION_TITLE,
    yTitle: 'Fourier shell correlation',
    xAxis: 'resolution',
    yDomain: [-0.1, 1.05],
    rules: [{ axis: 'y', value: 0.143, label: '0.143' }, ...reportedRule(reported)],
  });
}

/** 1.h: histogram of the directional resolutions (Å), 25 bins over their range, with labelled markers (global, reported). */
export function directionalHistogramPlot(counts: ArrayLike<number>, edges: ArrayLike<number>, markers: readonly HistogramMarker[]): Promise<Plot> {
  return histogramPlot({ counts, edges, xTitle: 'Directional resolution (Å), FSC 0.143 in each cone', yTitle: 'Number of directions', markers });
}

/** 1.h: the directional resolutions on the equal-area map of the hemisphere, the best and worst directions ringed. */
export function directionMapPlot(points: readonly HemispherePoint[], best: number, worst: number): Promise<Plot> {
  const label = (i: number, what: string) => ({ index: i, label: `${what} ${points[i].value.toFixed(2)} Å` });
  return hemispherePlot({ points, valueTitle: 'Resolution (Å)', marks: best === worst ? [label(best, 'all')] : [label(best, 'best'), label(worst, 'worst')] });
}

/**
 * 1.g: the FSO and the per-shell anisotropy; the 0.5 line, the band where the FSO falls from 0.9
 * to 0.1 (when both are reached), the reported resolution. The anisotropy is drawn only where
 * between 2 % and 98 % of the directions pass: elsewhere it tests a handful of directions (or
 * all of them) and its swings would read as structure.
 */
export function fsoPlot(frequency: ArrayLike<number>, fso: ArrayLike<number>, anisotropy: ArrayLike<number>, band: readonly [number | null, number | null], reported: number | null): Promise<Plot> {
  const bands: PlotBand[] = band[0] !== null && band[1] !== null ? [{ from: band[0], to: band[1], label: 'FSO 0.9 → 0.1' }] : [];
  const shown = Array.from(anisotropy, (a, j) => (fso[j] >= 0.02 && fso[j] <= 0.98 ? a : Number.NaN));
  return linePlot({
    series: [
      { name: 'FSO (share of directions with FSC ≥ 0.143)', x: frequency, y: fso },
      { name: 'anisotropy (Bingham test, χ² with 5 d.o.f.)', x: frequency, y: shown, mark: 'line+point', dash: true },
    ],
    xTitle: RESOLUTION_TITLE,
    yTitle: 'FSO, anisotropy',
    xAxis: 'resolution',
    yDomain: [-0.02, 1.05],
    rules: [{ axis: 'y', value: 0.5, label: '0.5' }, ...reportedRule(reported)],
    bands,
  });
}

/**
 * The figures of the Level 0 report (level0-spec.md §3 and the items' figures), written under the
 * entry's figures/ folder: slices and projections as PNG, plots as SVG with a PNG copy.
 * One figure group = three images (X, Y, Z) shown side by side.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DataFile, Figure } from '../report/schema.ts';
import { isosurface } from './marching-cubes.ts';
import { renderColouredViews } from './colour-map.ts';
import { histogramPlot, linePlot, type Plot } from './plots.ts';
import { writeChunkedMrc } from '../volume/to-mrc.ts';
import type { ValueMask } from '../volume/value-mask.ts';
import { downloadVoxels, MANTISSA_BITS } from './local-map-file.ts';
import { prepareViews, shadeViews, VRS_VIEWS, viewStep, type PreparedViews } from './render-surface.ts';
import { volumeSections } from './volume-sections.ts';
import { isShared } from '../util/shared-memory.ts';
import { settledBoth } from '../util/settled.ts';
import { centralIndices, maxVarianceIndices, projectionImages, projections, renderGrey, sliceX, sliceY, sliceZ, type Image2D, type VolumeLike } from './slices.ts';
import { writePlot, writePng } from './write-figure.ts';
import type { Volume } from '../volume/volume.ts';
import type { GuinierFit } from '../methods/guinier.ts';
import { handSegmentsFigure } from './hand-figure.ts';
import type { HandTestResult } from '../methods/helix-hand.ts';
import { quantisedHistogram } from '../methods/quantised-histogram.ts';

const AXES = ['X', 'Y', 'Z'] as const;

/** `maxVarianceIndices` of `v`, on the worker pool for maps in shared memory and masks (a map elsewhere would have to be copied: a 360³ one is 187 MB). */
async function maxVarianceAt(v: VolumeLike): Promise<readonly [number, number, number]> {
  const d = v.data;
  const onPool = (d instanceof Float32Array && isShared(d)) || d instanceof Uint8Array;
  return onPool ? (await volumeSections(v.dims, [d])).indices[0] : maxVarianceIndices(v);
}

/** The X, Y and Z slices of `v` at `indices`. */
function sliceImages(v: VolumeLike, indices: readonly [number, number, number]): Image2D[] {
  return [sliceX(v, indices[0]), sliceY(v, indices[1]), sliceZ(v, indices[2])];
}

export class FigureWriter {
  private readonly dir: string;
  private readonly enabled: boolean;
  /**
   * The last isosurface drawn, prepared in the three views: the input figures and every coloured
   * view (0.e, 0.f, 0.g, 1.c, 1.e, A.a, A.e) show the same surface of the map at the threshold,
   * so marching cubes, visibility and occlusion are done once and only the shading per colouring.
   */
  private surface: { data: Float32Array; level: number; step: number; prepared: PreparedViews } | null = null;

  constructor(dir: string, enabled: boolean) {
    this.dir = dir;
    this.enabled = enabled;
  }

  /** Three slices (or projections) of a volume as one group. */
  private async triple(v: VolumeLike, group: string, caption: string, kind: 'central' | 'max-variance' | 'projection', fileStem: string, at?: readonly [number, number, number]): Promise<Figure[]> {
    const indices = at ?? (kind === 'central' ? centralIndices(v.dims) : kind === 'max-variance' ? await maxVarianceAt(v) : null);
    const images: Image2D[] =
      indices === null ? projections(v) : sliceImages(v, indices);
    return this.imageTriple(images, indices, group, caption, fileStem);
  }

  /** Three images (X, Y, Z) as one group: slices at `indices`, or projections when null. */
  private async imageTriple(images: readonly Image2D[], indices: readonly [number, number, number] | null, group: string, caption: string, fileStem: string): Promise<Figure[]> {
    const out: Figure[] = [];
    for (let a = 0; a < 3; a++) {
      const png = await renderGrey(images[a]);
      const written = await writePng(this.dir, `${fileStem}-${AXES[a].toLowerCase()}`, png.png);
      out.push({
        id: `${group}.${AXES[a].toLowerCase()}`,
        file: written.file,
        caption,
        label: indices === null ? `${AXES[a]} projection` : `${AXES[a]} slice ${indices[a]}`,
        group,
        width: png.width,
        height: png.height,
      });
    }
    return out;
  }

  /** The isosurface of `v` at `level` (every `step` voxels) prepared in the three views, kept for the next call on the same map. */
  private preparedSurface(v: Volume, level: number, step: number): PreparedViews {
    const s = this.surface;
    if (s && s.data === v.data && s.level === level && s.step === step) return s.prepared;
    const prepared = prepareViews(isosurface(v, level, { step }));
    this.surface = { data: v.data, level, step, prepared };
    return prepared;
  }

  /** Isosurface of `v` at `level` in the three VRS views (one group). */
  private async isosurfaceViews(v: Volume, level: number): Promise<Figure[]> {
    const step = viewStep(v.dims);
    const views = await shadeViews(this.preparedSurface(v, level, step));
    const angles = VRS_VIEWS.map((view) => `View ${view.name.toUpperCase()} (${view.rotation.join(', ')})`).join(', ');
    const out: Figure[] = [];
    for (const view of views) {
      const written = await writePng(this.dir, `input-isosurface-${view.name}`, view.png);
      out.push({
        id: `input.isosurface.${view.name}`,
        file: written.file,
        caption: `Isosurface at threshold ${levelText(level)}${step > 1 ? ` (map sampled every ${step} voxels)` : ''}, seen after turning the map about X, Y and Z by: ${angles} degrees.`,
        label: `View ${view.name.toUpperCase()} (${view.rotation.join(', ')})`,
        group: 'input.isosurface',
        width: written.width,
        height: written.height,
      });
    }
    return out;
  }

  /** Input data: central and max-variance slices, projections, isosurface views, hard and soft mask slices. */
  async inputFigures(v: Volume, hard: Uint8Array, soft: Float32Array, threshold: number): Promise<Figure[]> {
    if (!this.enabled) return [];
    const hardV: VolumeLike = { dims: v.dims, data: hard };
    const softV: VolumeLike = { dims: v.dims, data: soft };
    // The whole-volume passes run on the worker pool while the main thread measures the first items.
    const sections = await volumeSections(v.dims, [v.data, hard, soft], v.data);
    const [mapAt, hardAt, softAt] = sections.indices;
    return [
      ...(await this.triple(v, 'input.central-slices', 'Central slices of the input map in the three directions.', 'central', 'input-central')),
      ...(await this.triple(v, 'input.max-variance-slices', 'Slices of maximum variance of the input map in the three directions.', 'max-variance', 'input-maxvar', mapAt)),
      ...(await this.imageTriple(projectionImages(v.dims, sections.sums!), null, 'input.projections', 'Projections (sums) of the input map along the three axes.', 'input-projection')),
      ...(await this.isosurfaceViews(v, threshold)),
      ...(await this.triple(hardV, 'input.hard-mask', `Slices of maximum variance of the mask with hard borders (threshold ${levelText(threshold)}, its large connected pieces, dilated by 2 Å).`, 'max-variance', 'mask-hard', hardAt)),
      ...(await this.triple(softV, 'input.soft-mask', 'Slices of maximum variance of the mask with soft borders (the hard mask smoothed by a Gaussian).', 'max-variance', 'mask-soft', softAt)),
    ];
  }

  /**
   * Half-map input figures: slices of half 1, half 2 and of half 1 − half 2, all three at the
   * slices of maximum variance of half 1, so that they show the same planes. The difference
   * should look like noise: shapes in it are signal one half has and the other lacks.
   */
  async halfMapFigures(h1: Volume, h2: Volume): Promise<Figure[]> {
    if (!this.enabled) return [];
    const at = await maxVarianceAt(h1);
    const s1 = sliceImages(h1, at);
    const s2 = sliceImages(h2, at);
    // The difference of the slices, not of the maps: only these planes are shown (float32 either way: the same pixels).
    const diff = s1.map((a, k) => {
      const b = s2[k].data;
      const d = new Float32Array(a.data.length);
      for (let i = 0; i < d.length; i++) d[i] = a.data[i] - b[i];
      return { width: a.width, height: a.height, data: d };
    });
    return [
      ...(await this.imageTriple(s1, at, 'input.half1', 'Half map 1: slices of maximum variance (of half 1) in the three directions.', 'input-half1')),
      ...(await this.imageTriple(s2, at, 'input.half2', 'Half map 2: the same slices.', 'input-half2')),
      ...(await this.imageTriple(diff, at, 'input.half-difference', 'Half map 1 − half map 2 at the same slices: it should look like noise, without the shapes of the molecule.', 'input-half-difference')),
    ];
  }

  /**
   * A.a: the map and the model map at the same slices (the map's slices of maximum variance), so
   * that missing or misplaced model density shows side by side.
   */
  async modelMapSlices(map: Volume, modelMap: Volume): Promise<Figure[]> {
    if (!this.enabled) return [];
    const at = await maxVarianceAt(map);
    return [
      ...(await this.triple(map, 'Aa.map-slices', 'The map: slices of maximum variance in the three directions.', 'max-variance', 'Aa-map', at)),
      ...(await this.triple(modelMap, 'Aa.model-map-slices', 'The model map (five-Gaussian atoms blurred to the resolution, on the map grid) at the same slices.', 'max-variance', 'Aa-model-map', at)),
    ];
  }

  /** A plot as one figure (none when figures are off: `draw` is then not called). */
  async plotFigure(stem: string, id: string, caption: string, draw: () => Promise<Plot>): Promise<Figure[]> {
    if (!this.enabled) return [];
    const plot = await draw();
    const w = await writePlot(this.dir, stem, plot.svg, plot.png);
    return [{ id, file: w.file, svg: w.svg, caption, width: plot.width, height: plot.height }];
  }

  /** 0.b: raw-mask slices and the mass-vs-threshold plot, with the recommended contour's row as a point of the curve and a marker. */
  async maskFigures(raw: Uint8Array, v: Volume, thresholdRows: readonly (readonly number[])[], contour?: readonly number[]): Promise<Figure[]> {
    if (!this.enabled) return [];
    const figs = await this.triple({ dims: v.dims, data: raw }, '0b.raw-mask', 'Slices of maximum variance of the raw mask (the map thresholded at the recommended contour).', 'max-variance', '0b-raw-mask');
    // A log axis cannot show 0 voxels: those rows (thresholds above the densest voxels) are left out.
    const rows = [...thresholdRows, ...(contour ? [contour] : [])].filter((r) => r[1] > 0).sort((a, b) => a[0] - b[0]);
    const x = rows.map((r) => r[0]);
    const y = rows.map((r) => r[1]);
    if (x.length > 0) {
      const rules = contour ? [{ axis: 'x' as const, value: contour[0], label: `recommended contour ${Number(contour[0].toPrecision(4))}` }] : [];
      const plot = await linePlot({ series: [{ name: 'voxels above threshold', x, y, mark: 'line+point' }], xTitle: 'Threshold (map units)', yTitle: 'Voxels above threshold (log scale)', logY: true, rules });
      const w = await writePlot(this.dir, '0b-mass-vs-threshold', plot.svg, plot.png);
      figs.push({ id: '0b.mass-vs-threshold', file: w.file, svg: w.svg, caption: `Voxel mass as a function of the threshold (voxels strictly above it), log scale${contour ? '; the dashed line marks the recommended contour (there: voxels at or above it, the raw mask)' : ''}.`, width: plot.width, height: plot.height });
    }
    return figs;
  }

  /** 0.c: slices of the background voxels beyond 5σ. */
  async backgroundFigures(v: Volume, hard: Uint8Array, sigma: number): Promise<Figure[]> {
    if (!this.enabled) return [];
    const out = new Float32Array(v.data.length);
    const limit = 5 * sigma;
    for (let i = 0; i < out.length; i++) if (hard[i] === 0 && Math.abs(v.data[i]) > limit) out[i] = v.data[i];
    return this.triple({ dims: v.dims, data: out }, '0c.outliers', 'Slices of maximum variance of the background voxels beyond 5σ (all other voxels set to 0).', 'max-variance', '0c-outliers');
  }

  /** 0.d: Guinier plot and slices of the B-factor-corrected map. */
  async guinierFigures(v: Volume, g: GuinierFit): Promise<Figure[]> {
    if (!this.enabled) return [];
    const { curve } = g;
    const keep: number[] = [];
    for (let j = 0; j < curve.x.length; j++) if (curve.x[j] > 0 && Number.isFinite(curve.lnF[j])) keep.push(j);
    const xs = keep.map((j) => curve.x[j]);
    const fitXs = keep.filter((j) => curve.weight[j]).map((j) => curve.x[j]);
    const plot = await linePlot({
      series: [
        { name: 'experimental', x: xs, y: keep.map((j) => curve.lnF[j]), mark: 'line' },
        { name: `fitted line (B = ${g.slope * 4 >= 0 ? '+' : ''}${(4 * g.slope).toFixed(1)} Å²)`, x: fitXs, y: fitXs.map((x) => g.slope * x + g.intercept), mark: 'line', dash: true },
        { name: 'corrected', x: xs, y: keep.map((j) => g.correctedLnF[j]), mark: 'line' },
      ],
      xTitle: '1/d² (Å⁻²)',
      yTitle: 'ln |F| (radial mean of amplitudes)',
    });
    const w = await writePlot(this.dir, '0d-guinier', plot.svg, plot.png);
    const figs: Figure[] = [{ id: '0d.guinier', file: w.file, svg: w.svg, caption: 'Guinier plot: log of the radially averaged Fourier amplitude against 1/d², the line fitted between 15 Å and the reported resolution, and the B-factor-corrected map.', width: plot.width, height: plot.height }];
    figs.push(...(await this.triple({ dims: v.dims, data: g.corrected }, '0d.corrected', 'Slices of maximum variance of the B-factor-corrected map.', 'max-variance', '0d-corrected')));
    return figs;
  }

  /** 0.h: the helix segments found, drawn over a maximum projection along z. */
  async handFigures(h: HandTestResult): Promise<Figure[]> {
    if (!this.enabled) return [];
    const fig = await handSegmentsFigure(h.maps, h.segments);
    const w = await writePng(this.dir, '0h-helix-segments', fig.png);
    return [{ id: '0h.helix-segments', file: w.file, caption: 'α-helix segments found for the hand test, drawn on the maximum projection of the filtered map along Z (X right, Y up): blue right-handed, vermilion left-handed, grey dashed not used.', width: w.width, height: w.height }];
  }

  /**
   * A local-value map (0.e, 0.f, 0.g): its histogram, the map surface coloured by the value over
   * [p2.5, p97.5] in the three views with a colour bar, and the value map itself as a gzipped MRC
   * download (written even without figures: it is a result): NaN outside `inside`, float32 rounded
   * to MANTISSA_BITS (local-map-file.ts). The figures use the exact values.
   */
  async localMapOutputs(o: {
    stem: string;
    itemId: string;
    name: string;
    surface: Volume;
    level: number;
    property: Volume;
    range: readonly [number, number];
    label: string;
    /**
     * The values the histogram counts (ascending, finite) and its range (default: their range),
     * binned along their quantisation (quantised-histogram.ts); or bins already counted.
     */
    histogram: { sorted: ArrayLike<number>; range?: readonly [number, number] } | { edges: number[]; counts: number[] } | null;
    markers?: Array<{ value: number; label: string }>;
    /** Voxels that have a value (the item's mask); the others are NaN in the download. Default: all. */
    inside?: ValueMask;
  }): Promise<{ figures: Figure[]; files: DataFile[] }> {
    const entryDir = path.dirname(this.dir);
    const mapFile = `maps/${o.stem}.mrc.gz`;
    const labels = [`emvr ${o.itemId} ${o.name}`, `float32 rounded to ${MANTISSA_BITS} mantissa bits; NaN = no value`];
    // The download is compressed on a libuv thread while the figures are drawn here.
    const download = (async (): Promise<DataFile[]> => {
      await writeChunkedMrc(path.join(entryDir, mapFile), o.property, downloadVoxels(o.property.data, o.inside), { labels });
      const outside = o.inside ? '; NaN outside the mask' : '';
      return [{ id: `${o.itemId}.map`, file: mapFile, caption: `${o.name} per voxel, on the grid of the map it was computed on${outside}; values to 1 part in ${2 ** (MANTISSA_BITS + 1)}.`, bytes: (await stat(path.join(entryDir, mapFile))).size }];
    })();
    const figures = this.enabled ? this.localMapFigures(o) : Promise.resolve([]);
    return { files: await settledBoth(download, figures), figures: await figures };
  }

  /** The histogram, the coloured views and their colour bar of `localMapOutputs`. */
  private async localMapFigures(o: Parameters<FigureWriter['localMapOutputs']>[0]): Promise<Figure[]> {
    const figs: Figure[] = [];
    const h = o.histogram === null ? null : 'sorted' in o.histogram ? (o.histogram.sorted.length > 0 ? quantisedHistogram(o.histogram.sorted, HISTOGRAM_BINS, o.histogram.range) : null) : o.histogram;
    if (h && h.counts.length > 0) {
      const plot = await histogramPlot({ counts: h.counts, edges: h.edges, xTitle: o.label, markers: o.markers });
      const w = await writePlot(this.dir, `${o.stem}-histogram`, plot.svg, plot.png);
      figs.push({ id: `${o.itemId}.histogram`, file: w.file, svg: w.svg, caption: `Histogram of the ${o.name.toLowerCase()} inside the mask.`, width: plot.width, height: plot.height });
    }
    const lo = o.range[0] < o.range[1] ? o.range : ([o.range[0] - 0.5, o.range[0] + 0.5] as const);
    const step = viewStep(o.surface.dims);
    const coloured = await renderColouredViews(o.surface, o.level, o.property, { range: lo, label: o.label, step, prepared: this.preparedSurface(o.surface, o.level, step) });
    for (const view of coloured.views) {
      const w = await writePng(this.dir, `${o.stem}-view-${view.name}`, view.png);
      figs.push({ id: `${o.itemId}.view.${view.name}`, file: w.file, caption: `Map surface at threshold ${levelText(o.level)} coloured by the ${o.name.toLowerCase()} (viridis over [p2.5, p97.5] = [${lo[0].toPrecision(4)}, ${lo[1].toPrecision(4)}]), in the three VRS views.`, label: `View ${view.name.toUpperCase()} (${view.rotation.join(', ')})`, group: `${o.itemId}.views`, width: w.width, height: w.height });
    }
    const bar = await writePng(this.dir, `${o.stem}-colourbar`, coloured.colourBar.png);
    figs.push({ id: `${o.itemId}.colourbar`, file: bar.file, caption: `Colour scale of the ${o.name.toLowerCase()} views.`, width: bar.width, height: bar.height });
    return figs;
  }
}

/** About as many bins as VRS's histograms (numpy.histogram(values, 25)); the quantisation of the values sets the exact number. */
const HISTOGRAM_BINS = 25;

/** A contour level for captions: 4 significant digits (metadata may carry float noise such as 0.01872820407152176). */
function levelText(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/**
 * The report's charts (Guinier plot, voxel mass vs threshold, histograms of local properties), all
 * in one style. We only build a Vega-Lite spec; Vega draws it headless (`renderer: 'none'`,
 * `view.toSVG()`, no DOM), and sharp/librsvg rasterises the SVG to a PNG copy for the PDF.
 *
 * Style: white background, DejaVu Sans (generic sans-serif fallback), tick labels 12 px and axis
 * titles 13 px, light grid, Okabe–Ito colour-blind-safe palette, legend below the plot when there
 * is more than one series, the whole figure (axes, titles, legend included) fitted into
 * `PLOT_WIDTH` × `PLOT_HEIGHT` CSS px. The PNG has `PNG_SCALE`× the pixels (rendered at 144 dpi).
 * Same input → byte-identical SVG and PNG.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Width of every plot (whole figure, CSS px). */
export const PLOT_WIDTH = 640;
/** Height of every plot (whole figure, CSS px). */
export const PLOT_HEIGHT = 360;
/** PNG pixels per SVG px (sharp rasterises SVG at 72 dpi = 1 px per unit, so we ask for 144 dpi). */
export const PNG_SCALE = 2;
/** Font stack named in the SVG: DejaVu Sans is installed for librsvg; sans-serif is the fallback. */
export const PLOT_FONT = 'DejaVu Sans, sans-serif';

/**
 * Okabe & Ito (2008) colour-blind-safe palette, in the order series get them (yellow, weakest on
 * white, last).
 */
export const PALETTE: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/**
 * Advance widths of DejaVu Sans Book and Bold in font units (2048 per em) for U+0020–U+007E, read
 * from DejaVuSans.ttf / DejaVuSans-Bold.ttf 2.37 (hmtx via the cmap 3/1 table), plus a few
 * non-ASCII characters our titles use. Vega headless has no canvas to measure text and falls back
 * to 0.8 em per character, which overestimates DejaVu Sans by ~30 %: labels get truncated too early
 * and `autosize: fit` pushes the chart title off the top. `measureText` replaces that estimate.
 */
const ASCII_BOOK = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
  1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532,
  1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260,
  721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303,
  1716,
];
const ASCII_BOLD = [
  713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425,
  1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714,
  1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389,
  891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458,
  1716,
];
/** Non-ASCII characters: [book, bold] widths. */
const OTHER: Readonly<Record<string, readonly [number, number]>> = {
  'Å': [1401, 1585], '\u212b': [1401, 1585], '²': [821, 897], '³': [821, 897], '¹': [821, 897], '⁻': [1081, 1081], 'σ': [1298, 1595],
  '−': [1716, 1716], '–': [1024, 1024], '—': [2048, 2048], '·': [651, 778], '×': [1716, 1716], 'µ': [1303, 1507], 'μ': [1303, 1507],
  '°': [1024, 1024], '…': [2048, 2048], '≤': [1716, 1716], '≥': [1716, 1716], '±': [1716, 1716], 'Δ': [1401, 1585],
};
/** Width used for characters not in the tables (a typical lowercase letter). */
const OTHER_WIDTH = 1300;

/**
 * Width in px of `text` set in DejaVu Sans at `fontSizePx` (no kerning, so a slight overestimate,
 * which is the safe side for layout).
 */
export function measureText(text: string, fontSizePx: number, bold = false): number {
  const ascii = bold ? ASCII_BOLD : ASCII_BOOK;
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    units += c >= 0x20 && c <= 0x7e ? ascii[c - 0x20] : (OTHER[ch]?.[bold ? 1 : 0] ?? OTHER_WIDTH);
  }
  return (units / 2048) * fontSizePx;
}

/** The text item fields Vega passes to `textMetrics.width`. */
interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: number | string;
}

/** Vega's documented hook for a user-defined text measure (untyped in vega-typings). */
const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;

function vegaTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11; // Vega's default size
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
  const str = text == null ? '' : String(text).trim();
  return size > 0 ? measureText(str, size, bold) : 0;
}

/** Colour of histogram marker rules and vertical plot rules (such as the reported resolution). */
const MARKER_COLOUR = '#D55E00';
/** Colour of horizontal reference lines (thresholds). */
const RULE_COLOUR = '#555555';

/** A rendered chart: SVG text for the page, a PNG copy for the PDF. */
export interface Plot {
  readonly svg: string;
  readonly png: Buffer;
  /** Display size in CSS px (the SVG's width/height); the PNG is `PNG_SCALE` times larger. */
  readonly width: number;
  readonly height: number;
}

/** One curve of a line plot. `x` and `y` have the same length; points are joined in input order. */
export interface LineSeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Default 'line'. */
  readonly mark?: 'line' | 'point' | 'line+point';
  /** Dashed line (e.g. a fitted line). */
  readonly dash?: boolean;
}

/** Options of `linePlot`. Axis titles should carry their units, e.g. "1/d² (Å⁻²)". */
export interface LinePlotOptions {
  readonly series: readonly LineSeries[];
  readonly xTitle: string;
  readonly yTitle: string;
  /** Logarithmic y axis. Points with y ≤ 0 are dropped (not clamped), see `linePlotSpec`. */
  readonly logY?: boolean;
  readonly title?: string;
  /**
   * 'resolution': x values are spatial frequencies (Å⁻¹) and the tick labels show the resolution
   * 1/x in Å, as FSC plots are read (default 'linear').
   */
  readonly xAxis?: 'linear' | 'resolution';
  /** Fixed y range (e.g. [−0.1, 1.05] for correlations); default: fitted to the data. */
  readonly yDomain?: readonly [number, number];
  /** Labelled reference lines: horizontal (axis 'y', e.g. FSC = 0.143) or vertical (axis 'x', e.g. the reported resolution). */
  readonly rules?: readonly PlotRule[];
  /** Shaded x ranges behind the curves, labelled above the plot (e.g. the FSO's 90 %–10 % band). */
  readonly bands?: readonly PlotBand[];
}

/** A shaded, labelled x range of a line plot. */
export interface PlotBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** A labelled reference line of a line plot. */
export interface PlotRule {
  readonly axis: 'x' | 'y';
  readonly value: number;
  readonly label: string;
}

/** A vertical rule with a label on a histogram (e.g. the reported resolution). */
export interface HistogramMarker {
  readonly value: number;
  readonly label: string;
}

/** Options of `histogramPlot`: pre-binned counts, `edges.length === counts.length + 1`. */
export interface HistogramPlotOptions {
  readonly counts: ArrayLike<number>;
  /** Bin i spans [edges[i], edges[i+1]); edges increasing. */
  readonly edges: ArrayLike<number>;
  readonly xTitle: string;
  /** Default "Number of voxels". */
  readonly yTitle?: string;
  /** Only whole-number ticks on the count axis (a histogram of a few entries would read 0.2, 0.4…). */
  readonly wholeTicks?: boolean;
  readonly markers?: readonly HistogramMarker[];
  readonly title?: string;
}

/** The shared look (Vega-Lite `config`) of every chart. */
function styleConfig(): NonNullable<TopLevelSpec['config']> {
  const ink = '#222222';
  return {
    font: PLOT_FONT,
    background: 'white',
    padding: 6,
    view: { stroke: '#bbbbbb' },
    range: { category: [...PALETTE] },
    axis: {
      labelFontSize: 12,
      titleFontSize: 13,
      titleFontWeight: 'normal',
      labelColor: ink,
      titleColor: ink,
      domainColor: '#666666',
      tickColor: '#666666',
      gridColor: '#e8e8e8',
      gridOpacity: 1,
      titlePadding: 8,
      labelOverlap: true,
    },
    legend: {
      labelFontSize: 12,
      titleFontSize: 12,
      labelColor: ink,
      orient: 'bottom',
      direction: 'horizontal',
      symbolStrokeWidth: 2.5,
      labelLimit: 360,
      columnPadding: 20,
      gridAlign: 'none',
    },
    title: { fontSize: 15, fontWeight: 'bold', color: ink, anchor: 'start', offset: 8 },
    line: { strokeWidth: 2 },
    point: { filled: true, size: 36, opacity: 1 },
  };
}

function topLevel(body: Record<string, unknown>, title: string | undefined): TopLevelSpec {
  // Vega-Lite's TopLevelSpec is a deep union; the spec is assembled from plain objects here.
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    ...(title ? { title } : {}),
    config: styleConfig(),
    ...body,
  } as TopLevelSpec;
}

/**
 * The Vega-Lite spec of `linePlot`. Rows whose x or y is not finite are dropped; with `logY`,
 * rows with y ≤ 0 are dropped as well (a log axis cannot place them, and clamping would draw a
 * fake point at the axis floor); a line simply joins the remaining points. Colour and dash pattern
 * are both keyed on the series name, so one merged legend shows them (only if > 1 series).
 */
export function linePlotSpec(o: LinePlotOptions): TopLevelSpec {
  const names = o.series.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new RangeError(`linePlot: series names must be unique, got ${names.join(', ')}`);
  const rows: Array<{ s: string; i: number; x: number; y: number }> = [];
  const lineNames: string[] = [];
  const pointNames: string[] = [];
  for (const s of o.series) {
    if (s.x.length !== s.y.length) throw new RangeError(`linePlot: series "${s.name}" has ${s.x.length} x and ${s.y.length} y values`);
    const mark = s.mark ?? 'line';
    if (mark !== 'point') lineNames.push(s.name);
    if (mark !== 'line') pointNames.push(s.name);
    for (let i = 0; i < s.x.length; i++) {
      const x = Number(s.x[i]);
      const y = Number(s.y[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (o.logY && y <= 0) continue;
      rows.push({ s: s.name, i, x, y });
    }
  }
  // Legend symbol: a line segment (showing the dash pattern) if any series is drawn as a line,
  // else a dot. Vega-Lite cannot mix symbol types within one merged legend.
  const legend =
    o.series.length > 1
      ? lineNames.length > 0
        ? { title: null, symbolType: 'stroke', symbolSize: 400, ...legendColumns(o.series.length) }
        : { title: null, symbolType: 'circle', symbolSize: 80, ...legendColumns(o.series.length) }
      : null;
  const colour = { field: 's', type: 'nominal', scale: { domain: names, range: names.map((_, k) => PALETTE[k % PALETTE.length]) }, legend };
  const dash = {
    field: 's',
    type: 'nominal',
    scale: { domain: names, range: o.series.map((s) => (s.dash ? [7, 4] : [])) },
    legend,
  };
  const resolutionAxis = o.xAxis === 'resolution';
  const xScale = resolutionAxis ? { zero: true, nice: false, domain: [0, Math.max(...rows.map((r) => r.x))] } : { zero: false, nice: true };
  // Tick labels 1/x in Å, three significant digits; the zero-frequency tick reads ∞.
  const xAxisSpec = resolutionAxis ? { axis: { labelExpr: "datum.value > 0 ? format(1 / datum.value, '.3~r') : '∞'", tickCount: 8 } } : {};
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, scale: xScale, ...xAxisSpec };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: o.yTitle,
    scale: o.logY ? { type: 'log', nice: true } : o.yDomain ? { domain: [...o.yDomain], nice: false } : { zero: false, nice: true },
    ...(o.logY ? { axis: { values: logTicks(rows.map((r) => r.y)), format: ',~r' } } : {}),
  };
  const inSet = (set: string[]) => ({ filter: { field: 's', oneOf: set } });
  const verticalRules = (o.rules ?? []).filter((r) => r.axis === 'x' && Number.isFinite(r.value)).length;
  const layer: unknown[] = bandLayers(o.bands ?? [], x, verticalRules);
  if (lineNames.length > 0) {
    layer.push({
      transform: [inSet(lineNames)],
      mark: { type: 'line', clip: true },
      encoding: { x, y, color: colour, strokeDash: dash, order: { field: 'i', type: 'quantitative' } },
    });
  }
  if (pointNames.length > 0) {
    layer.push({
      transform: [inSet(pointNames)],
      mark: { type: 'point', clip: true },
      encoding: { x, y, color: colour },
    });
  }
  layer.push(...ruleLayers(o.rules ?? [], x, y));
  return topLevel({ data: { values: rows }, layer }, o.title);
}

/** Legend entries per row: one row up to three series, else rows of three (a row of six is wider than the plot). */
function legendColumns(series: number): { columns?: number } {
  return series > 3 ? { columns: 3 } : {};
}

/**
 * Data of a layer drawn once (a rule, a band, a label placed by `datum`/`value`): a layer without
 * data of its own inherits the plot's rows and draws its mark once per row, hundreds of identical
 * dashed lines that a PDF then holds dash by dash.
 */
const ONE_ROW = { values: [{}] };

/** Band colour: a light grey that stays distinct from the white plot area in print and greyscale. */
const BAND_COLOUR = '#e3e3e3';

/**
 * Layers of shaded x ranges (full plot height, behind everything), each labelled above the plot
 * area at its centre, stacked above the labels of the `stacked` vertical rules (curves reach
 * the top of a plot, a label inside would sit on them).
 */
function bandLayers(bands: readonly PlotBand[], x: Record<string, unknown>, stacked: number): unknown[] {
  const out: unknown[] = [];
  let k = stacked;
  for (const b of bands.filter((r) => Number.isFinite(r.from) && Number.isFinite(r.to))) {
    const lo = Math.min(b.from, b.to);
    const hi = Math.max(b.from, b.to);
    out.push({ data: ONE_ROW, mark: { type: 'rect', color: BAND_COLOUR, clip: true }, encoding: { x: { datum: lo, ...x, field: undefined }, x2: { datum: hi } } });
    out.push({
      data: ONE_ROW,
      mark: { type: 'text', color: '#444444', fontSize: 12, align: 'center', baseline: 'bottom' },
      encoding: { x: { datum: (lo + hi) / 2, ...x, field: undefined }, y: { value: -4 - 16 * k++ }, text: { value: b.label } },
    });
  }
  return out;
}

/**
 * Layers of labelled reference lines: horizontal rules grey and dashed with the label at the
 * right end just above the line; vertical rules vermilion with the label above the plot area,
 * stacked upward in order so that close rules do not overprint.
 */
function ruleLayers(rules: readonly PlotRule[], x: Record<string, unknown>, y: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  const finiteRules = rules.filter((r) => Number.isFinite(r.value));
  let k = 0;
  for (const r of finiteRules) {
    const horizontal = r.axis === 'y';
    const colour = horizontal ? RULE_COLOUR : MARKER_COLOUR;
    const position = horizontal ? { y: { datum: r.value, ...y, field: undefined } } : { x: { datum: r.value, ...x, field: undefined } };
    out.push({ data: ONE_ROW, mark: { type: 'rule', color: colour, strokeWidth: 1.5, strokeDash: horizontal ? [4, 3] : [6, 3], clip: true }, encoding: position });
    out.push({
      data: ONE_ROW,
      mark: horizontal
        ? { type: 'text', color: colour, fontSize: 11, align: 'right', baseline: 'bottom', dy: -2 }
        : { type: 'text', color: colour, fontSize: 12, align: 'center', baseline: 'bottom' },
      encoding: horizontal ? { ...position, x: { value: { expr: 'width' } }, text: { value: r.label } } : { ...position, y: { value: -4 - 16 * k++ }, text: { value: r.label } },
    });
  }
  return out;
}

/**
 * Tick values of a log axis covering the positive `ys`: powers of ten (with 2 and 5 between them
 * when the data span two decades or less), so grid lines stay sparse and every tick is labelled.
 */
export function logTicks(ys: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) {
    if (y > 0 && y < lo) lo = y;
    if (y > 0 && y > hi) hi = y;
  }
  if (!(hi >= lo)) return [1, 10];
  const a = Math.floor(Math.log10(lo) + 1e-9);
  const b = Math.ceil(Math.log10(hi) - 1e-9);
  const steps = b - a <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = a; e <= Math.max(b, a + 1); e++) {
    for (const m of steps) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (e < Math.max(b, a + 1) || m === 1) out.push(v);
    }
  }
  return out;
}

/**
 * The Vega-Lite spec of `histogramPlot`: one bar per bin from edges[i] to edges[i+1], height
 * counts[i]; each marker is a dashed vertical rule with its label just above the plot area (so it
 * never sits on the bars), labels stacked upward in marker order so close markers do not overprint.
 */
export function histogramPlotSpec(o: HistogramPlotOptions): TopLevelSpec {
  const n = o.counts.length;
  if (o.edges.length !== n + 1) throw new RangeError(`histogramPlot: ${n} counts need ${n + 1} edges, got ${o.edges.length}`);
  const bins: Array<{ lo: number; hi: number; n: number }> = [];
  for (let i = 0; i < n; i++) {
    const lo = Number(o.edges[i]);
    const hi = Number(o.edges[i + 1]);
    if (!(hi > lo)) throw new RangeError(`histogramPlot: edges must increase, edge ${i} = ${lo}, edge ${i + 1} = ${hi}`);
    bins.push({ lo, hi, n: Number(o.counts[i]) });
  }
  const markers = (o.markers ?? []).filter((m) => Number.isFinite(m.value)).map((m, k) => ({ value: m.value, label: m.label, k }));
  const xAxis = { type: 'quantitative', title: o.xTitle, scale: { zero: false, nice: false } };
  const layer: unknown[] = [
    {
      data: { values: bins },
      mark: { type: 'bar', color: PALETTE[0], stroke: 'white', strokeWidth: bins.length > 60 ? 0 : 0.5 },
      encoding: {
        x: { field: 'lo', bin: { binned: true }, ...xAxis },
        x2: { field: 'hi' },
        y: { field: 'n', type: 'quantitative', title: o.yTitle ?? 'Number of voxels', ...(o.wholeTicks ? { axis: { tickMinStep: 1, format: 'd' } } : {}) },
      },
    },
  ];
  if (markers.length > 0) {
    layer.push({
      data: { values: markers },
      mark: { type: 'rule', color: MARKER_COLOUR, strokeWidth: 2, strokeDash: [6, 3] },
      encoding: { x: { field: 'value', ...xAxis } },
    });
    // One text layer per marker: the label's pixel offset from the top differs per marker.
    for (const m of markers) {
      layer.push({
        data: { values: [m] },
        mark: { type: 'text', color: MARKER_COLOUR, fontSize: 12, align: 'center', baseline: 'bottom' },
        encoding: { x: { field: 'value', ...xAxis }, y: { value: -4 - 16 * m.k }, text: { field: 'label' } },
      });
    }
  }
  return topLevel({ layer }, o.title);
}

/** A point set of a scatter plot: drawn one dot per point, or as a density of cells when there are many. */
export interface ScatterSet {
  readonly points: readonly (readonly [number, number])[];
  /** Legend title of its density ("entries per cell, EMDB"). */
  readonly densityTitle: string;
}

/** Options of `scatterPlot`. Axis titles carry their units. */
export interface ScatterPlotOptions {
  /** The points shown as dots (black, white edge) up to `maxDots`, as a blue density above. */
  readonly front: ScatterSet;
  /** A population drawn behind as a grey density (always binned). */
  readonly background?: ScatterSet;
  readonly xTitle: string;
  readonly yTitle: string;
  /** Fixed ranges; default: the data's range (points outside a fixed range are not drawn). */
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Draw y = x, dashed. */
  readonly diagonal?: boolean;
  /** Above this many front points, they are drawn as a density (default 2,000: an SVG of 50,000 dots would weigh megabytes). */
  readonly maxDots?: number;
  readonly title?: string;
}

/** Density cells of a scatter plot across x and y. */
const DENSITY_CELLS: readonly [number, number] = [60, 40];

/** Range of the finite values, widened by 4 % on each side so no dot sits on the frame (a unit range around a single value; [0, 1] for none). */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (lo > hi) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  const pad = 0.04 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** The non-empty cells of a `DENSITY_CELLS` grid over the domain, with their counts. */
export function densityCells(points: readonly (readonly [number, number])[], xd: readonly [number, number], yd: readonly [number, number]): { x: number; x2: number; y: number; y2: number; n: number }[] {
  const [nx, ny] = DENSITY_CELLS;
  const counts = new Map<number, number>();
  for (const [x, y] of points) {
    if (!(x >= xd[0] && x <= xd[1] && y >= yd[0] && y <= yd[1])) continue;
    const i = Math.min(nx - 1, Math.floor(((x - xd[0]) / (xd[1] - xd[0])) * nx));
    const j = Math.min(ny - 1, Math.floor(((y - yd[0]) / (yd[1] - yd[0])) * ny));
    counts.set(j * nx + i, (counts.get(j * nx + i) ?? 0) + 1);
  }
  const w = (xd[1] - xd[0]) / nx, h = (yd[1] - yd[0]) / ny;
  return [...counts].sort((a, b) => a[0] - b[0]).map(([c, n]) => {
    const i = c % nx, j = (c - i) / nx;
    return { x: xd[0] + i * w, x2: xd[0] + (i + 1) * w, y: yd[0] + j * h, y2: yd[0] + (j + 1) * h, n };
  });
}

/**
 * The Vega-Lite spec of `scatterPlot`: the background population as grey cells (square-root
 * shading, so a few entries stay visible beside crowded cells), the front points as dots, or as
 * blue cells when there are more than `maxDots`, and the dashed diagonal. Each density has its own
 * colour legend (entries per cell) below the plot.
 */
export function scatterPlotSpec(o: ScatterPlotOptions): TopLevelSpec {
  const all = [...o.front.points, ...(o.background?.points ?? [])];
  const xd = o.xDomain ?? extent(all.map((p) => p[0]));
  const yd = o.yDomain ?? extent(all.map((p) => p[1]));
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, scale: { domain: [...xd], nice: false, zero: false } };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: { domain: [...yd], nice: false, zero: false } };
  const density = (set: ScatterSet, range: [string, string]) => ({
    data: { values: densityCells(set.points, xd, yd) },
    // No per-mark description: thousands of cells would triple the file; the figure is described as a whole.
    mark: { type: 'rect', clip: true, aria: false },
    encoding: {
      x,
      x2: { field: 'x2' },
      y,
      y2: { field: 'y2' },
      color: { field: 'n', type: 'quantitative', title: set.densityTitle, scale: { type: 'sqrt', range, zero: false }, legend: { gradientLength: 160, titleLimit: 320 } },
    },
  });
  const layer: unknown[] = [];
  if (o.background && o.background.points.length > 0) layer.push(density(o.background, ['#e6e6e6', '#6e6e6e']));
  if (o.diagonal) {
    const a = Math.max(xd[0], yd[0]), b = Math.min(xd[1], yd[1]);
    if (b > a) layer.push({ data: { values: [{ x: a, y: a, x2: b, y2: b }] }, mark: { type: 'rule', color: '#555555', strokeDash: [4, 3], clip: true }, encoding: { x, y, x2: { field: 'x2' }, y2: { field: 'y2' } } });
  }
  if (o.front.points.length > (o.maxDots ?? 2000)) layer.push(density(o.front, ['#c6dbef', '#08306b']));
  else if (o.front.points.length > 0) {
    const dots = o.front.points.filter(([px, py]) => px >= xd[0] && px <= xd[1] && py >= yd[0] && py <= yd[1]).map(([px, py]) => ({ x: px, y: py }));
    layer.push({ data: { values: dots }, mark: { type: 'point', filled: true, color: '#000000', stroke: '#ffffff', strokeWidth: 1, size: 30, opacity: 1, aria: false }, encoding: { x, y } });
  }
  if (layer.length === 0) layer.push({ data: { values: [] }, mark: 'point', encoding: { x, y } });
  return topLevel({ layer, resolve: { scale: { color: 'independent' } } }, o.title);
}

/** One direction of a hemisphere map: a unit vector (z ≥ 0; an axis ±u is drawn at its upper end) and its value. */
export interface HemispherePoint {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly value: number;
}

/** Options of `hemispherePlot`. */
export interface HemispherePlotOptions {
  readonly points: readonly HemispherePoint[];
  /** Title of the colour legend, with its unit. */
  readonly valueTitle: string;
  /** Points to ring and label (e.g. the best and the worst direction). */
  readonly marks?: readonly { readonly index: number; readonly label: string }[];
  readonly title?: string;
}

/** Edge of the square plot area of a hemisphere map (CSS px). */
const HEMISPHERE_SIZE = 300;

/**
 * Position of a unit vector (z ≥ 0) on the Lambert azimuthal equal-area map of the upper
 * hemisphere seen from +z: radius 2·sin(θ/2) for the tilt θ from z (√2 on the equator), angle the
 * azimuth from x. Equal area, so quasi-uniform directions stay evenly spread on the map.
 */
export function lambertPosition(x: number, y: number, z: number): [number, number] {
  const r = Math.hypot(x, y, z);
  const tilt = Math.acos(Math.max(-1, Math.min(1, z / r)));
  const rho = 2 * Math.sin(tilt / 2);
  const az = Math.atan2(y, x);
  return [rho * Math.cos(az), rho * Math.sin(az)];
}

/**
 * The Vega-Lite spec of `hemispherePlot`: each direction a dot coloured by its value (viridis,
 * monotone in lightness, so it reads in greyscale; a thin dark outline keeps the light dots visible
 * on white), on the equal-area map of the hemisphere with circles at 30°, 60° and 90° of tilt
 * from z and the x and y axes drawn over the dots; a colour bar at the right; marked points
 * ringed and labelled.
 */
export function hemispherePlotSpec(o: HemispherePlotOptions): TopLevelSpec {
  const rows = o.points.filter((p) => Number.isFinite(p.value)).map((p) => {
    const [X, Y] = lambertPosition(p.x, p.y, p.z);
    return { X, Y, v: p.value };
  });
  let lo = Math.min(...rows.map((r) => r.v));
  let hi = Math.max(...rows.map((r) => r.v));
  // A colour scale needs a range: an isotropic map's values may all be equal.
  if (!(hi - lo >= 0.05)) [lo, hi] = [(lo + hi) / 2 - 0.05, (lo + hi) / 2 + 0.05];
  const extent = 1.62;
  const pos = (field: string) => ({ field, type: 'quantitative', scale: { domain: [-extent, extent], nice: false, zero: false }, axis: null });
  const grid: Array<{ g: string; i: number; X: number; Y: number }> = [];
  for (const tilt of [30, 60, 90]) {
    const rho = 2 * Math.sin((tilt * Math.PI) / 360);
    for (let i = 0; i <= 120; i++) grid.push({ g: `c${tilt}`, i, X: rho * Math.cos((i * Math.PI) / 60), Y: rho * Math.sin((i * Math.PI) / 60) });
  }
  const edge = Math.SQRT2;
  grid.push({ g: 'x', i: 0, X: -edge, Y: 0 }, { g: 'x', i: 1, X: edge, Y: 0 }, { g: 'y', i: 0, X: 0, Y: -edge }, { g: 'y', i: 1, X: 0, Y: edge });
  // Axis names outside the disc; tilt labels on the circles at azimuth −45° (over the dots, with a halo).
  const labels = [
    { X: edge * Math.cos(Math.PI / 4) + 0.04, Y: edge * Math.sin(Math.PI / 4) + 0.04, t: 'tilt 90°', a: 'left' },
    { X: edge + 0.06, Y: 0, t: 'x', a: 'left' },
    { X: -edge - 0.06, Y: 0, t: '−x', a: 'right' },
    { X: 0, Y: edge + 0.1, t: 'y', a: 'center' },
    { X: 0, Y: -edge - 0.1, t: '−y', a: 'center' },
  ];
  const tilts = [30, 60].map((t) => ({ X: 2 * Math.sin((t * Math.PI) / 360) * Math.cos(-Math.PI / 4), Y: 2 * Math.sin((t * Math.PI) / 360) * Math.sin(-Math.PI / 4), t: `${t}°` }));
  const marks = (o.marks ?? []).filter((m) => m.index >= 0 && m.index < o.points.length).map((m) => {
    const p = o.points[m.index];
    const [X, Y] = lambertPosition(p.x, p.y, p.z);
    // Labels on the side away from the centre, so they do not cover the middle of the map.
    return { X, Y, t: m.label, a: X >= 0 ? 'left' : 'right', dx: X >= 0 ? 9 : -9 };
  });
  const X = pos('X');
  const Y = pos('Y');
  const markLabels = (halo: boolean) =>
    marks.map((m) => ({
      data: { values: [m] },
      mark: { type: 'text', fontSize: 12, fontWeight: 'bold', align: m.a, baseline: 'middle', dx: m.dx, color: '#000000', ...(halo ? { stroke: 'white', strokeWidth: 4, strokeJoin: 'round' } : {}) },
      encoding: { x: X, y: Y, text: { field: 't' } },
    }));
  const tiltLabel = (halo: boolean) => ({
    data: { values: tilts },
    mark: { type: 'text', fontSize: 11, color: '#222222', align: 'center', baseline: 'middle', ...(halo ? { stroke: 'white', strokeWidth: 3, strokeJoin: 'round' } : {}) },
    encoding: { x: X, y: Y, text: { field: 't' } },
  });
  const layer: unknown[] = [
    ...['left', 'right', 'center'].map((a) => ({ data: { values: labels.filter((l) => l.a === a) }, mark: { type: 'text', fontSize: 12, color: '#444444', align: a, baseline: 'middle' }, encoding: { x: X, y: Y, text: { field: 't' } } })),
    {
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 70, stroke: '#333333', strokeWidth: 0.4, opacity: 1 },
      encoding: {
        x: X,
        y: Y,
        color: { field: 'v', type: 'quantitative', scale: { scheme: 'viridis', domain: [lo, hi], nice: false }, legend: { title: o.valueTitle, orient: 'right', direction: 'vertical', gradientLength: HEMISPHERE_SIZE - 60, titleFontSize: 12, format: '.2f' } },
      },
    },
  ];
  // The grid over the dots, thin, so that it reads on dark and light dots alike.
  layer.push({ data: { values: grid }, mark: { type: 'line', color: '#555555', strokeWidth: 0.8, opacity: 0.7 }, encoding: { x: X, y: Y, detail: { field: 'g' }, order: { field: 'i', type: 'quantitative' } } });
  layer.push(tiltLabel(true), tiltLabel(false));
  if (marks.length > 0) {
    layer.push({ data: { values: marks }, mark: { type: 'point', filled: false, size: 260, stroke: '#000000', strokeWidth: 2 }, encoding: { x: X, y: Y } });
    layer.push(...markLabels(true), ...markLabels(false));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: HEMISPHERE_SIZE,
    height: HEMISPHERE_SIZE,
    autosize: { type: 'pad' },
    ...(o.title ? { title: o.title } : {}),
    config: { ...styleConfig(), view: { stroke: null } },
    layer,
  } as TopLevelSpec;
}

/** A map of values per direction on the upper hemisphere: see `hemispherePlotSpec`. */
export function hemispherePlot(o: HemispherePlotOptions): Promise<Plot> {
  return renderPlot(hemispherePlotSpec(o));
}

/** Tail of the chain that serialises Vega renders (they share the process-wide state below). */
let vegaQueue: Promise<unknown> = Promise.resolve();

/**
 * Vega-Lite → Vega → SVG string. Calls run one at a time: each first sets process-wide Vega state
 * (the text measure `measureText`, and the SVG clip-id counter back to its start, else ids grow
 * from one SVG to the next) and must finish before another call resets it.
 */
function toSvg(spec: TopLevelSpec): Promise<string> {
  const run = vegaQueue.then(async () => {
    textMetrics.width = vegaTextWidth;
    vega.resetSVGDefIds();
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  });
  vegaQueue = run.catch(() => undefined);
  return run;
}

/**
 * Compiles a Vega-Lite spec, draws it with Vega headless and rasterises the SVG with sharp at
 * 144 dpi (PNG_SCALE× pixels, opaque RGB, zlib level 9, fixed filter, no metadata).
 */
export async function renderPlot(spec: TopLevelSpec): Promise<Plot> {
  const svg = await toSvg(spec);
  const size = /^<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/u.exec(svg);
  if (!size) throw new Error('renderPlot: Vega returned an SVG without width and height');
  const png = await sharp(Buffer.from(svg), { density: 72 * PNG_SCALE })
    .flatten({ background: '#ffffff' }) // opaque RGB: the SVG paints a white background anyway
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return { svg, png, width: Math.round(Number(size[1])), height: Math.round(Number(size[2])) };
}

/** A line chart (Guinier plot, mass vs threshold…): see `linePlotSpec` for the data rules. */
export function linePlot(o: LinePlotOptions): Promise<Plot> {
  return renderPlot(linePlotSpec(o));
}

/** A scatter plot over an optional background density: see `scatterPlotSpec`. */
export function scatterPlot(o: ScatterPlotOptions): Promise<Plot> {
  return renderPlot(scatterPlotSpec(o));
}

/** Only the SVG of a chart (a web page's figure needs no PNG copy). */
export function plotSvg(spec: TopLevelSpec): Promise<string> {
  return toSvg(spec);
}

/** A pre-binned histogram with optional vertical markers: see `histogramPlotSpec`. */
export function histogramPlot(o: HistogramPlotOptions): Promise<Plot> {
  return renderPlot(histogramPlotSpec(o));
}

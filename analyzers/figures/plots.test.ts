import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  PLOT_FONT,
  PLOT_HEIGHT,
  PLOT_WIDTH,
  PNG_SCALE,
  hemispherePlot,
  histogramPlot,
  histogramPlotSpec,
  lambertPosition,
  linePlot,
  linePlotSpec,
  logTicks,
  measureText,
  type LinePlotOptions,
} from './plots.ts';

/** Minimal XML well-formedness: balanced, properly nested tags; no raw '<' or '&' in text. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/gu;
  let last = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    expect(text).not.toMatch(/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/u);
    last = tag.lastIndex;
    if (m[4] === '/') continue;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]);
  }
  expect(svg.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

/** Text content of every <text> element (entities decoded). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/gu)].map((m) =>
    m[1].replace(/&lt;/gu, '<').replace(/&gt;/gu, '>').replace(/&quot;/gu, '"').replace(/&#39;/gu, "'").replace(/&amp;/gu, '&'),
  );
}

async function pixels(png: Buffer) {
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, fileChannels: meta.channels };
}

function guinierLike(): LinePlotOptions {
  const x: number[] = [];
  const exp: number[] = [];
  const corr: number[] = [];
  for (let i = 1; i <= 60; i++) {
    const s = (i / 60) * 0.1;
    x.push(s);
    exp.push(-9 - 23.6 * s + 0.2 * Math.sin(50 * s));
    corr.push(-9 + 0.2 * Math.sin(50 * s));
  }
  const fx = x.filter((s) => s >= 1 / 225 && s <= 0.09);
  return {
    series: [
      { name: 'experimental', x, y: exp },
      { name: 'fitted line', x: fx, y: fx.map((s) => -9 - 23.6 * s), dash: true },
      { name: 'corrected', x, y: corr, mark: 'line+point' },
    ],
    xTitle: '1/d² (Å⁻²)',
    yTitle: 'ln |F|',
  };
}

describe('assertWellFormed (the test helper)', () => {
  it('rejects unbalanced tags and raw markup characters', () => {
    expect(() => assertWellFormed('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormed('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => assertWellFormed('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => assertWellFormed('<svg width="1"><text>a &amp; b</text><path d="M0"/></svg>')).not.toThrow();
  });
});

describe('measureText and logTicks', () => {
  it('uses DejaVu Sans advance widths (digits are 1303/2048 em)', () => {
    expect(measureText('00', 10)).toBeCloseTo((2 * 1303 * 10) / 2048, 10);
    expect(measureText('Å', 2048)).toBe(1401);
    expect(measureText('A', 2048, true)).toBe(1585);
  });

  it('gives powers of ten, with 1-2-5 steps over two decades or less', () => {
    expect(logTicks([8, 3425945, 0, -1])).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7]);
    expect(logTicks([200, 800])).toEqual([100, 200, 500, 1000]);
    expect(logTicks([])).toEqual([1, 10]);
  });
});

describe('linePlot', () => {
  it('draws the axis titles and a legend in a well-formed SVG of the plot size', async () => {
    const p = await linePlot({ ...guinierLike(), title: 'Guinier plot' });
    assertWellFormed(p.svg);
    expect([p.width, p.height]).toEqual([PLOT_WIDTH, PLOT_HEIGHT]);
    const t = texts(p.svg);
    expect(t).toContain('1/d² (Å⁻²)');
    expect(t).toContain('ln |F|');
    expect(t).toContain('Guinier plot');
    for (const name of ['experimental', 'fitted line', 'corrected']) expect(t).toContain(name);
    expect(p.svg).toContain('role-legend');
    expect(p.svg).toContain(`font-family="${PLOT_FONT}"`);
    const sizes = [...p.svg.matchAll(/font-size="([\d.]+)px"/gu)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
    // The title is inside the picture (Vega placed it at a non-negative y).
    const titleAt = /role-title"><g transform="translate\(([-\d.]+),([-\d.]+)\)/u.exec(p.svg);
    const rootAt = /<g fill="none" stroke-miterlimit="4" transform="translate\(([-\d.]+),([-\d.]+)\)/u.exec(p.svg);
    expect(Number(rootAt?.[2]) + Number(titleAt?.[2])).toBeGreaterThanOrEqual(0);
  });

  it('escapes markup in titles and series names', async () => {
    const p = await linePlot({ series: [{ name: 'a<b & c', x: [0, 1], y: [1, 2] }, { name: 'd', x: [0, 1], y: [2, 1] }], xTitle: 'x <1> & "2"', yTitle: 'y' });
    assertWellFormed(p.svg);
    expect(texts(p.svg)).toContain('x <1> & "2"');
    expect(texts(p.svg)).toContain('a<b & c');
  });

  it('shows no legend for a single series', async () => {
    const p = await linePlot({ series: [{ name: 'only', x: [0, 1, 2], y: [3, 1, 2] }], xTitle: 'x (Å)', yTitle: 'y (a.u.)' });
    expect(p.svg).not.toContain('role-legend');
    expect(texts(p.svg)).not.toContain('only');
  });

  it('drops zero, negative and non-finite values on a log axis instead of failing', async () => {
    const o: LinePlotOptions = {
      series: [{ name: 'voxels', x: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], y: [5000, 300, 8, 0, Number.NaN, -2], mark: 'line+point' }],
      xTitle: 'Threshold (map units)',
      yTitle: 'Voxels above threshold',
      logY: true,
    };
    const spec = linePlotSpec(o) as unknown as { data: { values: Array<{ y: number }> } };
    expect(spec.data.values.map((r) => r.y)).toEqual([5000, 300, 8]);
    const p = await linePlot(o);
    assertWellFormed(p.svg);
    expect(p.svg).not.toMatch(/NaN|Infinity/u);
    expect(texts(p.svg)).toEqual(expect.arrayContaining(['1', '10', '100', '1,000', '10,000']));
  });

  it('rasterises to a non-blank opaque PNG of PNG_SCALE × the SVG size', async () => {
    const p = await linePlot(guinierLike());
    const d = await pixels(p.png);
    expect([d.width, d.height]).toEqual([PLOT_WIDTH * PNG_SCALE, PLOT_HEIGHT * PNG_SCALE]);
    expect(d.fileChannels).toBe(3);
    let dark = 0;
    let blue = 0;
    for (let i = 0; i < d.data.length; i += d.channels) {
      const [r, g, b] = [d.data[i], d.data[i + 1], d.data[i + 2]];
      if (r + g + b < 200) dark++; // text and axis lines
      if (Math.abs(r - 0x00) < 30 && Math.abs(g - 0x72) < 30 && Math.abs(b - 0xb2) < 30) blue++; // first series
    }
    expect(dark).toBeGreaterThan(2000);
    expect(blue).toBeGreaterThan(500);
    // Corner is white background.
    expect([d.data[0], d.data[1], d.data[2]]).toEqual([255, 255, 255]);
  });

  it('is byte-identical for the same input, also when rendered concurrently', async () => {
    const o = guinierLike();
    const a = await linePlot(o);
    const [b, c] = await Promise.all([linePlot(o), linePlot(o)]);
    for (const q of [b, c]) {
      expect(q.svg).toBe(a.svg);
      expect(Buffer.compare(q.png, a.png)).toBe(0);
    }
  });

  it('rejects series of unequal length and duplicate names', () => {
    expect(() => linePlotSpec({ series: [{ name: 'a', x: [1, 2], y: [1] }], xTitle: 'x', yTitle: 'y' })).toThrow(/2 x and 1 y/u);
    expect(() =>
      linePlotSpec({ series: [{ name: 'a', x: [1], y: [1] }, { name: 'a', x: [1], y: [1] }], xTitle: 'x', yTitle: 'y' }),
    ).toThrow(/unique/u);
  });
});

describe('histogramPlot', () => {
  const counts = [3, 10, 25, 12, 4, 0, 1];
  const edges = [2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5];

  it('draws bars, axis titles and labelled markers', async () => {
    const p = await histogramPlot({ counts, edges, xTitle: 'Local resolution (Å)', markers: [{ value: 3.2, label: 'reported 3.2 Å' }] });
    assertWellFormed(p.svg);
    const t = texts(p.svg);
    expect(t).toContain('Local resolution (Å)');
    expect(t).toContain('Number of voxels');
    expect(t).toContain('reported 3.2 Å');
    const bars = /class="mark-rect role-mark layer_0_marks"[^>]*>((?:<path[^>]*\/>)*)/u.exec(p.svg);
    expect(bars?.[1].match(/<path/gu)).toHaveLength(counts.length);
    const d = await pixels(p.png);
    expect([d.width, d.height]).toEqual([p.width * PNG_SCALE, p.height * PNG_SCALE]);
  });

  it('has one bar per bin from edge to edge', () => {
    const spec = histogramPlotSpec({ counts, edges, xTitle: 'B-factor (Å²)', yTitle: 'Voxels' }) as unknown as {
      layer: Array<{ data: { values: Array<{ lo: number; hi: number; n: number }> } }>;
    };
    expect(spec.layer[0].data.values[1]).toEqual({ lo: 2.5, hi: 3, n: 10 });
    expect(spec.layer[0].data.values).toHaveLength(7);
  });

  it('rejects edges that do not match the counts', () => {
    expect(() => histogramPlotSpec({ counts: [1, 2], edges: [0, 1], xTitle: 'x' })).toThrow(/2 counts need 3 edges/u);
    expect(() => histogramPlotSpec({ counts: [1, 2], edges: [0, 1, 1], xTitle: 'x' })).toThrow(/edges must increase/u);
  });
});

describe('linePlot rules and bands', () => {
  it('draws each rule, band and label once, whatever the number of data rows, and solid series without a dash pattern', async () => {
    const x = Array.from({ length: 200 }, (_, i) => i / 400);
    const p = await linePlot({
      series: [{ name: 'FSC', x, y: x.map((f) => 1 - 2 * f) }, { name: 'fit', x, y: x.map((f) => 1 - 2.1 * f), dash: true }],
      xTitle: 'f',
      yTitle: 'FSC',
      rules: [{ axis: 'y', value: 0.143, label: 'FSC = 0.143' }, { axis: 'x', value: 0.3, label: 'reported' }],
      bands: [{ from: 0.1, to: 0.2, label: 'band' }],
    });
    for (const label of ['FSC = 0.143', 'reported', 'band']) expect(texts(p.svg).filter((t) => t === label), label).toHaveLength(1);
    // Three dash patterns in the plot area: the fit, the horizontal rule, the vertical rule (plus the fit's legend symbol).
    expect((p.svg.match(/stroke-dasharray="[^"]+"/gu) ?? []).sort()).toEqual(['stroke-dasharray="4,3"', 'stroke-dasharray="6,3"', 'stroke-dasharray="7,4"', 'stroke-dasharray="7,4"']);
  });


  it('draws a shaded band with its label above the plot, behind the curves', async () => {
    const p = await linePlot({ series: [{ name: 'FSO', x: [0.1, 0.2, 0.3], y: [1, 0.5, 0] }], xTitle: 'f', yTitle: 'FSO', xAxis: 'resolution', bands: [{ from: 0.15, to: 0.25, label: 'FSO 0.9 → 0.1' }] });
    assertWellFormed(p.svg);
    expect(texts(p.svg)).toContain('FSO 0.9 → 0.1');
    // The band's rect comes first: later layers (the curve) paint over it.
    expect(p.svg.indexOf('mark-rect')).toBeLessThan(p.svg.indexOf('mark-line'));
  });
});

describe('hemispherePlot', () => {
  it('lambertPosition: z at the centre, the equator on the circle of radius √2, equal area (a cap of tilt θ maps to a disc of area 2π(1 − cos θ))', () => {
    expect(lambertPosition(0, 0, 1)).toEqual([0, 0]);
    const [x, y] = lambertPosition(0, 1, 0);
    expect(Math.hypot(x, y)).toBeCloseTo(Math.SQRT2, 14);
    for (const tilt of [0.3, 1, 1.4]) {
      const [a, b] = lambertPosition(Math.sin(tilt), 0, Math.cos(tilt));
      expect(Math.PI * (a * a + b * b)).toBeCloseTo(2 * Math.PI * (1 - Math.cos(tilt)), 12);
    }
  });

  it('draws one dot per finite value, the colour-bar title, the grid and the marked points\' labels', async () => {
    const points = Array.from({ length: 40 }, (_, i) => {
      const z = 1 - (i + 0.5) / 40;
      const s = Math.sqrt(1 - z * z);
      return { x: s * Math.cos(2.4 * i), y: s * Math.sin(2.4 * i), z, value: i === 5 ? Number.NaN : 4 + z };
    });
    const p = await hemispherePlot({ points, valueTitle: 'Resolution (Å)', marks: [{ index: 0, label: 'worst 5.0 Å' }, { index: 39, label: 'best 4.0 Å' }] });
    assertWellFormed(p.svg);
    const t = texts(p.svg);
    for (const label of ['Resolution (Å)', 'worst 5.0 Å', 'best 4.0 Å', 'x', '−y', '30°', 'tilt 90°']) expect(t).toContain(label);
    const dots = /class="mark-symbol role-mark layer_\d+_marks"[^>]*>((?:<path[^>]*\/>)*)/u.exec(p.svg);
    expect(dots?.[1].match(/<path/gu)).toHaveLength(39);
  });
});


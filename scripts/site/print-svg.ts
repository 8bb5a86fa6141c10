/**
 * SVG figures (Vega plots) for print. Chromium's PDF writer (Skia) has no dashed strokes: it cuts
 * every dashed line into one filled shape per dash. The plots' labelled reference lines were drawn
 * once per data row (a rule layer without data of its own inherits the plot's rows), so a 1.a FSC
 * plot of a 70³ map held 420 copies of two dashed lines, 46,000 dashes in the PDF: most of a real
 * entry's PDF bytes (716 KB of page content for 455 KB of images) and of its printing time. The
 * print copy draws each mark once and writes solid lines as solid: the same picture.
 */

/** A mark element as Vega writes it: self-closing, or a text with its string. */
const MARK = /<(?:line|path|rect|circle|ellipse|polygon|polyline)\b[^>]*\/>|<text\b[^>]*>[^<]*<\/text>/gu;

/** An opacity below 1: two such marks drawn on one another look darker than one. */
const TRANSLUCENT = /(?:^|\s)(?:opacity|fill-opacity|stroke-opacity)="(?:0(?:\.\d*)?|\.\d+)"/u;

/**
 * `svg` with each run of identical consecutive opaque marks reduced to its first, and
 * `stroke-dasharray` patterns without gaps ("1,0": Vega's solid series) removed. Anything else is
 * left as it is, byte for byte.
 */
export function printSvg(svg: string): string {
  let out = '';
  let last = 0;
  let previous: string | null = null;
  for (const m of svg.matchAll(MARK)) {
    const at = m.index ?? 0;
    const between = svg.slice(last, at);
    // Only marks that follow one another directly (nothing but white space between) are repeats.
    const repeat = previous === m[0] && between.trim() === '' && !TRANSLUCENT.test(m[0]);
    if (!repeat) out += between + m[0];
    previous = m[0];
    last = at + m[0].length;
  }
  out += svg.slice(last);
  return out.replace(/\sstroke-dasharray="(\d*\.?\d+)[ ,]+0(?:\.0*)?"/gu, (whole, on: string) => (Number(on) > 0 ? '' : whole));
}

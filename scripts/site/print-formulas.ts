/**
 * Typeset formulas for print. On the site each formula is an `<img class="math …">` of a shared SVG
 * file (rehype-math-images.ts); Chromium gives every such image a document of its own, and the ~55
 * of an entry page cost about a fifth of the printing CPU. The page sent to the printing tab
 * instead carries each formula's SVG markup inline, with the image's size and alignment: the same
 * vector drawing, drawn as part of the page. (MathJax names its glyph paths by glyph, so ids
 * repeated between formulas name the same path.)
 */
import fs from 'node:fs';
import path from 'node:path';

const FORMULA_IMG = /<img class="math[^"]*"[^>]*>/gu;

/** Value of attribute `name` in one tag (as Astro writes them: double-quoted). */
function attr(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}="([^"]*)"`, 'u').exec(tag)?.[1] ?? null;
}

/**
 * `html` with every formula image replaced by its SVG, read through `fileOf(src)` (null: the image
 * stays). The SVG takes the image's style, class and alt (as aria-label).
 */
export function inlineFormulas(html: string, fileOf: (src: string) => string | null): string {
  return html.replace(FORMULA_IMG, (tag) => {
    const src = attr(tag, 'src');
    const file = src && src.endsWith('.svg') ? fileOf(src) : null;
    if (!file) return tag;
    let svg: string;
    try {
      svg = fs.readFileSync(file, 'utf8').trim();
    } catch {
      return tag;
    }
    if (!svg.startsWith('<svg')) return tag;
    const keep = ['style', 'class'].map((n) => [n, attr(tag, n)] as const).filter(([, v]) => v !== null);
    const extra = [...keep.map(([n, v]) => ` ${n}="${v}"`), ` aria-label="${attr(tag, 'alt') ?? ''}"`].join('');
    // The image's style comes first: of two equal attributes, HTML keeps the first.
    return `<svg${extra}${svg.slice(4)}`;
  });
}

/** Resolver for `inlineFormulas` over a built site: a site URL path to its file (or null). */
export function siteFileOf(root: string, base: string): (src: string) => string | null {
  return (src) => {
    if (!src.startsWith(base)) return null;
    const full = path.resolve(root, `./${src.slice(base.length)}`);
    return full.startsWith(path.resolve(root) + path.sep) ? full : null;
  };
}

/**
 * Formulas as shared SVG files. remark-math marks `$…$` and `$$…$$` in the site's method texts;
 * this rehype plugin typesets each with MathJax (@mathjax/src, TeX input, SVG output with the
 * glyphs inside each file) at build time, writes the SVG once to `dir` under a content-hash name,
 * and replaces the formula by `<img src="<base>_formulas/<hash>.svg" alt="<TeX>">` sized in ex
 * units so that it sits in the text like inline MathJax. Why files and not inline SVG: the same
 * formulas appear on every entry page, and inlined they were 139 kB of a 197 kB page (10 000
 * pages = 1.4 GB of glyph paths to render, write and index). The site integration copies the
 * files of `dir` that the method texts use (`usedFormulaFiles`) to `<out>/_formulas/`. No client JavaScript; the alt text (the TeX source) is the accessible name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

interface MathJaxApi {
  init(config: object): Promise<unknown>;
  tex2svgPromise(tex: string, opts: { display: boolean }): Promise<unknown>;
  startup: { adaptor: { outerHTML(node: unknown): string } };
}

export interface MathImageOptions {
  /** Site base ("/" or "/sub/path/"). */
  base: string;
  /** Folder the SVG files are written to (copied to `<out>/_formulas/` after the build). */
  dir: string;
}

/** URL folder of the formula files, under the base. */
export const FORMULA_FOLDER = '_formulas';

let mathjax: Promise<MathJaxApi> | null = null;
/** MathJax's promise-based calls must not overlap (they may load font data): one at a time. */
let queue: Promise<unknown> = Promise.resolve();

function loadMathJax(): Promise<MathJaxApi> {
  mathjax ??= (async () => {
    const mod = (await import('@mathjax/src')) as { default: MathJaxApi };
    const mj = mod.default;
    // One SVG per formula: no automatic line breaking of inline math (it splits a formula into
    // several <svg> elements joined by <mjx-break>).
    await mj.init({ loader: { load: ['input/tex', 'output/svg'] }, output: { linebreaks: { inline: false } }, svg: { fontCache: 'local' } });
    return mj;
  })();
  return mathjax;
}

/** A typeset formula: standalone SVG text and the img style that places it like inline math. */
export interface TypesetFormula {
  svg: string;
  style: string;
}

/**
 * Typesets one TeX formula to a standalone SVG. Glyph ids are renumbered from a global counter
 * to per-file names, so the same formula always gives the same bytes (and file name).
 */
export async function typeset(tex: string, display: boolean): Promise<TypesetFormula> {
  const mj = await loadMathJax();
  const run = queue.then(() => mj.tex2svgPromise(tex, { display }));
  queue = run.catch(() => undefined);
  const html = mj.startup.adaptor.outerHTML(await run);
  const m = /<svg[\s\S]*<\/svg>/u.exec(html);
  if (!m || html.includes('<mjx-break')) throw new Error(`MathJax did not give one SVG for ${JSON.stringify(tex)}`);
  // The HTML serialiser leaves < and > raw inside attribute values (valid HTML, not XML); a file
  // read by <img> must be XML. The data-* annotations are dropped altogether (size, not meaning).
  let svg = m[0]
    .replace(/\s(data-latex|data-mml-node|data-c|data-semantic-[a-z-]+)="[^"]*"/gu, '')
    .replace(/="([^"]*)"/gu, (_, v: string) => `="${v.replace(/</gu, '&lt;').replace(/>/gu, '&gt;')}"`)
    .replace(/MJX-\d+-/gu, 'MJX-');
  const attr = (name: string) => new RegExp(`^<svg[^>]*?\\s${name}="([^"]*)"`, 'u').exec(svg)?.[1] ?? '';
  const valign = /vertical-align:\s*([-\d.]+ex)/u.exec(attr('style'))?.[1] ?? '0ex';
  const style = `vertical-align: ${valign}; width: ${attr('width')}; height: ${attr('height')}`;
  // As a file the SVG stands alone: black glyphs (currentColor has no parent text colour in an img).
  svg = svg.replace(/currentColor/gu, '#1c1f24');
  return { svg, style };
}

function classes(n: HastNode): string[] {
  const c = n.properties?.className;
  return Array.isArray(c) ? (c as string[]) : typeof c === 'string' ? c.split(/\s+/u) : [];
}

function textOf(n: HastNode): string {
  if (n.type === 'text') return n.value ?? '';
  return (n.children ?? []).map(textOf).join('');
}

function mathKind(n: HastNode): 'inline' | 'display' | null {
  if (n.type !== 'element') return null;
  const c = classes(n);
  if (n.tagName === 'pre' && (n.children ?? []).some((k) => mathKind(k) !== null)) return 'display';
  if (c.includes('math-display')) return 'display';
  if (c.includes('math-inline') || c.includes('language-math')) return 'inline';
  return null;
}

/**
 * Names of the formula files this process's pages refer to. The folder is a cache kept across
 * builds (and branches): it also holds formulas of method texts since edited, which the site
 * does not need. Every method text is compiled in every build, full or incremental (the pages
 * import them all), so this set is every formula any page of the site can show.
 */
const used = new Set<string>();

/** The formula files referred to by the method texts compiled in this process (see `used`). */
export function usedFormulaFiles(): ReadonlySet<string> {
  return used;
}

/** The rehype plugin (after remark-math, with `remarkRehype` defaults). */
export function rehypeMathImages(opts: MathImageOptions) {
  return async (tree: HastNode) => {
    const jobs: Promise<void>[] = [];
    const walk = (node: HastNode) => {
      const kids = node.children;
      if (!kids) return;
      for (let i = 0; i < kids.length; i++) {
        const k = kids[i];
        const kind = mathKind(k);
        if (!kind) {
          walk(k);
          continue;
        }
        const tex = textOf(k).trim();
        const slot = i;
        jobs.push(
          typeset(tex, kind === 'display').then(({ svg, style }) => {
            const name = `${crypto.createHash('sha256').update(svg).digest('hex').slice(0, 16)}.svg`;
            const file = path.join(opts.dir, name);
            used.add(name);
            if (!fs.existsSync(file)) {
              fs.mkdirSync(opts.dir, { recursive: true });
              fs.writeFileSync(`${file}.tmp-${process.pid}`, svg);
              fs.renameSync(`${file}.tmp-${process.pid}`, file);
            }
            const img: HastNode = { type: 'element', tagName: 'img', properties: { className: ['math', `math-${kind}`], src: `${opts.base}${FORMULA_FOLDER}/${name}`, alt: tex, style }, children: [] };
            kids[slot] = kind === 'display' ? { type: 'element', tagName: 'span', properties: { className: ['math-block'] }, children: [img] } : img;
          }),
        );
      }
    };
    walk(tree);
    await Promise.all(jobs);
  };
}

/**
 * The entry page as the printing tab gets it. The printed result is the page the site serves, laid
 * out by the print stylesheet; what changes is only how much work Chromium does to get there:
 * - formulas inline (print-formulas.ts);
 * - the "at a glance" panel drawn here from the entry's glance.json by the function the page's
 *   script uses (glanceHtml), so the tab runs no script and waits for no fetch;
 * - no scripts (the glance panel's, the 3-D viewer's loader: print hides the viewer);
 * - figures without their `src` (kept in `data-emvr-src`, eager): the tab lays the page out
 *   without fetching any figure, then gets each one once, at the size it is printed
 *   (print-images.ts `placePrintImages`). Before, the first screens' figures were fetched and
 *   decoded at full size and then again as print copies. Each `<img>` keeps its width and height
 *   attributes, and figure boxes are sized by the stylesheet (width 100 % of their column), so the
 *   layout measured without the pixels is the printed one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { glanceHtml, type GlanceData, type OwnPercentiles } from '../../site/src/lib/glance-view.ts';
import { inlineFormulas } from './print-formulas.ts';
import { DEFERRED_SRC } from './print-images.ts';

const SCRIPT = /<script\b[^>]*>[\s\S]*?<\/script>/gu;
const FIGURE_IMG = /<img\b[^>]*\ssrc="[^"]*\.(?:png|jpe?g|webp|svg)(?:[?#][^"]*)?"[^>]*>/giu;
const GLANCE = /(<div class="glance"[^>]*?)\sdata-state="pending"([^>]*>)[\s\S]*?<\/div>/u;

/** An attribute value as Astro escapes it, back to text. */
export function unescapeAttr(v: string): string {
  return v.replace(/&(quot|amp|lt|gt|#39|#x27);/gu, (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'", '#x27': "'" })[e] ?? _);
}

/** Figure `<img>` tags (raster or SVG; formulas are inline by then) with `src` moved to `data-emvr-src` and no lazy loading. */
export function deferFigures(html: string): string {
  return html.replace(FIGURE_IMG, (tag) => tag.replace(/\ssrc="/u, ` ${DEFERRED_SRC}="`).replace(/\sloading="lazy"/u, ''));
}

/**
 * The glance panel filled from `readGlance(url)` (its glance.json), as the page's script would fill
 * it; when the file cannot be read, the sentence the script shows then. Pages without a pending
 * panel are returned as they are.
 */
export function fillGlance(html: string, readGlance: (url: string) => GlanceData): string {
  return html.replace(GLANCE, (_, open: string, close: string) => {
    const url = unescapeAttr(/\sdata-glance="([^"]*)"/u.exec(open)?.[1] ?? '');
    const own = JSON.parse(unescapeAttr(/\sdata-own="([^"]*)"/u.exec(open)?.[1] ?? '{}')) as OwnPercentiles;
    try {
      return `${open} data-state="ready"${close}${glanceHtml(readGlance(url), own)}</div>`;
    } catch (err) {
      return `${open} data-state="failed"${close}The archive percentiles could not be loaded (${(err as Error).message}).</div>`;
    }
  });
}

/** The printing tab's version of an entry page (see the file comment); `fileOf` maps a site URL to its file. */
export function printPage(html: string, fileOf: (src: string) => string | null): string {
  const readGlance = (url: string): GlanceData => {
    const file = fileOf(url);
    if (!file) throw new Error(`no file for ${url}`);
    return JSON.parse(fs.readFileSync(path.resolve(file), 'utf8')) as GlanceData;
  };
  return deferFigures(fillGlance(inlineFormulas(html, fileOf), readGlance).replace(SCRIPT, ''));
}

/**
 * The site's own method texts (site/src/methods/*.md, formulas typeset to SVG at build time by
 * remark-math + rehype-math-images.ts): per item a short formula block for the entry pages
 * (`formulas/0a.md`) and the full method for the methods page (`0a.md`).
 */
import type { AstroComponentFactory } from 'astro/runtime/server/index.js';
import type { ItemId } from '../../../analyzers/report/schema.ts';

interface MarkdownModule {
  Content: AstroComponentFactory;
  frontmatter: Record<string, unknown>;
}

const formulas = import.meta.glob<MarkdownModule>('../methods/formulas/*.md', { eager: true });
const methods = import.meta.glob<MarkdownModule>('../methods/*.md', { eager: true });

function find(mods: Record<string, MarkdownModule>, dir: string, id: ItemId): MarkdownModule | null {
  return mods[`${dir}${id.replace('.', '')}.md`] ?? null;
}

/** The formula block of an item, or null when the site has none for it. */
export function formulaOf(id: ItemId): MarkdownModule | null {
  return find(formulas, '../methods/formulas/', id);
}

/** The full method text of an item for the methods page. */
export function methodOf(id: ItemId): MarkdownModule | null {
  return find(methods, '../methods/', id);
}

/** A named method text that is not an item (e.g. "input", "scoring", "references"). */
export function methodText(name: string): MarkdownModule | null {
  return methods[`../methods/${name}.md`] ?? null;
}

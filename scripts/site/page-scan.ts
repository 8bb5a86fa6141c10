/**
 * Scans the visible text of built pages for what a reader should never see: raw JSON keys of the
 * items' value schemas ("rawVoxels", "workBox", "p2_5") and numbers printed with more than 6
 * significant digits ("0.01872820407152176"), or long counts without digit groups ("1157868").
 * Links, attributes, scripts and styles are not text: a link to report.json or a CSV may name keys.
 */
import type { z } from 'zod';
import { ITEM_SPECS } from '../../analyzers/report/schema.ts';

/** What a scan found on one page. */
export interface PageFinding {
  kind: 'json-key' | 'digits';
  /** The offending word or number and a little text around it. */
  text: string;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
}

/** Every object key of a zod schema, nested ones included. */
function schemaKeys(schema: z.ZodType, out: Set<string>): Set<string> {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (def.shape) for (const [k, v] of Object.entries(def.shape)) out.add(k), schemaKeys(v, out);
  for (const s of [def.element, def.innerType, ...(def.items ?? []), ...(def.options ?? [])]) if (s) schemaKeys(s, out);
  return out;
}

/** Keys that are also the published name of their quantity (d99: Afonine et al. 2018). */
const PUBLISHED_NAMES = new Set(['d99']);

/**
 * The keys of the value schemas that are identifiers rather than words: an upper-case letter, a
 * digit or an underscore after the first letters ("rawVoxels", "fsc0143", "p2_5"; not "median").
 */
export function rawValueKeys(): string[] {
  const keys = new Set<string>();
  for (const s of ITEM_SPECS) schemaKeys(s.values as unknown as z.ZodType, keys);
  return [...keys].filter((k) => /^[a-z]+[A-Z0-9_]/u.test(k) && !PUBLISHED_NAMES.has(k)).sort();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The text a reader sees of an HTML page: tags, attributes, scripts, styles and comments removed. */
export function visibleText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/gu, ' ')
    .replace(/<(script|style|template)\b[\s\S]*?<\/\1>/giu, ' ')
    .replace(/<[^>]*>/gu, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/giu, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/gu, ' ');
}

/** Significant digits of a decimal number token ("0.0187" → 3, "23049.79" → 7). */
export function significantDigits(token: string): number {
  const digits = token.replace(/[^0-9]/gu, '').replace(/^0+/u, '');
  return digits.length;
}

/** A number token not glued to letters or digits (hashes and identifiers are not numbers). */
const NUMBER = /(?<![\p{L}\p{N}_.])\d+(?:[\u202f\u2009]\d{3})*(?:\.\d+)?(?![\p{L}\p{N}_]|\.\d)/gu;

/** The findings of one page's visible text. */
export function scanText(text: string, keys: readonly string[]): PageFinding[] {
  const out: PageFinding[] = [];
  const around = (i: number, n: number) => text.slice(Math.max(0, i - 40), i + n + 40);
  for (const k of keys) {
    // A warning code ("0b.components95") is shown on purpose: only a key standing alone counts.
    const re = new RegExp(`(?<![\\p{L}\\p{N}_.])${k}(?![\\p{L}\\p{N}_])`, 'gu');
    for (const m of text.matchAll(re)) out.push({ kind: 'json-key', text: around(m.index, k.length) });
  }
  for (const m of text.matchAll(NUMBER)) {
    const t = m[0];
    const tooPrecise = t.includes('.') && significantDigits(t) > 6;
    const ungroupedCount = !t.includes('.') && !/[\u202f\u2009]/u.test(t) && t.length >= 7;
    if (tooPrecise || ungroupedCount) out.push({ kind: 'digits', text: around(m.index, t.length) });
  }
  return out;
}

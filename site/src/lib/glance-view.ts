/**
 * The "at a glance" panel as HTML, from the entry's glance.json (archive-statistics.ts `Glance`)
 * and, for a value the archive cannot rank yet (A.e before our archive has 1,000 models), the
 * item's own percentiles embedded in the page. A pure function of data: the browser script
 * (scripts/glance.ts) puts its result into the page, the PDF printer into the page it prints
 * (scripts/site/print-page.ts), and the tests read the same markup. No imports beyond formatting, so the browser bundle stays small.
 *
 * Each value gets one bar from 0 (worse) to 100 (better), wwPDB style, with two markers: a black
 * triangle above it for the percentile among all entries, a white diamond with a black edge
 * below it for the percentile within the entry's resolution band. The numbers are printed beside
 * the bar, so grey-scale and paper lose nothing.
 */
import { formatBare, type Quantity } from '../../../analyzers/report/format-number.ts';
import { escapeHtml, formatNumber, quantityOfUnit } from './format.ts';

/** Mirrors archive-statistics.ts `Glance` (kept apart: that module reads the item catalog). */
export interface GlanceData {
  entries: number;
  rows: {
    column: string;
    label: string;
    unit: string;
    /** Absent in glance files of builds before it was written. */
    quantity?: Quantity;
    better: 'higher' | 'lower' | null;
    value: number;
    all: { p: number; n: number } | null;
    band: { p: number; n: number; label: string } | null;
    own: boolean;
  }[];
}

/** An item's own percentiles (its spec's `ownPercentiles`), by column, as embedded in the page. */
export type OwnPercentiles = Record<string, { all: { percentile: number; population: string }; band: { percentile: number; population: string } | null }>;


/** A percentile as shown: the whole number nearest to it. */
export function shownPercentile(p: number): string {
  return String(Math.round(Math.min(100, Math.max(0, p))));
}

/** "1 entry", "1,234 entries". */
function entries(n: number): string {
  return `${n.toLocaleString('en-US')} entr${n === 1 ? 'y' : 'ies'}`;
}

const W = 300, L = 10, R = 290, Y = 14, H = 12;

function xOf(p: number): number {
  return L + ((R - L) * Math.min(100, Math.max(0, p))) / 100;
}

/** The bar with its markers (all: triangle above; band: diamond below). */
function barSvg(all: number | null, band: number | null, ends: [string, string], title: string): string {
  const ticks = [0, 25, 50, 75, 100].map((t) => `<line x1="${xOf(t)}" x2="${xOf(t)}" y1="${Y}" y2="${Y + H}" stroke="#fff" stroke-width="1"/>`).join('');
  const tri = all === null ? '' : `<path d="M ${xOf(all) - 7} ${Y - 12} L ${xOf(all) + 7} ${Y - 12} L ${xOf(all)} ${Y - 1} Z" fill="#000" stroke="#fff" stroke-width="1"/>`;
  const dia = band === null ? '' : `<path d="M ${xOf(band)} ${Y + H + 1} L ${xOf(band) + 7} ${Y + H + 8} L ${xOf(band)} ${Y + H + 15} L ${xOf(band) - 7} ${Y + H + 8} Z" fill="#fff" stroke="#000" stroke-width="1.5"/>`;
  return (
    `<svg class="glance-bar" viewBox="0 0 ${W} 56" width="${W}" height="56" role="img" aria-label="${escapeHtml(title)}">` +
    `<rect x="${L}" y="${Y}" width="${R - L}" height="${H}" fill="#bdbdbd" stroke="#222" stroke-width="1"/>${ticks}${tri}${dia}` +
    `<text x="${L}" y="${Y + H + 27}" font-size="10" fill="#222">${escapeHtml(ends[0])}</text>` +
    `<text x="${R}" y="${Y + H + 27}" font-size="10" text-anchor="end" fill="#222">${escapeHtml(ends[1])}</text></svg>`
  );
}

/** The panel's table (an empty-state sentence when the entry has no ranked value). */
export function glanceHtml(g: GlanceData, own: OwnPercentiles = {}): string {
  if (g.rows.length === 0) return '<p>No value of this entry is ranked in the archive (none was measured).</p>';
  const body = g.rows
    .map((r) => {
      const q = r.quantity ?? quantityOfUnit(r.unit);
      const value = `${q ? formatBare(r.value, q) : formatNumber(r.value)}${r.unit ? ` ${escapeHtml(r.unit)}` : ''}`;
      const ends: [string, string] = r.better === null ? ['lower', 'higher'] : ['worse', 'better'];
      let all: number | null = null, band: number | null = null;
      let pops: string[];
      const fallback = own[r.column];
      if (!r.own && fallback) {
        all = fallback.all.percentile;
        band = fallback.band?.percentile ?? null;
        pops = [`<span data-p="all">▲ ${shownPercentile(all)}</span> ${escapeHtml(fallback.all.population)}`];
        if (fallback.band) pops.push(`<span data-p="band">◇ ${shownPercentile(fallback.band.percentile)}</span> ${escapeHtml(fallback.band.population)}`);
      } else {
        all = r.all?.p ?? null;
        band = r.band?.p ?? null;
        pops = [];
        if (r.all) pops.push(`<span data-p="all">▲ ${shownPercentile(r.all.p)}</span> among all ${entries(r.all.n)} with a value`);
        if (r.band) pops.push(`<span data-p="band">◇ ${shownPercentile(r.band.p)}</span> among the ${entries(r.band.n)} at ${escapeHtml(r.band.label)}`);
        else pops.push('◇ no resolution band (no reported resolution)');
      }
      const title = `${r.label}: percentile ${all === null ? 'not available' : shownPercentile(all)} among all, ${band === null ? 'no band' : shownPercentile(band)} within the resolution band`;
      return `<tr data-column="${escapeHtml(r.column)}"><th scope="row">${escapeHtml(r.label)}</th><td class="num">${value}</td><td class="glance-bar-cell">${barSvg(all, band, ends, title)}</td><td class="glance-pop">${pops.join('<br>')}</td></tr>`;
    })
    .join('');
  return (
    `<table class="glance-table"><thead><tr><th scope="col">Value</th><th scope="col">This entry</th><th scope="col">Percentile (0–100)</th><th scope="col">Percentile and population</th></tr></thead><tbody>${body}</tbody></table>` +
    `<p class="glance-note">Among the ${entries(g.entries)} published in this archive when this was drawn. ▲ among all entries with the value; ◇ among those of the same reported-resolution band. Percentile: the share of entries worse than this one, ties counted half; where neither side is better, the share with a lower value.</p>`
  );
}

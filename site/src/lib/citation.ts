/**
 * When and with what a report was made, and how to cite it: the analysis date and analyzer version
 * recorded in the report (provenance), the entry, and the papers of the methods that measured.
 */
import { itemSpec, reportItems, type ItemId, type Report } from '../../../analyzers/report/schema.ts';
import { REFERENCES, type Reference } from '../../../analyzers/report/references.ts';

/** "Analysed on 2026-12-07 with emvr 0.1.0+abc": the line under the title and in the PDF header. */
export function analysisLine(r: Report): string {
  const p = r.provenance;
  const version = analyzerText(r);
  return p.analysedOn ? `Analysed on ${p.analysedOn} with ${version}` : `Analysed with ${version} (date not recorded)`;
}

/**
 * The methods to cite: VRS, whose report this one follows, then the first reference of each item
 * that measured (its main method), once each, in report order.
 */
export function methodReferences(r: Report): Reference[] {
  const keys = ['sorzano2022'];
  for (const it of reportItems(r)) {
    if (it.status !== 'ok' && it.status !== 'warnings') continue;
    const first = itemSpec(it.id as ItemId).references[0];
    if (first !== undefined && !keys.includes(first)) keys.push(first);
  }
  return keys.flatMap((k) => REFERENCES.filter((ref) => ref.key === k));
}

/** The sentence to cite the report by (entry, analyzer version, date). */
export function citationText(r: Report): string {
  const p = r.provenance;
  return `emvr validation report of ${r.entry.id}${r.entry.title ? ` ("${r.entry.title}")` : ''}, ${analyzerText(r)}${p.analysedOn ? `, analysed on ${p.analysedOn}` : ''}.`;
}

/** "emvr 0.1.0+abc" (just "emvr" when no version was kept). */
function analyzerText(r: Report): string {
  const a = r.provenance.analyzer;
  return a.version ? `${a.name} ${a.version}` : a.name;
}

/**
 * File names of an entry's downloads, relative to its page folder `<out>/<id>/`. The pages link
 * them and the post-build step (site/integrations/entry-assets.ts) writes them, both through these
 * functions, so a link and its file cannot drift apart.
 */
import type { ItemId } from '../../../analyzers/report/schema.ts';

/** The printed report: `<id>.pdf`. */
export function pdfFile(id: string): string {
  return `${id}.pdf`;
}

/** The report as analysed, byte for byte: `report.json`. */
export const REPORT_FILE = 'report.json';

/** One table as CSV: `tables/<id>-<item without dot>-<table id>.csv` (table ids match [a-zA-Z0-9_-]+). */
export function tableCsvFile(id: string, item: ItemId, tableId: string): string {
  return `tables/${id}-${item.replace('.', '')}-${tableId}.csv`;
}

/** Whether this build prints PDFs (`emvr build --no-pdf` sets EMVR_NO_PDF=1): pages link a PDF only then. */
export function pdfEnabled(): boolean {
  return process.env.EMVR_NO_PDF !== '1';
}

/**
 * Makes a printed PDF depend only on the page: Chromium (Skia) stamps the Info dictionary with the
 * time of printing (/CreationDate and /ModDate, `D:YYYYMMDDHHmmSS+hh'mm'`), so the same report
 * printed twice, or again after a crash, gave different bytes. The stamps are replaced by one fixed
 * date of the same length, in place: no byte moves, so the cross-reference offsets stay right and
 * no PDF library is needed. Measured on Chromium 150: these two dates are the only bytes that
 * differ between two prints of the same page (no /ID, no XMP).
 */

/** The date every printed PDF carries (the first instant of 2000, UTC). */
export const FIXED_PDF_DATE = "D:20000101000000+00'00'";

const DATE_RE = /\/(CreationDate|ModDate)\s*\((D:\d{4,14}(?:Z|[+-]\d{2}'\d{2}'?)?)\)/gu;

/** The fixed date in the form of `date` (same precision, same time-zone form, so the same length). */
export function fixedDateLike(date: string): string {
  const m = /^D:(\d+)(.*)$/u.exec(date);
  if (!m) return date;
  const digits = '20000101000000'.slice(0, m[1].length);
  const zone = m[2] === 'Z' ? 'Z' : m[2].replace(/[+-]/u, '+').replace(/\d/gu, '0');
  return `D:${digits}${zone}`;
}

/** `pdf` with its creation and modification dates set to FIXED_PDF_DATE (in their own form; a copy). */
export function normalizePdfDates(pdf: Uint8Array): Uint8Array {
  const out = new Uint8Array(pdf);
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  for (const m of text.matchAll(DATE_RE)) {
    const date = m[2];
    const at = (m.index ?? 0) + m[0].indexOf(date);
    out.set(Buffer.from(fixedDateLike(date), 'latin1'), at);
  }
  return out;
}

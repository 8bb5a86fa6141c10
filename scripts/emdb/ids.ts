/**
 * EMDB accession numbers: the only text from EMDB that ever becomes part of a file path or URL.
 * Everything here is checked against `^EMD-\d{4,}$` first (ARCHITECTURE.md, "External text is
 * untrusted"); titles and authors from entry JSON never reach a path, and file names from it
 * (half maps) only after `safeFileName` has accepted them.
 */

/** An EMDB accession: `EMD-` and at least 4 digits (zero-padded to 4: EMD-0001 … EMD-10000 …). */
export const EMDB_ID_RE = /^EMD-\d{4,}$/u;

/** True when `s` is a well-formed EMDB accession (`EMD-` + ≥ 4 digits, nothing else). */
export function isEmdbId(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 24 && EMDB_ID_RE.test(s);
}

/** Thrown for an ID that does not match `^EMD-\d{4,}$`; the message shows it JSON-escaped. */
export class BadEmdbIdError extends Error {
  override name = 'BadEmdbIdError';
}

/** Returns `s` when it is a valid accession, else throws BadEmdbIdError (never builds a path from it). */
export function checkEmdbId(s: unknown): string {
  if (typeof s !== 'string' || !isEmdbId(s)) throw new BadEmdbIdError(`not an EMDB ID (EMD- and at least 4 digits): ${JSON.stringify(String(s).slice(0, 80))}`);
  return s;
}

/** Numeric part of a checked accession, leading zeros kept ("EMD-0042" → "0042"). */
export function emdbNumber(id: string): string {
  return checkEmdbId(id).slice(4);
}

/**
 * Accession from what a user or an API route may give: "EMD-1234", "emd-1234", "emd_1234" or a
 * bare number ("42" → "EMD-0042", padded to 4 digits as EMDB does). Null when it is none of those.
 */
export function normaliseEmdbId(raw: string): string | null {
  const m = /^(?:emd[-_])?(\d{1,12})$/iu.exec(raw.trim());
  if (!m) return null;
  const digits = m[1].length < 4 ? m[1].padStart(4, '0') : m[1];
  return `EMD-${digits}`;
}

/** Name of the primary map file of an accession: `emd_NUM.map.gz` (lower case, underscore). */
export function mapFileName(id: string): string {
  return `emd_${emdbNumber(id)}.map.gz`;
}

/** Name EMDB gives half map `k` (1 or 2) of an accession: `emd_NUM_half_map_k.map.gz`. */
export function halfMapFileName(id: string, k: 1 | 2): string {
  return `emd_${emdbNumber(id)}_half_map_${k}.map.gz`;
}

/** Orders accessions by number (EMD-999 before EMD-1000), then as text. */
export function compareEmdbIds(a: string, b: string): number {
  const na = Number(a.slice(4));
  const nb = Number(b.slice(4));
  return na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A file name from entry JSON (half maps, additional maps) when it is a plain safe name
 * (letters, digits, `_`, `-`, `.`; not starting with a dot; ≤ 128 characters), else null.
 */
export function safeFileName(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 128) return null;
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/u.test(raw) && !raw.includes('..') ? raw : null;
}

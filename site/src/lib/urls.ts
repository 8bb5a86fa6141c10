/**
 * Links that respect the configured sub-path (`base` in astro.config.mjs): every internal link and
 * asset URL on a page goes through `siteUrl`, so the site works under /any/sub/path/.
 */

/** The base with exactly one trailing slash ("/" or "/sub/path/"). */
export function baseUrl(): string {
  return __EMVR_BASE__;
}

/** `siteUrl('EMD-1/')` → "/sub/path/EMD-1/"; `rel` must not start with a slash. */
export function siteUrl(rel = ''): string {
  return `${baseUrl()}${rel.replace(/^\/+/u, '')}`;
}

/** The page of one entry. */
export function entryUrl(id: string): string {
  return siteUrl(`${id}/`);
}

/** A file inside an entry's folder (figures/…, report.json, the PDF, tables/…). */
export function entryFileUrl(id: string, file: string): string {
  return siteUrl(`${id}/${file}`);
}

/** The EMDB page of an entry (only for real EMDB IDs). */
export function emdbUrl(id: string): string | null {
  return /^EMD-\d{4,}$/u.test(id) ? `https://www.ebi.ac.uk/emdb/${id}` : null;
}

/** The PDBe page of a PDB ID. */
export function pdbUrl(pdbId: string): string {
  return `https://www.ebi.ac.uk/pdbe/entry/pdb/${encodeURIComponent(pdbId)}`;
}

/**
 * Links that respect the configured sub-path (`base` in astro.config.mjs): every internal link and
 * asset URL on a page goes through `siteUrl`, so the site works under /any/sub/path/.
 */
import { entryFolder, fanOut, type FanOut } from './entry-path.ts';

/** The base with exactly one trailing slash ("/" or "/sub/path/"). */
export function baseUrl(): string {
  return __EMVR_BASE__;
}

/** `siteUrl('EMD-1/')` → "/sub/path/EMD-1/"; `rel` must not start with a slash. */
export function siteUrl(rel = ''): string {
  return `${baseUrl()}${rel.replace(/^\/+/u, '')}`;
}

/** How this build spreads entries over folders. */
export function siteFanOut(): FanOut {
  return fanOut(__EMVR_MAX_DIR_FILES__);
}

/** The page of one entry ("/base/12/EMD-12345/"). */
export function entryUrl(id: string): string {
  return siteUrl(`${entryFolder(id, siteFanOut())}/`);
}

/** A file inside an entry's folder (figures/…, report.json, the PDF, tables/…). */
export function entryFileUrl(id: string, file: string): string {
  return siteUrl(`${entryFolder(id, siteFanOut())}/${file}`);
}

/** The EMDB page of an entry (only for real EMDB IDs). */
export function emdbUrl(id: string): string | null {
  return /^EMD-\d{4,}$/u.test(id) ? `https://www.ebi.ac.uk/emdb/${id}` : null;
}

/** The PDBe page of a PDB ID. */
export function pdbUrl(pdbId: string): string {
  return `https://www.ebi.ac.uk/pdbe/entry/pdb/${encodeURIComponent(pdbId)}`;
}

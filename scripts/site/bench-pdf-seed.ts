/**
 * A PDF cache as the archive would have it after its first print, without printing it (50,000
 * PDFs take ~19 h): ONE real PDF, printed by `emvr build` from a one-entry site, is placed for
 * every entry under the stamp `printPdfs` would record for it (sha256 of its report.json, its
 * analyzer version, the site's layout hash, the real PDF's pages and bytes). A later build then
 * goes through the real reuse path (manifest read, stamps compared, PDFs linked into the site) and
 * prints only the entries whose reports changed. For bench-site.ts `--nightly`; not a test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Report } from '../../analyzers/report/schema.ts';
import { makeArchive } from './bench-archive.ts';
import { buildSite } from './build-site.ts';
import { MANIFEST_FILE, readManifest, type PdfManifest, type PdfStamp } from './print-pdfs.ts';

/** Entries sharing one inode of the seeded PDF: ext4 allows 65,000 links to a file, and the site adds one link per entry. */
const LINKS_PER_COPY = 1000;

/** The one real PDF: a one-entry site built with PDFs under `work`; its file and stamp. */
export async function printOnePdf(work: string, src: Report, srcDir: string): Promise<{ file: string; stamp: PdfStamp; seconds: number }> {
  const content = path.join(work, 'content');
  const cache = path.join(work, 'cache');
  fs.rmSync(work, { recursive: true, force: true });
  makeArchive(content, src, srcDir, 1);
  const s = await buildSite({ content, out: path.join(work, 'site'), pdf: true, pdfCache: cache, log: () => undefined });
  const [id, stamp] = Object.entries(readManifest(cache).entries)[0] ?? [];
  if (!id || !stamp || s.pdf?.printed !== 1) throw new Error(`the one-entry build printed ${s.pdf?.printed ?? 0} PDFs, expected 1`);
  return { file: path.join(cache, `${id}.pdf`), stamp, seconds: s.phases.pdf };
}

/** What printPdfs stamps from a report: the sha256 of its bytes and its analyzer version. */
function reportStamp(reportFile: string): { report: string; analyzer: string } {
  const bytes = fs.readFileSync(reportFile);
  const r = JSON.parse(bytes.toString('utf8')) as { provenance?: { analyzer?: { version?: string } } };
  return { report: crypto.createHash('sha256').update(bytes).digest('hex'), analyzer: String(r.provenance?.analyzer?.version ?? 'unknown') };
}

/**
 * Fills `cacheDir` with `pdf` for each of `ids` (copied once per LINKS_PER_COPY entries, hard
 * links otherwise) and a manifest stamping each with its own report and `like`'s layout, pages and
 * bytes. Any earlier content of `cacheDir` is removed.
 */
export function seedPdfCache(cacheDir: string, contentDir: string, ids: string[], pdf: string, like: PdfStamp): void {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  const m: PdfManifest = { version: 1, entries: {} };
  let copy = '';
  for (const [i, id] of ids.entries()) {
    const to = path.join(cacheDir, `${id}.pdf`);
    if (i % LINKS_PER_COPY === 0) {
      fs.copyFileSync(pdf, to);
      copy = to;
    } else fs.linkSync(copy, to);
    m.entries[id] = { ...reportStamp(path.join(contentDir, 'entries', id, 'report.json')), layout: like.layout, pages: like.pages, bytes: like.bytes };
  }
  fs.writeFileSync(path.join(cacheDir, MANIFEST_FILE), `${JSON.stringify(m, null, 1)}\n`);
}

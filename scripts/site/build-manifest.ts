/**
 * What a built site was built from, kept in the site as `build-manifest.json`: the hash of the
 * renderer (site sources, report schema and catalog, locked dependencies, build settings), and per
 * entry the sha256 of its report.json, its search record and its archive index row; per search shard the hash of its
 * records. An incremental build compares the content folder with it to re-render only new or
 * changed entries. Its bytes depend only on the inputs, so a clean build and an incremental one
 * write the same file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EntryId } from '../../analyzers/report/schema.ts';
import type { IndexRow } from '../../site/src/lib/archive-index.ts';
import type { SearchRecord } from '../../site/src/lib/search-record.ts';

/** File name of the manifest at the site root. */
export const MANIFEST_FILE = 'build-manifest.json';

/** One built entry: the report it was rendered from, its search record and its archive index row. */
export interface ManifestEntry {
  report: string;
  record: SearchRecord;
  row: IndexRow;
}

/** The manifest (version 1). */
export interface BuildManifest {
  version: 1;
  renderer: string;
  entries: Record<string, ManifestEntry>;
  /** Search shard → hash of its records, for the shards whose index is in the site. */
  shards: Record<string, string>;
}

export function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Adds every file under `dir` (path and bytes, in name order) to `h`. */
function hashTree(h: crypto.Hash, root: string, dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) hashTree(h, root, full);
    else {
      h.update(`${path.relative(root, full)}\n`);
      h.update(fs.readFileSync(full));
    }
  }
}

/**
 * A hash of everything besides a report that shapes the built site: the site's sources and
 * integrations, the Astro config, the report schema and item catalog the pages render, the locked
 * dependency versions (and the installed Astro and Pagefind), and the build settings. When it changes, every page is rendered again.
 */
export function rendererHash(projectRoot: string, settings: Record<string, unknown>): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify(settings));
  for (const dir of ['site', path.join('analyzers', 'report')]) hashTree(h, projectRoot, path.join(projectRoot, dir));
  // The lock file pins every dependency that renders (Astro, Vite, Pagefind…); a copy of the
  // project without one (a test's sandbox) still has the installed Astro and Pagefind versions.
  const files = ['astro.config.mjs', 'package.json', 'package-lock.json', ...['astro', 'pagefind'].map((p) => path.join('node_modules', p, 'package.json'))];
  for (const file of files) {
    h.update(`${file}\n`);
    try {
      h.update(fs.readFileSync(path.join(projectRoot, file)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      h.update('(absent)');
    }
  }
  return h.digest('hex').slice(0, 32);
}

/** sha256 of each entry's report.json (or, for a refused entry, `refusal:` + that of its refusal.json) in `<content>/entries` (folders with a valid ID name only). */
export async function reportHashes(content: string): Promise<Map<string, string>> {
  const root = path.join(content, 'entries');
  const ids = fs.readdirSync(root).filter((n) => EntryId.safeParse(n).success).sort();
  const out = new Map<string, string>();
  let next = 0;
  // A few reads in flight: 50 000 reports are read in seconds, not one after the other.
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        out.set(id, sha256(await fsp.readFile(path.join(root, id, 'report.json'))));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // A refused entry's page, row and record come from its refusal.json: that is its key.
        try {
          out.set(id, `refusal:${sha256(await fsp.readFile(path.join(root, id, 'refusal.json')))}`);
        } catch (e2) {
          if ((e2 as NodeJS.ErrnoException).code !== 'ENOENT') throw e2;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Reads the manifest of a built site; null when absent or not one this code wrote. */
export function readBuildManifest(siteDir: string): BuildManifest | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(siteDir, MANIFEST_FILE), 'utf8')) as BuildManifest;
    if (m.version === 1 && typeof m.renderer === 'string' && m.entries && m.shards) return m;
  } catch {
    // No manifest or a damaged one: the build is a full one.
  }
  return null;
}

/** The manifest's text: keys in order, so equal contents give equal bytes. */
export function manifestText(m: BuildManifest): string {
  const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return `${JSON.stringify({ version: m.version, renderer: m.renderer, entries: sorted(m.entries), shards: sorted(m.shards) })}\n`;
}

/** Writes the manifest in one rename (a kill leaves the old or the new one, never half). */
export async function writeBuildManifest(siteDir: string, m: BuildManifest): Promise<void> {
  const file = path.join(siteDir, MANIFEST_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, manifestText(m));
  await fsp.rename(tmp, file);
}

/** What an incremental build must do. */
export interface BuildPlan {
  /** New entries and entries whose report changed (rendered again). */
  changed: string[];
  /** Entries in the site whose report is gone. */
  removed: string[];
}

/** Compares the site's manifest with the reports of the content folder. */
export function planBuild(m: BuildManifest, hashes: Map<string, string>): BuildPlan {
  const changed = [...hashes].filter(([id, h]) => m.entries[id]?.report !== h).map(([id]) => id);
  const removed = Object.keys(m.entries).filter((id) => !hashes.has(id)).sort();
  return { changed, removed };
}

/**
 * The site's only door to `content/`: lists entry folders and reads each report.json through the
 * report schema (`parseReport`). Nothing else in site/ touches the file system for reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EntryId, parseReport, SCHEMA_VERSION, type Report } from '../../../analyzers/report/schema.ts';
import { parseRefusal, type Refusal } from '../../../analyzers/report/refusal.ts';

/**
 * Absolute content folder: `EMVR_CONTENT` (made absolute by astro.config.mjs), else ./content
 * relative to the working directory.
 */
export function contentDir(): string {
  return path.resolve(process.env.EMVR_CONTENT ?? 'content');
}

/** Folder of one entry (`<content>/entries/<id>`); `id` must already match the EntryId pattern. */
export function entryDir(id: string): string {
  return path.join(contentDir(), 'entries', id);
}

/**
 * Orders IDs by their number, then by name: EMD-999 before EMD-1000, local-* last, so the archive
 * reads in accession order.
 */
export function compareEntryIds(a: string, b: string): number {
  const na = /^EMD-(\d+)$/u.exec(a);
  const nb = /^EMD-(\d+)$/u.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]) || (a < b ? -1 : a > b ? 1 : 0);
  if (na) return -1;
  if (nb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Entry IDs that have a report.json or a refusal.json (an entry the analysis refused, published
 * as a finding), in accession order. Folder names that are not valid IDs are
 * ignored: an ID becomes a URL path and a file name, so nothing unchecked gets that far.
 */
export function listEntryIds(): string[] {
  const root = path.join(contentDir(), 'entries');
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => EntryId.safeParse(n).success && (fs.existsSync(path.join(root, n, 'report.json')) || fs.existsSync(path.join(root, n, 'refusal.json')))).sort(compareEntryIds);
}

/**
 * Reports already validated in this process, by file: size and mtime when validated. A page
 * rendered after `loadArchive` read the same unchanged file does not pay for a second schema
 * parse (on 10 000 entries the parses and their garbage were a large share of the build).
 */
const validated = new Map<string, { size: number; mtimeMs: number }>();

/**
 * Reads `<content>/entries/<id>/report.json` through the schema (a schema-1 report through its
 * migration); throws with every schema problem listed. A current-schema file validated earlier in
 * this process and unchanged since (same size and mtime) is only JSON-parsed: the schema has no
 * defaults or transforms, so its output equals its input.
 */
export function readReport(id: string): Report {
  const file = path.join(entryDir(id), 'report.json');
  const st = fs.statSync(file);
  const text = fs.readFileSync(file, 'utf8');
  const seen = validated.get(file);
  // Stat before and after the read: a file rewritten meanwhile is parsed in full.
  const after = seen ? fs.statSync(file) : st;
  const same = (a: fs.Stats) => seen !== undefined && seen.size === a.size && seen.mtimeMs === a.mtimeMs;
  const json = JSON.parse(text) as { schemaVersion?: unknown };
  if (same(st) && same(after) && json.schemaVersion === SCHEMA_VERSION) return json as Report;
  const report = parseReport(json, file);
  validated.set(file, { size: st.size, mtimeMs: st.mtimeMs });
  return report;
}

/** A report, or the reason it could not be read (broken JSON, schema mismatch). */
export type ReportResult = { ok: true; report: Report } | { ok: false; error: string };

/** `readReport` that returns the error instead of throwing, so one broken entry does not stop a build. */
export function tryReadReport(id: string): ReportResult {
  try {
    return { ok: true, report: readReport(id) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * The entries this build renders out of `ids`: all of them, or, in an incremental build, those
 * listed in the JSON file named by `EMVR_ONLY_ENTRIES` (scripts/site/build-site.ts writes it).
 */
export function entriesToRender(ids: string[]): string[] {
  const file = process.env.EMVR_ONLY_ENTRIES;
  if (!file) return ids;
  const only = new Set(JSON.parse(fs.readFileSync(file, 'utf8')) as string[]);
  return ids.filter((id) => only.has(id));
}

/**
 * The refusal of `id`: parsed `refusal.json` when the folder has no report.json (a report always
 * wins: the nightly replaces the whole folder, so both only meet in a hand-made folder), else
 * null. Throws when the file does not match its schema.
 */
export function readRefusal(id: string): Refusal | null {
  const dir = entryDir(id);
  const file = path.join(dir, 'refusal.json');
  if (fs.existsSync(path.join(dir, 'report.json')) || !fs.existsSync(file)) return null;
  return parseRefusal(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

/** `readRefusal` that returns the error instead of throwing. */
export function tryReadRefusal(id: string): { ok: true; refusal: Refusal | null } | { ok: false; error: string } {
  try {
    return { ok: true, refusal: readRefusal(id) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

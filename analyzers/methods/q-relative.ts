/**
 * Q_relative (Pintilie et al., Acta Cryst D 81:410, 2025; EMDB and wwPDB): the percentile of a
 * model's average Q-score among the archive's entries (Q_relative_all) and among the entries of
 * similar resolution (Q_relative_resolution).
 *
 * Population: MapQ's table of ~10,000 EMDB entries with their fitted models (σ = 0.6 Å), shipped
 * as analyzers/data/emdb-qscores.csv.gz (see analyzers/data/PROVENANCE.md). Percentile: the share
 * of entries scoring lower, ties counted half (mid-rank), × 100. Similar resolution: the
 * published text available to us does not state the band, so we take the wwPDB's convention for
 * its "similar resolution" percentiles — the 1,000 entries nearest in resolution — with every
 * entry tied with the 1,000th included (reported resolutions repeat: 3.5 Å is common).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The shipped copy (path on disk). */
export const ARCHIVE_Q_FILE = fileURLToPath(new URL('../data/emdb-qscores.csv.gz', import.meta.url));
/** Entries of similar resolution: the nearest this many (and ties). */
export const SIMILAR_RESOLUTION_ENTRIES = 1000;

/** One archive entry. */
export interface ArchiveQ {
  readonly id: string;
  readonly resolution: number;
  readonly q: number;
}

/** The shipped CSV text (emdb_id,resolution,q) from the fixture's CSV (columns by header name). */
export function archiveQFromSource(csv: string): string {
  const lines = csv.trim().split(/\r?\n/u);
  const head = lines[0].split(',');
  const id = head.indexOf('emdb_id'), res = head.indexOf('reported_resolution_A'), q = head.indexOf('q_score');
  if (id < 0 || res < 0 || q < 0) throw new Error('archiveQFromSource: expected columns emdb_id, reported_resolution_A, q_score');
  const out = ['emdb_id,resolution,q'];
  for (const line of lines.slice(1)) {
    const c = line.split(',');
    out.push(`${c[id]},${c[res]},${c[q]}`);
  }
  return `${out.join('\n')}\n`;
}

/** Entries of a `emdb_id,resolution,q` text with both numbers finite. */
export function parseArchiveQ(csv: string): ArchiveQ[] {
  const out: ArchiveQ[] = [];
  for (const line of csv.trim().split(/\r?\n/u).slice(1)) {
    const [id, r, q] = line.split(',');
    const resolution = Number(r), score = Number(q);
    if (r !== '' && q !== '' && Number.isFinite(resolution) && Number.isFinite(score)) out.push({ id, resolution, q: score });
  }
  return out;
}

let cached: ArchiveQ[] | null = null;

/** The shipped archive (read once). */
export function archiveQ(): readonly ArchiveQ[] {
  cached ??= parseArchiveQ(gunzipSync(readFileSync(ARCHIVE_Q_FILE)).toString('utf8'));
  return cached;
}

/** Mid-rank percentile of `q` among `scores`: 100·(#below + #equal/2)/n. */
export function percentileOf(q: number, scores: readonly number[]): number {
  let below = 0, equal = 0;
  for (const s of scores) {
    if (s < q) below++;
    else if (s === q) equal++;
  }
  return (100 * (below + equal / 2)) / scores.length;
}

/** The entries of similar resolution: the `k` nearest to `res`, plus those tied with the k-th. */
export function similarResolution(res: number, archive: readonly ArchiveQ[], k = SIMILAR_RESOLUTION_ENTRIES): ArchiveQ[] {
  if (archive.length <= k) return [...archive];
  const dist = archive.map((e) => Math.abs(e.resolution - res)).sort((a, b) => a - b);
  const edge = dist[k - 1];
  return archive.filter((e) => Math.abs(e.resolution - res) <= edge);
}

/** Q_relative of an average Q at a reported resolution (null when none is reported). */
export interface QRelative {
  readonly all: number;
  readonly allEntries: number;
  readonly resolution: number | null;
  readonly resolutionEntries: number;
  /** Resolution range (Å) of the entries of similar resolution. */
  readonly band: readonly [number, number] | null;
}

export function qRelative(q: number, res: number | null, archive: readonly ArchiveQ[] = archiveQ()): QRelative {
  const all = percentileOf(q, archive.map((e) => e.q));
  if (res === null) return { all, allEntries: archive.length, resolution: null, resolutionEntries: 0, band: null };
  const near = similarResolution(res, archive);
  const rs = near.map((e) => e.resolution);
  return {
    all,
    allEntries: archive.length,
    resolution: percentileOf(q, near.map((e) => e.q)),
    resolutionEntries: near.length,
    band: [Math.min(...rs), Math.max(...rs)],
  };
}

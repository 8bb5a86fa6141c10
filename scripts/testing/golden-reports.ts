/**
 * Golden reports: the full report (figures off) of 9 phantoms (one of them also with simulated half
 * maps, for Level 1) and 6 real EMDB fixtures, kept in
 * scripts/testing/golden/ as gzipped JSON. golden-reports.test.ts re-analyses the same inputs and
 * compares every field but timings and the analyzer version, bit for bit, so a refactoring that
 * changes a number cannot pass unnoticed. The files committed first were written by the schema-1
 * analyzer before the item catalog (read through the v1 migration).
 *
 * When a change of results is intended, re-write them and say why in the commit:
 *   node scripts/testing/golden-reports.ts --update [name…]
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyzeEntry, type AnalyzeEntryInput } from '../../analyzers/items/analyze-entry.ts';
import { parseReport, type Report } from '../../analyzers/report/schema.ts';
import { makePhantom, type PhantomName } from '../../analyzers/simulate/phantoms.ts';
import { simulateHalfMaps } from '../../analyzers/simulate/half-maps.ts';
import { fixture, haveFixtures } from '../../analyzers/testing/fixtures.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';

export const GOLDEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');

/** One golden input: a phantom (seed 7, default box) or a real fixture map with its contour and resolution. */
export type GoldenCase =
  | { readonly name: string; readonly kind: 'phantom'; readonly phantom: PhantomName; /** Design resolution (Å) of simulated half maps, for Level 1. */ readonly halfMaps?: number }
  | { readonly name: string; readonly kind: 'fixture'; readonly id: string; readonly file: string; readonly threshold: number; readonly resolution: number | null };

const PHANTOMS: readonly PhantomName[] = ['well-behaved', 'decentred', 'background-offset', 'noise-blobs', 'b-factor-250', 'b-factor-200', 'b-factor-positive', 'mirrored-hand', 'masked-background'];

export const GOLDEN_CASES: readonly GoldenCase[] = [
  ...PHANTOMS.map((p) => ({ name: `phantom-${p}`, kind: 'phantom' as const, phantom: p })),
  { name: 'phantom-well-behaved-halves-4.5', kind: 'phantom', phantom: 'well-behaved', halfMaps: 4.5 },
  { name: 'EMD-1997', kind: 'fixture', id: 'EMD-1997', file: 'EMD-1997/emd_1997.map', threshold: 1.0, resolution: 7 },
  { name: 'EMD-5168', kind: 'fixture', id: 'EMD-5168', file: 'EMD-5168/emd_5168.map', threshold: 10.0, resolution: 6.6 },
  { name: 'EMD-5170', kind: 'fixture', id: 'EMD-5170', file: 'EMD-5170/emd_5170.map', threshold: 0.61, resolution: null },
  { name: 'EMD-6824', kind: 'fixture', id: 'EMD-6824', file: 'EMD-6824/emd_6824.mrc', threshold: 2, resolution: 5.8 },
  { name: 'EMD-1832', kind: 'fixture', id: 'EMD-1832', file: 'EMD-1832/emd_1832.map', threshold: 0.42, resolution: null },
  { name: 'EMD-44046', kind: 'fixture', id: 'EMD-44046', file: 'EMD-44046/emd_44046.map.gz', threshold: 0.3, resolution: 2.99 },
];

const noMetadata = { title: null, authors: [], depositionDate: null, releaseDate: null, method: null, pdbIds: [] };

/** Analyses one golden case in `work` (figures off) with `analyze` (the test passes the run's shared analysis) and returns its report. */
export async function analyzeGoldenCase(c: GoldenCase, work: string, analyze: (input: AnalyzeEntryInput & { readonly figures: false }) => Promise<Report> = analyzeEntry): Promise<Report> {
  const entryDir = path.join(work, c.name);
  if (c.kind === 'phantom') {
    const p = await makePhantom(c.phantom, { seed: 7 });
    const map = path.join(work, `${c.phantom}.mrc`);
    await writeMrc(map, p.volume);
    let halfMapPaths: [string, string] | undefined;
    if (c.halfMaps !== undefined) {
      const { half1, half2 } = await simulateHalfMaps(p.volume, { resolution: c.halfMaps }, 7);
      halfMapPaths = [path.join(work, `${c.name}-half1.mrc`), path.join(work, `${c.name}-half2.mrc`)];
      await writeMrc(halfMapPaths[0], half1);
      await writeMrc(halfMapPaths[1], half2);
    }
    return analyze({ mapPath: map, halfMapPaths, entryDir, figures: false, entry: { ...noMetadata, id: 'EMD-90000', title: c.phantom, resolution: p.resolution, threshold: p.threshold } });
  }
  return analyze({ mapPath: fixture(c.file), entryDir, figures: false, entry: { ...noMetadata, id: c.id, resolution: c.resolution, threshold: c.threshold } });
}

/** The golden report of a case (schema 1 or 2, parsed through the current schema). */
export async function readGolden(name: string): Promise<Report> {
  const text = gunzipSync(await readFile(path.join(GOLDEN_DIR, `${name}.json.gz`))).toString('utf8');
  return parseReport(JSON.parse(text), `golden ${name}`);
}

/** The parts of a report that a re-analysis must reproduce exactly: all but timings, the analyzer version and the date. */
export function comparable(r: Report): unknown {
  const copy = structuredClone(r) as Report & { provenance: Record<string, unknown> };
  for (const level of Object.values(copy.items)) for (const it of Object.values(level ?? {})) (it as { timing: unknown }).timing = null;
  copy.provenance = { ...copy.provenance, analyzer: { name: 'emvr', version: '' }, runtime: { node: '', platform: '' }, totalSeconds: null, peakRssMB: null };
  delete copy.provenance.analysedOn;
  return copy;
}

async function update(names: readonly string[]): Promise<void> {
  const cases = GOLDEN_CASES.filter((c) => names.length === 0 || names.includes(c.name));
  if (cases.some((c) => c.kind === 'fixture') && !haveFixtures('golden fixture reports')) process.exit(1);
  const work = await mkdtemp(path.join(tmpdir(), 'emvr-golden-'));
  try {
    await mkdir(GOLDEN_DIR, { recursive: true });
    for (const c of cases) {
      const r = await analyzeGoldenCase(c, work);
      await writeFile(path.join(GOLDEN_DIR, `${c.name}.json.gz`), gzipSync(JSON.stringify(comparable(r), null, 1), { level: 9 }));
      console.log(`${c.name}: written`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] !== '--update') {
    console.error('usage: node scripts/testing/golden-reports.ts --update [name…]');
    process.exit(2);
  }
  await update(args.slice(1));
}

/**
 * Builds mirror folders (the layout mirror.ts serves): `<dir>/EMD-N/entry.json` and
 * `<dir>/EMD-N/map/emd_N.map.gz`, written atomically. Sources: simulated phantoms (each with one
 * known defect or a known clean answer) and, when present, the real EMDB fixture maps with their
 * known contour levels. Dates are fixed, so building the same folder twice gives the same bytes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { encodeMrc } from '../../analyzers/volume/to-mrc.ts';
import { readMrc } from '../../analyzers/io/mrc.ts';
import { makePhantom, phantomNames, type Phantom, type PhantomName } from '../../analyzers/simulate/phantoms.ts';
import { toVolume } from '../../analyzers/volume/from-mrc.ts';
import { volumeStats } from '../../analyzers/volume/stats.ts';
import { buildEntryJson, type EntryJsonSpec } from '../emdb/entry-json.ts';
import { checkEmdbId, mapFileName } from '../emdb/ids.ts';

const gzipAsync = promisify(gzip);

/** Writes one entry into a mirror folder: entry JSON (pretty-printed) and, if given, the gzip map bytes. */
export async function writeMirrorEntry(dir: string, id: string, json: unknown, mapGz: Uint8Array | null): Promise<void> {
  checkEmdbId(id);
  await writeFileAtomic(path.join(dir, id, 'entry.json'), `${JSON.stringify(json, null, 2)}\n`);
  if (mapGz !== null) await writeFileAtomic(path.join(dir, id, 'map', mapFileName(id)), mapGz);
}

/** gzip of an MRC byte block at a fixed level (Node writes mtime 0, so the bytes are reproducible). */
export async function gzipMap(mrc: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(mrc, { level: 6 }));
}

/** One simulated entry of a mirror folder and what its report must show. */
export interface SimulatedEntry {
  readonly id: string;
  readonly phantom: PhantomName;
  readonly description: string;
  readonly threshold: number;
  readonly resolution: number | null;
  /** Items that must warn; or that the analysis must refuse the map. */
  readonly expect: Phantom['expect'];
}

/** Accession of the k-th phantom (0-based) in a simulated mirror: EMD-90001, EMD-90002, … */
export function phantomId(k: number, base = 90001): string {
  return `EMD-${base + k}`;
}

/**
 * Adds a simulated entry per phantom name to `dir` (default: every phantom). `box` is the phantom
 * box edge (default: each phantom's own default); `releaseDate` (YYYY-MM-DD) sets release and
 * update dates (default 2024-01-15). Returns the entries with their expected answers.
 */
export async function writeSimulatedEntries(
  dir: string,
  opts: { names?: readonly PhantomName[]; box?: number; seed?: number; idBase?: number; releaseDate?: string; updateDate?: string } = {},
): Promise<SimulatedEntry[]> {
  const names = opts.names ?? phantomNames;
  const out: SimulatedEntry[] = [];
  for (const name of names) {
    const k = phantomNames.indexOf(name);
    const id = phantomId(k, opts.idBase);
    const p = await makePhantom(name, { seed: opts.seed ?? 1, box: opts.box });
    const mrc = encodeMrc(p.volume, { labels: [`emvr simulated phantom ${name}`] });
    const gz = await gzipMap(mrc);
    const s = volumeStats(p.volume.data);
    const spec: EntryJsonSpec = {
      id,
      title: `Simulated phantom "${name}": ${p.description}`,
      authors: ['emvr phantom generator'],
      depositionDate: '2024-01-02',
      releaseDate: opts.releaseDate ?? '2024-01-15',
      updateDate: opts.updateDate,
      resolution: p.resolution,
      contour: p.threshold,
      method: 'singleParticle',
      dims: p.volume.dims,
      voxelSize: p.volume.voxelSize,
      originVoxels: [0, 0, 0],
      statistics: { min: s.min, max: s.max, mean: s.mean, std: s.std },
      sizeKbytes: Math.ceil(gz.length / 1024),
    };
    await writeMirrorEntry(dir, id, buildEntryJson(spec), gz);
    out.push({ id, phantom: name, description: p.description, threshold: p.threshold, resolution: p.resolution, expect: p.expect });
  }
  return out;
}

/** A real EMDB map from ../shared/fixtures/emdb with the contour (and resolution) its provenance gives. */
export interface FixtureEntry {
  readonly id: string;
  /** Path of the map relative to the fixture folder. */
  readonly file: string;
  readonly contour: number;
  readonly resolution: number | null;
  readonly title: string;
}

/** The fixture maps with a known contour level (PROVENANCE.md). */
export const FIXTURE_ENTRIES: readonly FixtureEntry[] = [
  { id: 'EMD-1997', file: 'EMD-1997/emd_1997.map', contour: 1.0, resolution: 7, title: 'GroEL D398A + ATP (real EMDB map from the test fixtures)' },
  { id: 'EMD-5168', file: 'EMD-5168/emd_5168.map', contour: 10.0, resolution: null, title: 'Helical filament, believed to be F-actin (real EMDB map from the test fixtures)' },
  { id: 'EMD-5170', file: 'EMD-5170/emd_5170.map', contour: 0.61, resolution: null, title: 'Helical filament (real EMDB map from the test fixtures)' },
  { id: 'EMD-6824', file: 'EMD-6824/emd_6824.mrc', contour: 2, resolution: 5.8, title: 'Mouse TRPML1 tetramer, normalised copy (real EMDB map from the test fixtures)' },
  { id: 'EMD-44046', file: 'EMD-44046/emd_44046.map.gz', contour: 0.3, resolution: 2.99, title: 'Protein–DNA–RNA complex of PDB 9B0L (real EMDB map from the test fixtures)' },
];

/**
 * Adds the fixture maps found under `fixturesDir` to the mirror folder (gzip-compressed when they
 * are not already). Entries whose file is missing are skipped. Returns the IDs added.
 */
export async function writeFixtureEntries(dir: string, fixturesDir: string): Promise<string[]> {
  const added: string[] = [];
  for (const f of FIXTURE_ENTRIES) {
    const src = path.join(fixturesDir, f.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(src));
    } catch {
      continue;
    }
    const file = await readMrc(src);
    const { volume } = toVolume(file);
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : await gzipMap(bytes);
    const h = file.header;
    const spec: EntryJsonSpec = {
      id: f.id,
      title: f.title,
      authors: [],
      // The fixtures' real dates and authors are not recorded with them: left out rather than invented.
      depositionDate: null,
      releaseDate: null,
      resolution: f.resolution,
      contour: f.contour,
      method: 'singleParticle',
      dims: [h.nx, h.ny, h.nz],
      voxelSize: volume.voxelSize,
      originVoxels: [h.nxstart, h.nystart, h.nzstart],
      sizeKbytes: Math.ceil(gz.length / 1024),
    };
    await writeMirrorEntry(dir, f.id, buildEntryJson(spec), gz);
    added.push(f.id);
  }
  return added;
}

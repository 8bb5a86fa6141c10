/**
 * Reports analysed once per test run: the golden copies, the numpy/scipy cross-checks and the
 * phantom answers analyse the same maps with the same options (the 9 golden phantoms, the 6 real
 * fixtures), in different test files. A report is kept under the run's folder (made empty by
 * scripts/test/global-setup.ts, removed when the run ends, so no report outlives the code that
 * made it), keyed by the sha256 of every input file and every option. Only for callers that read
 * the returned report: figures are off and nothing is left in `entryDir` on a hit. The report comes
 * back through v8 serialisation on a miss as on a hit, so both are the same value bit for bit.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { inject } from 'vitest';
import { analyzeEntry, type AnalyzeEntryInput } from '../../analyzers/items/analyze-entry.ts';
import type { Report } from '../../analyzers/report/schema.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of this run's shared reports ('' when the global setup did not run). */
    analysisCache: string;
  }
}

/** The inputs that decide a report without figures (`entryDir` does not). */
export type SharedAnalysisInput = Omit<AnalyzeEntryInput, 'figures' | 'onStep'> & { readonly figures?: false };

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** JSON with the keys of every object sorted: the same options written in another order give the same key. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

/** Hex key of everything the report depends on: the bytes of the map, half maps and model, and the options. */
export async function analysisKey(input: SharedAnalysisInput): Promise<string> {
  const { mapPath, halfMapPaths, modelPath, entryDir: _dir, figures: _figures, onStep: _onStep, ...options } = input as AnalyzeEntryInput;
  // The report names the map by its file name (a permissive read's notes may name its path); a
  // model that cannot be read, by its path; half maps are taken by path too, to be safe.
  const files = {
    map: await sha256File(mapPath),
    mapName: input.permissive ? mapPath : path.basename(mapPath),
    halfMaps: halfMapPaths ? await Promise.all(halfMapPaths.map(async (p) => [p, await sha256File(p)])) : null,
    model: modelPath ? [modelPath, await sha256File(modelPath)] : null,
  };
  return createHash('sha256').update(canonicalJson({ files, options })).digest('hex');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `analyzeEntry(input)` with figures off, computed once per run for the same inputs. A second test
 * file asking while the first computes waits for it (a lock file holding the owner's pid); without
 * the run's folder (a runner without the global setup) it simply analyses.
 */
export async function sharedAnalysis(input: SharedAnalysisInput): Promise<Report> {
  const analyse = () => analyzeEntry({ ...input, figures: false });
  const dir = inject('analysisCache');
  if (!dir) return deserialize(serialize(await analyse())) as Report;
  const file = path.join(dir, `${await analysisKey(input)}.v8`);
  const lock = `${file}.lock`;
  for (;;) {
    if (existsSync(file)) return deserialize(await readFile(file)) as Report;
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const owner = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (owner > 0 && !alive(owner)) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      const bytes = serialize(await analyse());
      await writeFile(`${file}.tmp-${process.pid}`, bytes);
      await rename(`${file}.tmp-${process.pid}`, file);
      return deserialize(bytes) as Report;
    } finally {
      await rm(lock, { force: true });
    }
  }
}

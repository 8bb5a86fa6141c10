/**
 * Simulated archives for the site benchmarks (bench-build.ts, bench-site.ts): N entries copied from
 * one analysed report with new IDs, titles, resolutions and some 0.c/0.d warnings; figures and
 * maps are shared through symlinked folders (the site build links or copies them into every entry's
 * folder, as it does a real entry's own files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { parseReport, reportItem, type Report } from '../../analyzers/report/schema.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { mulberry32 } from '../../analyzers/util/random.ts';

export const WORDS = ['spike', 'ribosome', 'channel', 'transporter', 'polymerase', 'capsid', 'receptor', 'kinase', 'complex', 'filament', 'nucleosome', 'proteasome', 'helicase', 'antibody', 'Fab', 'dimer', 'trimer', 'membrane', 'bacterial', 'human', 'yeast', 'viral', 'open', 'closed', 'state', 'bound', 'apo', 'inhibitor', 'ATP', 'GTP'];

/** The report every simulated entry copies: the first report of `from`, or a phantom analysed (with figures) in `work`. */
export async function sourceReport(work: string, from: string | undefined): Promise<{ report: Report; dir: string }> {
  if (from) {
    const entries = path.join(from, 'entries');
    const id = fs.readdirSync(entries).sort().find((n) => fs.existsSync(path.join(entries, n, 'report.json')));
    if (!id) throw new Error(`no report under ${entries}`);
    const dir = path.join(entries, id);
    return { report: parseReport(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'))), dir };
  }
  const p = await makePhantom('well-behaved', { seed: 1 });
  const mapPath = path.join(work, 'source.map');
  await writeMrc(mapPath, p.volume);
  const dir = path.join(work, 'source-entry');
  const report = await analyzeEntry({ mapPath, entryDir: dir, figures: true, entry: { id: 'EMD-99999', title: 'source', authors: ['emvr simulator'], depositionDate: '2024-01-01', releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: 'singleParticle', pdbIds: [] } });
  return { report, dir };
}

/**
 * Writes `n` entries derived from `src` into `<content>/entries`, EMD-(10000 + first) onwards
 * (`first` > 0 adds new depositions after an archive of `first` entries).
 */
export function makeArchive(content: string, src: Report, srcDir: string, n: number, first = 0): void {
  const rand = mulberry32(7 + first);
  const entries = path.join(content, 'entries');
  fs.mkdirSync(entries, { recursive: true });
  const shared = ['figures', 'maps', 'viewer'].filter((d) => fs.existsSync(path.join(srcDir, d)));
  for (let j = 0; j < n; j++) {
    const i = first + j;
    const id = `EMD-${10000 + i}`;
    const words = Array.from({ length: 4 + Math.floor(rand() * 6) }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    const r = structuredClone(src);
    r.entry = { ...r.entry, id, title: `Cryo-EM structure of the ${words.join(' ')} (${i})`, resolution: Math.round((1.5 + rand() * 8.5) * 100) / 100, depositionDate: `20${10 + Math.floor(rand() * 15)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}` };
    for (const k of ['0.c', '0.d'] as const) {
      const it = reportItem(r, k);
      if (it && rand() < 0.2 && it.status === 'ok') {
        (r.items['0'] as Record<string, unknown>)[k] = { ...it, status: 'warnings', warnings: [{ code: `${k.replace('.', '')}.bench`, text: `Benchmark warning of ${k}.` }] } as typeof it;
        r.score = { ...r.score, passing: r.score.passing - 1 };
      }
    }
    const dir = path.join(entries, id);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(r));
    for (const d of shared) fs.symlinkSync(path.join(srcDir, d), path.join(dir, d));
  }
}


/**
 * Our model readers (analyzers/io/model-cif.ts, model-pdb.ts) against Mol*'s (`molstar` on npm:
 * `CIF.parseText` + `CIF.schema.mmCIF(frame).atom_site`, and `parsePDB` + `pdbToMmCif` for PDB),
 * each turned into the same `AtomModel` (structure of arrays, first model, auth over label per row)
 * — what `emvr analyze --model` needs from either.
 *
 * usage: node scripts/bench/model-readers.ts [--runs 5] [--json out.json]
 * Inputs: the fixture models (1OEL in EMD-1997, 3ajo in the EMD-20026 crop, 3J6B chain 9 in the
 * EMD-2566 crop, the MODELLER actin of EMD-5168; all PDB files), each also written as mmCIF with the
 * wwPDB `_atom_site` columns (the archive's layout: quoted primed names, `?` / `.` for missing
 * values), plus 1OEL repeated 10× (chains renamed, coordinates shifted) as a ribosome-sized case,
 * and 3ajo edited to hold what the fixtures lack (alternate locations, an insertion code, primed
 * names, a blank chain, a second model).
 * Each reader × file runs in its own process (median parse time over --runs, peak RSS above the
 * process's RSS after the import, import time of the reader's modules); the parent then checks
 * that both readers give the same atoms: count, coordinates, names, residues, chains, insertion
 * codes, B, occupancy, alternate locations, hetero flags, elements.
 * Skips with a message when the fixtures are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AtomModel } from '../../analyzers/io/model.ts';
import { fixturesDir, projectRoot } from '../../analyzers/testing/fixtures.ts';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    json: { type: 'string' },
    child: { type: 'boolean', default: false },
    reader: { type: 'string' },
    file: { type: 'string' },
    dump: { type: 'string' },
  },
});

type Reader = 'ours' | 'molstar';

/** Per-row auth-over-label choice, as model-cif.ts makes it. */
interface Col<T> { isDefined: boolean; value(row: number): T; valueKind(row: number): number }

/** Mol*'s atom_site (first model) as an AtomModel. */
function fromMolstar(as: Record<string, Col<string | number>> & { _rowCount: number }): AtomModel {
  const PRESENT = 0;
  const present = (c: Col<unknown>, i: number) => c.isDefined && c.valueKind(i) === PRESENT;
  const str = (a: Col<string | number>, b: Col<string | number>, i: number): string => String(present(a, i) ? a.value(i) : present(b, i) ? b.value(i) : '');
  const n0 = as._rowCount;
  const model = as.pdbx_PDB_model_num;
  const first = n0 > 0 && present(model, 0) ? model.value(0) : null;
  const rows: number[] = [];
  for (let i = 0; i < n0; i++) if (first === null || !present(model, i) || model.value(i) === first) rows.push(i);
  const n = rows.length;
  const f32 = (c: Col<string | number>, missing: number) => Float32Array.from(rows, (i) => (present(c, i) ? (c.value(i) as number) : missing));
  return {
    count: n,
    x: f32(as.Cartn_x, Number.NaN), y: f32(as.Cartn_y, Number.NaN), z: f32(as.Cartn_z, Number.NaN),
    bFactor: f32(as.B_iso_or_equiv, 0), occupancy: f32(as.occupancy, 1),
    element: rows.map((i) => String(as.type_symbol.value(i)).toUpperCase()),
    atomName: rows.map((i) => str(as.auth_atom_id, as.label_atom_id, i)),
    altLoc: rows.map((i) => (present(as.label_alt_id, i) ? String(as.label_alt_id.value(i)) : '')),
    resName: rows.map((i) => str(as.auth_comp_id, as.label_comp_id, i)),
    chainId: rows.map((i) => str(as.auth_asym_id, as.label_asym_id, i)),
    resSeq: Int32Array.from(rows, (i) => (present(as.auth_seq_id, i) ? (as.auth_seq_id.value(i) as number) : present(as.label_seq_id, i) ? (as.label_seq_id.value(i) as number) : 0)),
    insCode: rows.map((i) => (present(as.pdbx_PDB_ins_code, i) ? String(as.pdbx_PDB_ins_code.value(i)) : '')),
    isHetero: Uint8Array.from(rows, (i) => (as.group_PDB.value(i) === 'HETATM' ? 1 : 0)),
  };
}

/** The reader's parse function, imported inside the child so that its import cost is measured. */
async function loadReader(reader: Reader, format: 'mmcif' | 'pdb'): Promise<(text: string) => Promise<AtomModel>> {
  if (reader === 'ours') {
    if (format === 'mmcif') {
      const { parseMmcif } = await import('../../analyzers/io/model-cif.ts');
      return async (t) => parseMmcif(t);
    }
    const { parsePdb } = await import('../../analyzers/io/model-pdb.ts');
    return async (t) => parsePdb(t);
  }
  const { CIF } = await import('molstar/lib/mol-io/reader/cif.js');
  if (format === 'mmcif') {
    return async (t) => {
      const r = await CIF.parseText(t).run();
      if (r.isError) throw new Error(r.message);
      return fromMolstar(CIF.schema.mmCIF(r.result.blocks[0]).atom_site as never);
    };
  }
  const { parsePDB } = await import('molstar/lib/mol-io/reader/pdb/parser.js');
  const { pdbToMmCif } = await import('molstar/lib/mol-model-formats/structure/pdb/to-cif.js');
  return async (t) => {
    const r = await parsePDB(t).run();
    if (r.isError) throw new Error(r.message);
    return fromMolstar(CIF.schema.mmCIF(await pdbToMmCif(r.result)).atom_site as never);
  };
}

const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;

/** Child: import, parse --runs times, dump the last model, print the measures. */
async function child(): Promise<void> {
  const file = values.file!;
  const format = file.endsWith('.cif') ? 'mmcif' : 'pdb';
  const t0 = performance.now();
  const parse = await loadReader(values.reader as Reader, format);
  const importSeconds = (performance.now() - t0) / 1000;
  const text = await readFile(file, 'utf8');
  const before = rssMiB();
  const seconds: number[] = [];
  let m: AtomModel | null = null;
  for (let r = 0; r < Number(values.runs); r++) {
    const t = performance.now();
    m = await parse(text);
    seconds.push((performance.now() - t) / 1000);
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  await writeFile(values.dump!, JSON.stringify({ ...m!, x: Array.from(m!.x), y: Array.from(m!.y), z: Array.from(m!.z), bFactor: Array.from(m!.bFactor), occupancy: Array.from(m!.occupancy), resSeq: Array.from(m!.resSeq), isHetero: Array.from(m!.isHetero) }));
  process.stdout.write(`${JSON.stringify({ atoms: m!.count, seconds: seconds.sort((a, b) => a - b)[seconds.length >> 1], importSeconds, peakAboveImportMiB: peak - before, peakMiB: peak })}\n`);
}

/** A CIF value as the archive writes it: `?` for missing, quotes round names with a prime or space. */
function cifValue(s: string, missing = '?'): string {
  if (s === '') return missing;
  if (/[\s']/.test(s)) return `"${s}"`;
  if (/^[_#$;[\]]/.test(s) || s === '?' || s === '.') return `'${s}'`;
  return s;
}

/**
 * The model as wwPDB-style mmCIF `_atom_site` (the archive's column set; entity and label_seq left
 * as `?`); with `secondModel`, the atoms again as model 2 (moved by 1 Å), which readers must drop.
 */
function toMmcif(m: AtomModel, name: string, secondModel = false): string {
  const cols = ['group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'label_entity_id', 'label_seq_id', 'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'pdbx_formal_charge', 'auth_seq_id', 'auth_comp_id', 'auth_asym_id', 'auth_atom_id', 'pdbx_PDB_model_num'];
  const out = [`data_${name}`, '#', 'loop_', ...cols.map((c) => `_atom_site.${c}`)];
  for (let model = 1; model <= (secondModel ? 2 : 1); model++) {
    for (let j = 0; j < m.count; j++) {
      out.push([m.isHetero[j] ? 'HETATM' : 'ATOM', j + 1, cifValue(m.element[j]), cifValue(m.atomName[j]), cifValue(m.altLoc[j], '.'), cifValue(m.resName[j]), cifValue(m.chainId[j]), 1, '?', cifValue(m.insCode[j]),
        (m.x[j] + model - 1).toFixed(3), m.y[j].toFixed(3), m.z[j].toFixed(3), m.occupancy[j].toFixed(2), m.bFactor[j].toFixed(2), '?', m.resSeq[j], cifValue(m.resName[j]), cifValue(m.chainId[j]), cifValue(m.atomName[j]), model].join(' '));
    }
  }
  out.push('#', '');
  return out.join('\n');
}

/** `copies` copies of a model, each shifted by 200 Å along x, chains renamed c + copy number. */
function repeated(m: AtomModel, copies: number): AtomModel {
  const rep = <T>(a: ArrayLike<T>, f: (v: T, c: number) => T = (v) => v): T[] => Array.from({ length: copies * m.count }, (_, k) => f(a[k % m.count], Math.floor(k / m.count)));
  return {
    count: copies * m.count,
    x: Float32Array.from(rep(m.x, (v, c) => v + 200 * c)), y: Float32Array.from(rep(m.y)), z: Float32Array.from(rep(m.z)),
    bFactor: Float32Array.from(rep(m.bFactor)), occupancy: Float32Array.from(rep(m.occupancy)),
    element: rep(m.element), atomName: rep(m.atomName), altLoc: rep(m.altLoc), resName: rep(m.resName),
    chainId: rep(m.chainId, (v, c) => `${v}${c}`), resSeq: Int32Array.from(rep(m.resSeq)), insCode: rep(m.insCode), isHetero: Uint8Array.from(rep(m.isHetero)),
  };
}

/**
 * What the fixtures lack, added to a model: every atom of residues 10–19 doubled as alternate
 * locations A (occupancy 0.6) and B (0.4, moved 0.5 Å), an insertion code on residue 30, primed
 * atom names (O5', C1'') on residue 40, and a blank chain on residue 50.
 */
function edited(m: AtomModel): AtomModel {
  const idx: number[] = [], alt: string[] = [];
  for (let j = 0; j < m.count; j++) {
    const doubled = m.resSeq[j] >= 10 && m.resSeq[j] < 20;
    idx.push(j);
    alt.push(doubled ? 'A' : '');
    if (doubled) {
      idx.push(j);
      alt.push('B');
    }
  }
  const pick = <T>(a: ArrayLike<T>) => idx.map((j) => a[j]);
  const out: AtomModel = {
    count: idx.length,
    x: Float32Array.from(idx, (j, k) => m.x[j] + (alt[k] === 'B' ? 0.5 : 0)), y: Float32Array.from(pick(m.y)), z: Float32Array.from(pick(m.z)),
    bFactor: Float32Array.from(pick(m.bFactor)), occupancy: Float32Array.from(idx, (j, k) => (alt[k] === 'A' ? 0.6 : alt[k] === 'B' ? 0.4 : m.occupancy[j])),
    element: pick(m.element), atomName: idx.map((j, k) => (m.resSeq[j] === 40 ? (k % 2 ? "O5'" : "C1''") : m.atomName[j])), altLoc: alt, resName: pick(m.resName),
    chainId: idx.map((j) => (m.resSeq[j] === 50 ? '' : m.chainId[j])), resSeq: Int32Array.from(pick(m.resSeq)), insCode: idx.map((j) => (m.resSeq[j] === 30 ? 'A' : '')), isHetero: Uint8Array.from(pick(m.isHetero)),
  };
  return out;
}

type Dump = Record<string, unknown[]> & { count: number };

/** Where two dumps differ: field names with the first differing atom. */
function differences(a: Dump, b: Dump): string[] {
  if (a.count !== b.count) return [`count ${a.count} vs ${b.count}`];
  const out: string[] = [];
  for (const key of ['x', 'y', 'z', 'bFactor', 'occupancy', 'element', 'atomName', 'altLoc', 'resName', 'chainId', 'resSeq', 'insCode', 'isHetero']) {
    const i = a[key].findIndex((v, k) => v !== b[key][k]);
    if (i >= 0) out.push(`${key} (atom ${i + 1}: ${JSON.stringify(a[key][i])} vs ${JSON.stringify(b[key][i])}; ${a[key].filter((v, k) => v !== b[key][k]).length} atoms)`);
  }
  return out;
}

async function parent(): Promise<void> {
  const fixtures = [
    ['1OEL (EMD-1997)', 'EMD-1997/model/1oel.pdb'],
    ['3ajo (EMD-20026 crop)', 'EMD-20026-crop/model/3ajo_fitted_refined.pdb'],
    ['3J6B chain 9 (EMD-2566 crop)', 'EMD-2566-crop/model/3J6B_9.pdb'],
    ['MODELLER actin (EMD-5168)', 'EMD-5168/derived/3MFP_modeller_monomer.pdb'],
  ].map(([label, rel]) => ({ label, file: path.join(fixturesDir, rel) }));
  if (!fixtures.every((f) => existsSync(f.file))) {
    process.stdout.write(`model-readers: skipped, fixture models not found under ${fixturesDir} (set EMVR_FIXTURES)\n`);
    return;
  }
  const work = await mkdtemp(path.join(tmpdir(), 'emvr-readers-'));
  try {
    const { parsePdb } = await import('../../analyzers/io/model-pdb.ts');
    const inputs: { label: string; file: string }[] = [];
    for (const f of fixtures) {
      const m = parsePdb(await readFile(f.file, 'utf8'), f.file);
      const cif = path.join(work, `${path.basename(f.file, '.pdb')}.cif`);
      await writeFile(cif, toMmcif(m, path.basename(f.file, '.pdb')));
      inputs.push({ label: `${f.label} mmCIF`, file: cif }, { label: `${f.label} PDB`, file: f.file });
      if (f.file.endsWith('3ajo_fitted_refined.pdb')) {
        const alt = path.join(work, '3ajo-edited.cif');
        await writeFile(alt, toMmcif(edited(m), '3ajo-edited', true));
        inputs.push({ label: '3ajo edited (alt locs, insertion code, primed names, blank chain, 2 models) mmCIF', file: alt });
      }
      if (f.file.endsWith('1oel.pdb')) {
        const big = path.join(work, '1oel-x10.cif');
        await writeFile(big, toMmcif(repeated(m, 10), '1oel-x10'));
        inputs.push({ label: '1OEL × 10 mmCIF', file: big });
      }
    }
    process.stdout.write(`model readers, median of ${values.runs} parses per process (text → AtomModel); peak = maxRSS above the RSS after import and read\n\n`);
    process.stdout.write('| model | atoms | ours (s) | Mol* (s) | Mol*/ours | ours peak (MiB) | Mol* peak (MiB) | same atoms |\n|---|---|---|---|---|---|---|---|\n');
    const rows = [];
    const imports: Record<string, number[]> = { ours: [], molstar: [] };
    for (const inp of inputs) {
      const res: Record<string, { atoms: number; seconds: number; importSeconds: number; peakAboveImportMiB: number }> = {};
      for (const reader of ['ours', 'molstar'] as const) {
        const dump = path.join(work, `${reader}.json`);
        const p = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/bench/model-readers.ts'), '--child', '--reader', reader, '--file', inp.file, '--runs', values.runs!, '--dump', dump], { encoding: 'utf8', maxBuffer: 1 << 26 });
        if (p.status !== 0) throw new Error(`${reader} on ${inp.file}: ${p.stderr.slice(-2000)}`);
        res[reader] = JSON.parse(p.stdout.trim().split('\n').pop()!);
        imports[reader].push(res[reader].importSeconds);
      }
      const [a, b] = await Promise.all(['ours', 'molstar'].map(async (r) => JSON.parse(await readFile(path.join(work, `${r}.json`), 'utf8')) as Dump));
      const diff = differences(a, b);
      const o = res.ours, m = res.molstar;
      rows.push({ model: inp.label, atoms: o.atoms, ours: o, molstar: m, same: diff.length === 0, differences: diff });
      process.stdout.write(`| ${inp.label} | ${o.atoms} | ${o.seconds.toFixed(4)} | ${m.seconds.toFixed(4)} | ${(m.seconds / o.seconds).toFixed(2)} | ${o.peakAboveImportMiB.toFixed(0)} | ${m.peakAboveImportMiB.toFixed(0)} | ${diff.length === 0 ? 'yes' : `NO: ${diff.join('; ')}`} |\n`);
    }
    const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
    process.stdout.write(`\nimport time of the reader's modules (median over the processes): ours ${(1000 * med(imports.ours)).toFixed(0)} ms, Mol* ${(1000 * med(imports.molstar)).toFixed(0)} ms\n`);
    if (values.json) await writeFileAtomic(values.json, `${JSON.stringify({ runs: Number(values.runs), rows, importSeconds: imports }, null, 2)}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await (values.child ? child() : parent());

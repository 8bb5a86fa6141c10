/**
 * The implementation of every item of the catalog (report/catalog.ts), found by one convention
 * instead of a second hand-kept list: the implementation of item `L.x` is the one source file
 * `items/level<L>/<Lx>-*.ts` (0.a → items/level0/0a-mass-analysis.ts), next to its spec's twin
 * `report/items/level<L>/<Lx>-*.ts`, and it exports exactly one implementation whose `spec` is
 * the catalog's. Anything else — no file, two files, no or two implementations, another spec,
 * an implementation file without a catalog entry — stops the analyzer at load with the reason,
 * so no test and no analysis can run with an incomplete registry.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ITEM_SPECS, type AnyItemSpec } from '../report/schema.ts';
import type { ItemImplementation } from './item.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = /^(?<stem>[0-9A-Za-z]+)-[a-z0-9-]+\.ts$/u;

/** Source files of a level folder (tests and benchmarks left out), by item stem ("0a"). */
function sourcesByStem(folder: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let names: string[] = [];
  try {
    names = readdirSync(path.join(HERE, folder));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of names) {
    const m = SOURCE.exec(name);
    if (!m || /\.(test|bench)\.ts$/u.test(name)) continue;
    const stem = m.groups!.stem;
    out.set(stem, [...(out.get(stem) ?? []), name]);
  }
  return out;
}

function isImplementation(x: unknown): x is ItemImplementation {
  return typeof x === 'object' && x !== null && 'spec' in x && 'compute' in x && typeof (x as { compute: unknown }).compute === 'function';
}

async function loadImplementations(specs: readonly AnyItemSpec[]): Promise<ItemImplementation[]> {
  const problems: string[] = [];
  const out: ItemImplementation[] = [];
  const folders = new Map<string, Map<string, string[]>>();
  for (const spec of specs) {
    const folder = `level${spec.level}`;
    if (!folders.has(folder)) folders.set(folder, sourcesByStem(folder));
    const stem = spec.id.replace('.', '');
    const files = folders.get(folder)!.get(stem) ?? [];
    if (files.length !== 1) {
      problems.push(`${spec.id}: expected one implementation file items/${folder}/${stem}-*.ts, found ${files.length === 0 ? 'none' : files.join(', ')}`);
      continue;
    }
    const mod = (await import(pathToFileURL(path.join(HERE, folder, files[0])).href)) as Record<string, unknown>;
    const impls = Object.values(mod).filter(isImplementation);
    if (impls.length !== 1) problems.push(`${spec.id}: items/${folder}/${files[0]} exports ${impls.length} implementations, expected 1`);
    else if (impls[0].spec !== spec) problems.push(`${spec.id}: items/${folder}/${files[0]} implements ${impls[0].spec.id}, not the catalog's spec of ${spec.id}`);
    else out.push(impls[0]);
  }
  const known = new Set(specs.map((s) => `level${s.level}/${s.id.replace('.', '')}`));
  for (const [folder, stems] of folders) {
    for (const [stem, files] of stems) if (!known.has(`${folder}/${stem}`)) problems.push(`items/${folder}/${files.join(', ')}: no item ${stem} in the catalog (report/catalog.ts)`);
  }
  if (problems.length > 0) throw new Error(`the item registry is incomplete:\n${problems.join('\n')}`);
  return out;
}

/** Every implementation, in report (catalog) order. */
export const ITEM_IMPLEMENTATIONS: readonly ItemImplementation[] = await loadImplementations(ITEM_SPECS);

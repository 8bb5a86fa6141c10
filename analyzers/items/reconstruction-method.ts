/**
 * What the entry's EMDB method (and applied symmetry) lets the Level 0 criteria expect. The box
 * criteria of 0.a and the one-piece criterion of 0.b assume a single particle centred in a box of
 * solvent; other methods break that assumption by construction, and a warning about it would
 * blame the map for its method. Items turn such a warning into a sentence saying why it is
 * expected (and list its code in `expectedForMethod`), never into silence.
 */
import type { Entry } from '../report/schema.ts';

/** The EMDB structure-determination methods, plus 'unknown' (no or an unrecognised method). */
export type MethodKind = 'singleParticle' | 'helical' | 'subtomogramAveraging' | 'tomography' | 'electronCrystallography' | 'unknown';

/** EMDB spellings (v3 JSON/XML and v1.9 headers), lower-cased. */
const SPELLINGS: Record<string, MethodKind> = {
  singleparticle: 'singleParticle',
  helical: 'helical',
  subtomogramaveraging: 'subtomogramAveraging',
  tomography: 'tomography',
  electroncrystallography: 'electronCrystallography',
  twodcrystal: 'electronCrystallography',
  crystallography: 'electronCrystallography',
};

/** The entry's method; a helical applied symmetry marks a helical reconstruction when the method is missing. */
export function methodKind(entry: Pick<Entry, 'method'> & { readonly symmetry?: string | null }): MethodKind {
  const m = SPELLINGS[(entry.method ?? '').replace(/[\s_-]/gu, '').toLowerCase()];
  if (m !== undefined) return m;
  return /^helical/iu.test(entry.symmetry ?? '') ? 'helical' : 'unknown';
}

/** How a method is named in sentences. */
export const METHOD_NAMES: Record<MethodKind, string> = {
  singleParticle: 'single-particle reconstruction',
  helical: 'helical reconstruction',
  subtomogramAveraging: 'subtomogram average',
  tomography: 'tomogram',
  electronCrystallography: 'electron-crystallography map',
  unknown: 'map of unknown method',
};

/** A map that has no isolated particle to centre: a tomogram, or a crystal's density, fills its box. */
export function fillsItsBox(kind: MethodKind): boolean {
  return kind === 'tomography' || kind === 'electronCrystallography';
}

/** Density that runs through the box along an axis is part of the method: a filament (helical) or the context of a subtomogram (membrane, lattice neighbours). */
export function runsThroughBox(kind: MethodKind): boolean {
  return kind === 'helical' || kind === 'subtomogramAveraging';
}

/** Several separate bodies in the box are part of the method: neighbours of a subtomogram, molecules of a crystal or a tomogram. */
export function holdsSeveralBodies(kind: MethodKind): boolean {
  return kind === 'subtomogramAveraging' || fillsItsBox(kind);
}

/**
 * Whether the enclosed mass can be compared with the sample's weight: only when the box holds one
 * copy of the sample (single particles, or an unknown method). A helical box holds as many
 * subunits as its length allows, a subtomogram its context, a crystal map its cell.
 */
export function boxHoldsTheSample(kind: MethodKind): boolean {
  return kind === 'singleParticle' || kind === 'unknown';
}

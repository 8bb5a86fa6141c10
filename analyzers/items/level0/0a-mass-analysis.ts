/**
 * 0.a Mass analysis (level0-spec.md §4, with this project's decisions): how much empty space the
 * hard mask leaves on each side of the box, how decentred it is, and where the centre of mass of
 * the masked map lies.
 *
 * left = Ts·first occupied index; right = Ts·(N − 1 − last) (the true empty margin; VRS counts one
 * voxel more); decentring = |right − left|/(Ts·N)·100 %; centre of mass = Σ v·M·i / Σ v·M over
 * the map times the hard mask (VRS uses the raw map, meaningless for zero-mean maps);
 * COM decentring = |c − N/2|/N·100 %. Warnings: decentring > 20 %, margins < 20 Å,
 * COM decentring > 20 %.
 *
 * Method-aware (reconstruction-method.ts): along an axis where the density runs through the box
 * (under 20 Å of space on both sides), a helical reconstruction (the filament) or a subtomogram
 * average (its membrane or lattice context) has no empty ends by construction, so the space and
 * decentring warnings of that axis are expected; a tomogram or an electron-crystallography map has
 * no particle to centre, so none of the box warnings apply. Expected warnings become a sentence
 * and are listed in `expectedForMethod`.
 */
import type { Volume } from '../../volume/volume.ts';
import { NotMeasurable } from '../../util/errors.ts';
import { f } from '../../util/format.ts';
import { massAnalysisSpec } from '../../report/items/level0/0a-mass-analysis.ts';
import { implementItem, measured, type ItemResult } from '../item.ts';
import { fillsItsBox, METHOD_NAMES, methodKind, runsThroughBox, type MethodKind } from '../reconstruction-method.ts';

const AXES = ['x', 'y', 'z'] as const;

export function massAnalysis(v: Volume, hard: Uint8Array, method: MethodKind = 'unknown'): ItemResult {
  const [nx, ny, nz] = v.dims;
  const Ts = v.voxelSize;
  const first = [Infinity, Infinity, Infinity];
  const last = [-1, -1, -1];
  const sum = [0, 0, 0];
  let mass = 0;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (hard[i] === 0) continue;
        if (x < first[0]) first[0] = x;
        if (x > last[0]) last[0] = x;
        if (y < first[1]) first[1] = y;
        if (y > last[1]) last[1] = y;
        if (z < first[2]) first[2] = z;
        if (z > last[2]) last[2] = z;
        const w = v.data[i];
        if (w === w) {
          mass += w;
          sum[0] += w * x;
          sum[1] += w * y;
          sum[2] += w * z;
        }
      }
    }
  }
  if (last[0] < 0) throw new NotMeasurable('the hard mask is empty: the threshold is too high, lower it');
  const dims = [nx, ny, nz];
  const leftSpace = AXES.map((_, a) => Ts[a] * first[a]);
  const rightSpace = AXES.map((_, a) => Ts[a] * (dims[a] - 1 - last[a]));
  const decentering = AXES.map((_, a) => (Math.abs(rightSpace[a] - leftSpace[a]) / (Ts[a] * dims[a])) * 100);
  if (!(mass > 0)) throw new NotMeasurable(`the map summed over the hard mask is ${mass}, so its centre of mass is undefined`);
  const centerOfMass = sum.map((s) => s / mass);
  const centerOfMassA = centerOfMass.map((c, a) => v.origin[a] + c * Ts[a]);
  const comDecentering = centerOfMass.map((c, a) => (Math.abs(c - dims[a] / 2) / dims[a]) * 100);

  const warnings: ItemResult['warnings'] = [];
  AXES.forEach((ax, a) => {
    if (decentering[a] > 20) warnings.push({ code: `0a.decentering.${ax}`, text: `The map may be decentred along ${ax.toUpperCase()}: the empty space on the two sides differs by ${f(decentering[a])}% of the box (criterion: at most 20%).` });
  });
  AXES.forEach((ax, a) => {
    if (leftSpace[a] < 20) warnings.push({ code: `0a.left-space.${ax}`, text: `There are only ${f(leftSpace[a])} Å of empty space on the low side of ${ax.toUpperCase()} (criterion: at least 20 Å), which may be too little to correct the CTF.` });
  });
  AXES.forEach((ax, a) => {
    if (rightSpace[a] < 20) warnings.push({ code: `0a.right-space.${ax}`, text: `There are only ${f(rightSpace[a])} Å of empty space on the high side of ${ax.toUpperCase()} (criterion: at least 20 Å), which may be too little to correct the CTF.` });
  });
  AXES.forEach((ax, a) => {
    if (comDecentering[a] > 20) warnings.push({ code: `0a.center-of-mass.${ax}`, text: `The centre of mass is shifted along ${ax.toUpperCase()} by ${f(comDecentering[a])}% of the box from its centre (criterion: at most 20%); typical of local or focused refinement.` });
  });

  const through = AXES.filter((_, a) => leftSpace[a] < 20 && rightSpace[a] < 20);
  const expected = (code: string) => fillsItsBox(method) || (runsThroughBox(method) && /^0a\.(left-space|right-space|decentering)\./u.test(code) && through.some((ax) => code.endsWith(`.${ax}`)));
  const expectedCodes = warnings.filter((w) => expected(w.code)).map((w) => w.code);
  const methodNote = expectedCodes.length === 0 ? [] : [expectedSentence(method, through, expectedCodes)];

  return {
    warnings: warnings.filter((w) => !expected(w.code)),
    values: { leftSpace, rightSpace, decentering, centerOfMass, centerOfMassA, comDecentering, ...(method !== 'unknown' ? { expectedForMethod: expectedCodes } : {}) },
    results: [
      ...methodNote,
      ...AXES.map((ax, a) => `The empty space on the low and high sides of ${ax.toUpperCase()} is ${f(leftSpace[a])} Å and ${f(rightSpace[a])} Å: a decentring (|high − low| / box size) of ${f(decentering[a])}%.`),
      `The centre of mass of the masked map is at (x, y, z) = (${centerOfMass.map((c) => f(c)).join(', ')}) voxels, (${centerOfMassA.map((c) => f(c)).join(', ')}) Å in the map frame. Its distance from the box centre is ${comDecentering.map((c) => f(c)).join(', ')}% of the box along X, Y and Z.`,
    ],
    tables: [],
  };
}

/** Why the warnings `codes` are not raised for this method. */
function expectedSentence(method: MethodKind, through: readonly string[], codes: readonly string[]): string {
  const list = codes.join(', ');
  if (fillsItsBox(method)) return `Expected for a ${METHOD_NAMES[method]}: its density fills the box, with no isolated particle to centre, so the criteria on empty space, decentring and centre of mass do not apply (not raised: ${list}).`;
  const axes = through.map((a) => a.toUpperCase()).join(' and ');
  const why = method === 'helical' ? 'the filament runs through the box' : 'the average carries its context (membrane, neighbouring particles) through the box';
  return `Expected for a ${METHOD_NAMES[method]}: ${why} along ${axes}, so there is no empty space at its ends along ${axes === '' ? 'that axis' : axes} (not raised: ${list}).`;
}

export const massAnalysisItem = implementItem({
  spec: massAnalysisSpec,
  compute: async (ctx) => measured(massAnalysis(ctx.map, ctx.masks.hard, methodKind(ctx.metadata))),
});

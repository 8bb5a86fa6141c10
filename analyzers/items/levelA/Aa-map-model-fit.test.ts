/**
 * A.a and the fit check of A.0 on known answers: a procedural protein simulated into a noisy map
 * (CC_mask at the noise-limited maximum, aligned), the same model moved by 6 Å (loses the fit), a
 * 3-atom model that an origin change would fit (too small to be moved),
 * CCs, map-model FSC and d99 against an independent numpy computation, models that cannot be used
 * (no atoms, 1e9 Å coordinates, all atoms outside the box: not applicable, Level 0 still
 * reported), and the real fixtures (fitted models aligned, GroEL 1OEL in EMD-1997 not aligned).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtomModel } from '../../io/model.ts';
import { readModel } from '../../io/model-read.ts';
import { readMrc } from '../../io/mrc.ts';
import { fitModel, MIN_ORIGIN_SEARCH_ELEMENTS, resolutionElements, type ModelFit } from '../../simulate/model-alignment.ts';
import { modelMapOnGrid, selectAtoms, translateModel } from '../../simulate/model-map.ts';
import { gridAroundModel, simulateMap, type Grid } from '../../simulate/simulate.ts';
import { proceduralProtein } from '../../simulate/protein.ts';
import { fixture, haveFixtures } from '../../testing/fixtures.ts';
import { havePython, runReference } from '../../testing/python.ts';
import { NotApplicable } from '../../util/errors.ts';
import { gaussianSource, mulberry32 } from '../../util/random.ts';
import { toVolume } from '../../volume/from-mrc.ts';
import { writeMrc } from '../../volume/to-mrc.ts';
import type { Volume } from '../../volume/volume.ts';
import { analyzeEntry } from '../analyze-entry.ts';
import { mapModelFit, softAtomMask } from './Aa-map-model-fit.ts';
import { nearestResidueVolume, residueCcVolume, residuesOf, SURFACE_REACH_EXTRA_A } from '../../methods/model-fit.ts';

const RES = 3.5;

/** A procedural protein in a 1 Å box whose centre is 3–4 Å off the model's centre (so the box-centre candidate does not trivially re-centre a moved model). */
async function simulatedCase(): Promise<{ model: AtomModel; grid: Grid; clean: Volume; map: Volume; noiseSigma: number }> {
  // Off (0, 0, 0) too, where the procedural protein is built: no candidate origin is the true placement.
  const model = translateModel(proceduralProtein({ seed: 3 }), [3.3, -2.1, 1.7]);
  const g0 = gridAroundModel(model, 1, 9);
  const grid: Grid = { ...g0, origin: [g0.origin[0] + 3, g0.origin[1] - 2, g0.origin[2] + 2] };
  const clean = await modelMapOnGrid(model, grid, RES);
  // Noise of the same standard deviation as the signal in the atom mask: the best CC_mask is then about 1/√2.
  const fit = (await fitModel(clean, model, RES)) as ModelFit;
  const vox = fit.mask.voxels;
  let s = 0, ss = 0;
  for (const i of vox) {
    s += clean.data[i];
    ss += clean.data[i] ** 2;
  }
  const noiseSigma = Math.sqrt(ss / vox.length - (s / vox.length) ** 2);
  const g = gaussianSource(mulberry32(7));
  const map = { ...clean, data: clean.data.map((x) => x + noiseSigma * g()) };
  return { model, grid, clean, map, noiseSigma };
}

/** CC_mask a perfect model can reach on signal + independent noise: √(var_s / (var_s + σ²)), from the clean map in the mask. */
function noiseLimitedCc(clean: Volume, voxels: Int32Array, noiseSigma: number): number {
  let s = 0, ss = 0;
  for (const i of voxels) {
    s += clean.data[i];
    ss += clean.data[i] ** 2;
  }
  const v = ss / voxels.length - (s / voxels.length) ** 2;
  return Math.sqrt(v / (v + noiseSigma * noiseSigma));
}

let sim: Awaited<ReturnType<typeof simulatedCase>>;
let work = '';
beforeAll(async () => {
  sim = await simulatedCase();
  work = mkdtempSync(path.join(tmpdir(), 'emvr-Aa-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('A.0 fit check and A.a on a simulated map', () => {
  it('the model that made the map: aligned, CC_mask at the noise-limited maximum, FSC 0.5 near the resolution', async () => {
    const fit = (await fitModel(sim.map, sim.model, RES)) as ModelFit;
    const best = noiseLimitedCc(sim.clean, fit.mask.voxels, sim.noiseSigma);
    const m = await mapModelFit(sim.map, fit, RES);
    const v = m.values as Record<string, number | null> & { fit: { status: string } };
    console.log(`simulated: ccMask ${v.ccMask?.toFixed(4)} (noise limit ${best.toFixed(4)}), ccBox ${v.ccBox?.toFixed(3)}, ccVolume ${v.ccVolume?.toFixed(3)}, ccPeaks ${v.ccPeaks?.toFixed(3)}, main ${v.ccMainChain?.toFixed(3)}, side ${v.ccSideChain?.toFixed(3)}, dFsc05 ${v.dFscModel05?.toFixed(2)} Å, dFsc0143 ${v.dFscModel0143?.toFixed(2)} Å, d99 ${v.d99?.toFixed(2)} / masked ${v.d99Masked?.toFixed(2)} Å, residues <0.5: ${v.residuesBelow05?.toFixed(1)} %`);
    expect(v.fit.status).toBe('aligned');
    expect(Math.abs((v.ccMask as number) - best)).toBeLessThan(0.02);
    expect(v.residues).toBeGreaterThan(100);
    expect(m.warnings.map((w) => w.code)).not.toContain('Aa.fsc-optimistic');
    expect(m.notEvaluable).toBeUndefined();
  });

  it('the same model moved by 6 Å loses its fit, and no candidate origin brings it back', async () => {
    const ref = (await fitModel(sim.map, sim.model, RES)) as ModelFit;
    const moved = (await fitModel(sim.map, translateModel(sim.model, [6, 0, 0]), RES)) as ModelFit;
    console.log(`moved 6 Å: ccMask ${moved.ccMaskOriginal?.toFixed(3)} (placed ${ref.ccMask?.toFixed(3)}), status ${moved.status}, candidates ${moved.tried.map((t) => t.ccMask?.toFixed(3)).join(', ')}`);
    expect(moved.ccMaskOriginal as number).toBeLessThan(0.5 * (ref.ccMask as number));
    expect(moved.status).toBe('not-aligned');
    const m = await mapModelFit(sim.map, moved, RES);
    expect(m.warnings.map((w) => w.code)).toEqual(['Aa.not-aligned']);
    expect(m.notEvaluable).toBe('the model is not aligned with the map');
    expect((m.values as { dFscModel05: unknown }).dFscModel05).toBeNull();
  });

  it('a model deposited in another frame (centre at 0,0,0) is found again by the origin search', async () => {
    const c = [0, 1, 2].map((a) => sim.grid.origin[a] + ((sim.grid.dims[a] - 1) * sim.grid.voxelSize[a]) / 2);
    // Centre the box on the model so that the box-centre candidate is the true placement.
    const cm = [sim.model.x, sim.model.y, sim.model.z].map((arr) => arr.reduce((s, x) => s + x, 0) / sim.model.count);
    const centred = translateModel(sim.model, [c[0] - cm[0], c[1] - cm[1], c[2] - cm[2]]);
    const map = { ...(await modelMapOnGrid(centred, sim.grid, RES)) };
    const elsewhere = translateModel(centred, [-c[0], -c[1], -c[2]]);
    const fit = (await fitModel(map, elsewhere, RES)) as ModelFit;
    console.log(`origin search: ccMask ${fit.ccMaskOriginal?.toFixed(3)} → ${fit.ccMask?.toFixed(3)} at (${fit.origin?.map((x) => x.toFixed(1)).join(', ')}), ${fit.status}`);
    expect(fit.status).toBe('aligned-after-origin-change');
    expect(fit.ccMask as number).toBeGreaterThan(0.99);
  });

  it('a 3-atom model is too small for the origin search: a candidate origin fits it, but it is not moved (not aligned)', async () => {
    // Three atoms of the protein, the map simulated from them at the box centre, the model deposited 20 Å away.
    const few = selectAtoms(sim.model, [0, 1, 2]);
    const c = [0, 1, 2].map((a) => sim.grid.origin[a] + ((sim.grid.dims[a] - 1) * sim.grid.voxelSize[a]) / 2);
    const centre = [few.x, few.y, few.z].map((arr) => arr.reduce((s, x) => s + x, 0) / few.count);
    const placed = translateModel(few, [c[0] - centre[0], c[1] - centre[1], c[2] - centre[2]]);
    const map = await modelMapOnGrid(placed, sim.grid, RES);
    const fit = (await fitModel(map, translateModel(placed, [20, 0, 0]), RES)) as ModelFit;
    const best = Math.max(...fit.tried.map((t) => t.ccMask ?? -1));
    console.log(`3 atoms: ccMask ${fit.ccMaskOriginal?.toFixed(3)}, best candidate ${best.toFixed(3)}, ${fit.tooSmallForOriginSearch?.toFixed(1)} resolution elements (minimum ${MIN_ORIGIN_SEARCH_ELEMENTS}), ${fit.status}`);
    expect(best).toBeGreaterThan(0.99);
    expect(fit.status).toBe('not-aligned');
    expect(fit.tooSmallForOriginSearch as number).toBeLessThan(MIN_ORIGIN_SEARCH_ELEMENTS);
    const m = await mapModelFit(map, fit, RES);
    expect(m.warnings.map((w) => w.text).join(' ')).toMatch(/too small for the candidate-origin search/u);
    // The same search on the whole protein (hundreds of elements) does move it: see the test above.
    expect(resolutionElements((await fitModel(sim.map, sim.model, RES) as ModelFit).mask.voxels.length, sim.grid.voxelSize, RES)).toBeGreaterThan(MIN_ORIGIN_SEARCH_ELEMENTS);
  });

  it('the residue-CC surface colour: every voxel above a low contour gets its nearest residue\'s CC (the atom mask alone left some grey)', async () => {
    const fit = (await fitModel(sim.map, sim.model, RES)) as ModelFit;
    const { residues, residueOfAtom } = residuesOf(fit.model);
    const cc = residues.map((_, r) => r / residues.length); // distinct per residue, to see which one coloured a voxel
    const reach = fit.radius + SURFACE_REACH_EXTRA_A;
    const after = nearestResidueVolume(fit.model, sim.map, residueOfAtom, cc, reach);
    const before = residueCcVolume(fit.mask, residueOfAtom, cc, sim.map.data.length);
    // The surface of the map blurred by B = −150 Å² (as deposited maps are) at 5 % of its maximum
    // lies beyond the 3.5 Å atom mask in places, and within the 5.5 Å reach.
    const blurred = await simulateMap(sim.model, sim.grid, { resolution: RES, bFactor: -150 });
    const max = blurred.data.reduce((m, x) => Math.max(m, x), -Infinity);
    let surface = 0, greyBefore = 0, greyAfter = 0, wrong = 0;
    const [nx, ny] = sim.map.dims;
    for (let i = 0; i < after.length; i++) {
      if (blurred.data[i] < 0.05 * max) continue;
      surface++;
      if (Number.isNaN(before[i])) greyBefore++;
      if (Number.isNaN(after[i])) greyAfter++;
      else if (i % 37 === 0) {
        // Brute-force nearest atom for a sample of voxels.
        const x = sim.map.origin[0] + (i % nx) * sim.map.voxelSize[0], y = sim.map.origin[1] + (Math.floor(i / nx) % ny) * sim.map.voxelSize[1], z = sim.map.origin[2] + Math.floor(i / (nx * ny)) * sim.map.voxelSize[2];
        let best = Infinity, atom = -1;
        for (let j = 0; j < fit.model.count; j++) {
          const d2 = (fit.model.x[j] - x) ** 2 + (fit.model.y[j] - y) ** 2 + (fit.model.z[j] - z) ** 2;
          if (d2 < best) [best, atom] = [d2, j];
        }
        if (Math.abs(after[i] - cc[residueOfAtom[atom]]) > 1e-6) wrong++;
      }
    }
    console.log(`residue-CC surface: ${surface} voxels above 5 % of the blurred map's maximum; grey with the atom mask ${greyBefore}, with ${reach} Å reach ${greyAfter}; sampled voxels coloured by another residue than the nearest: ${wrong}`);
    expect(greyBefore).toBeGreaterThan(0);
    expect(greyAfter).toBe(0);
    expect(wrong).toBe(0);
  });

  it('d_model finds the resolution the map was simulated at (2.8 and 5 Å), whatever the model map\'s own (3.5 Å)', async () => {
    const found: string[] = [];
    for (const truth of [2.8, 5]) {
      const clean = await modelMapOnGrid(sim.model, sim.grid, truth);
      const g = gaussianSource(mulberry32(11));
      const map = { ...clean, data: clean.data.map((x) => x + sim.noiseSigma * g()) };
      const fit = (await fitModel(map, sim.model, RES)) as ModelFit;
      const d = (await mapModelFit(map, fit, RES)).values.dModel as number;
      found.push(`${truth} Å → ${d.toFixed(2)} Å`);
      // 3 %: the soft atom mask (radius max(3, 3.5) Å) trims the tails of 5 Å density, which then reads slightly sharper (4.89 Å).
      expect(Math.abs(d - truth), found.join(', ')).toBeLessThan(0.03 * truth);
    }
    console.log(`d_model: ${found.join(', ')}`);
  });

  it.skipIf(!havePython(['numpy'], 'A.a numpy cross-check'))('CCs, masked/unmasked map-model FSC and d99 agree with numpy to 1e-3', async () => {
    const fit = (await fitModel(sim.map, sim.model, RES)) as ModelFit;
    const m = await mapModelFit(sim.map, fit, RES);
    const soft = await softAtomMask(fit, sim.map);
    const mask = Float32Array.from(fit.mask.mask);
    const files = { map: sim.map.data, model: fit.modelMap.data, mask, soft };
    for (const [k, d] of Object.entries(files)) writeFileSync(path.join(work, `${k}.f32`), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    const [nx, ny, nz] = sim.map.dims;
    const ref = JSON.parse(await runReference('model_fit_reference.py', [...['map', 'model', 'mask', 'soft'].map((k) => path.join(work, `${k}.f32`)), String(nx), String(ny), String(nz), String(sim.map.voxelSize[0]), String(RES)])) as Record<string, number | number[]>;
    const v = m.values as Record<string, number>;
    const diffs: string[] = [];
    for (const key of ['ccMask', 'ccBox', 'ccVolume', 'ccPeaks', 'dFscModel0143', 'dFscModel05', 'd99', 'd99Masked', 'dModel']) {
      diffs.push(`${key} ${v[key]?.toFixed(5)} vs ${(ref[key] as number)?.toFixed(5)}`);
      // d_model: both sides search a 0.01 Å grid (ours over FSC shells, numpy per coefficient): one step apart at most.
      const tol = key.startsWith('cc') ? 1e-3 : key === 'dModel' ? 0.0101 : 1e-3 * (ref[key] as number);
      expect(Math.abs(v[key] - (ref[key] as number)), key).toBeLessThan(tol);
    }
    const fm = m.extra.masked!.curve.fsc, fu = m.extra.unmasked!.curve.fsc;
    const maxDiff = Math.max(...Array.from(fm, (x, i) => Math.abs(x - (ref.fscMasked as number[])[i])), ...Array.from(fu, (x, i) => Math.abs(x - (ref.fscUnmasked as number[])[i])));
    console.log(`numpy: ${diffs.join('; ')}; max |ΔFSC| ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-3);
  });
});

describe('models that cannot be used', () => {
  const none: AtomModel = { ...sim0(), count: 0, x: new Float32Array(0), y: new Float32Array(0), z: new Float32Array(0) };
  function sim0(): AtomModel {
    return proceduralProtein({ seed: 3, helices: 1, strands: 0 });
  }
  it('no atoms, 1e9 Å coordinates, all atoms outside the box, more atoms than the box holds: not usable, with the reason', async () => {
    const far = (m: AtomModel, shift: number) => translateModel(m, [shift, 0, 0]);
    const giant = sim0();
    const huge = { ...giant, x: giant.x.map((x, i) => (i === 0 ? 1e9 : x)) };
    const nan = { ...giant, y: giant.y.map((y, i) => (i === 1 ? Number.NaN : y)) };
    const cases: [string, AtomModel, RegExp][] = [
      ['no atoms', none, /no atoms/u],
      ['1e9 Å', huge, /spans/u],
      ['NaN', nan, /non-finite/u],
      ['outside', far(sim.model, 2000), /outside the map's box/u],
    ];
    for (const [name, model, reason] of cases) {
      const fit = await fitModel(sim.map, model, RES);
      expect(fit.usable, name).toBe(false);
      if (!fit.usable) expect(fit.reason, name).toMatch(reason);
      await expect(mapModelFit(sim.map, fit, RES), name).rejects.toThrow(NotApplicable);
    }
    const tiny: Volume = { dims: [4, 4, 4], voxelSize: [1, 1, 1], origin: [0, 0, 0], data: new Float32Array(64) };
    const crowded = await fitModel(tiny, translateModel(sim.model, [-sim.model.x[0], -sim.model.y[0], -sim.model.z[0]]), RES);
    expect(crowded.usable).toBe(false);
    if (!crowded.usable) expect(crowded.reason).toMatch(/more than the map's box/u);
  });

  it('model files whose atoms lie far outside or at 1e9 Å: Level 0 reported, A.a not applicable with the reason naming the file', async () => {
    const mapPath = path.join(work, 'sim.mrc');
    await writeMrc(mapPath, sim.map);
    const c = sim.grid.origin.map((o, a) => o + ((sim.grid.dims[a] - 1) * sim.grid.voxelSize[a]) / 2);
    const atom = (i: number, x: number, y: number, z: number) => `ATOM  ${String(i + 1).padStart(5)}  CA  ALA A${String(i + 1).padStart(4)}    ${x.toFixed(3).padStart(8)}${y.toFixed(3).padStart(8)}${z.toFixed(3).padStart(8)}  1.00 20.00           C`;
    const cases: [string, string[], RegExp][] = [
      ['far.pdb', Array.from({ length: 3 }, (_, i) => atom(i, 9000 + 3.8 * i, 9000, 9000)), /3 of the model's 3 atoms lie outside/u],
      // PDB columns hold 8 characters: 1e9 Å is written the way mmCIF would carry it, as a CIF file.
      ['huge.cif', [], /the model spans 1\.00e\+9 Å/u],
    ];
    const cif = ['data_huge', 'loop_', '_atom_site.group_PDB', '_atom_site.id', '_atom_site.type_symbol', '_atom_site.label_atom_id', '_atom_site.label_comp_id', '_atom_site.auth_asym_id', '_atom_site.auth_seq_id', '_atom_site.Cartn_x', '_atom_site.Cartn_y', '_atom_site.Cartn_z',
      ...Array.from({ length: 3 }, (_, i) => `ATOM ${i + 1} C CA ALA A ${i + 1} ${i === 0 ? '1e9' : (c[0] + 3.8 * i).toFixed(3)} ${c[1].toFixed(3)} ${c[2].toFixed(3)}`)].join('\n');
    const entry = { id: 'EMD-90051', title: null, authors: [], depositionDate: null, releaseDate: null, resolution: RES, threshold: 0.5 * sim.clean.data.reduce((m, x) => Math.max(m, x), -Infinity), method: null, pdbIds: [] };
    for (const [name, lines, reason] of cases) {
      const modelPath = path.join(work, name);
      writeFileSync(modelPath, name.endsWith('.cif') ? `${cif}\n` : `${lines.join('\n')}\nEND\n`);
      const report = await analyzeEntry({ mapPath, modelPath, entryDir: path.join(work, `entry-${name}`), figures: false, entry });
      expect(Object.keys(report.items['0'])).toContain('0.a');
      const aa = report.items.A?.['A.a'];
      expect(aa?.status, name).toBe('not-applicable');
      expect(aa?.reason, name).toContain(`the model is not usable: ${name}: `);
      expect(aa?.reason, name).toMatch(reason);
    }
  });
});

const FIXTURES: readonly { name: string; map: string; model: string; res: number; aligned: boolean }[] = [
  { name: 'EMD-20026 crop + 3ajo', map: 'EMD-20026-crop/emd20026_prot.mrc', model: 'EMD-20026-crop/model/3ajo_fitted_refined.pdb', res: 1.75, aligned: true },
  { name: 'EMD-2566 crop + 3J6B chain 9', map: 'EMD-2566-crop/2566_3J6B_9.mrc', model: 'EMD-2566-crop/model/3J6B_9.pdb', res: 3.2, aligned: true },
  { name: 'EMD-5168 + MODELLER actin', map: 'EMD-5168/emd_5168.map', model: 'EMD-5168/derived/3MFP_modeller_monomer.pdb', res: 6.6, aligned: true },
  { name: 'EMD-1997 + 1OEL (not fitted)', map: 'EMD-1997/emd_1997.map', model: 'EMD-1997/model/1oel.pdb', res: 7, aligned: false },
];

describe.skipIf(!haveFixtures('A.a on the EMDB fixtures'))('A.a on real maps and models', () => {
  for (const c of FIXTURES) {
    it(`${c.name}: ${c.aligned ? 'aligned, CC_mask ≥ 0.4; moved by 3 Å, not aligned' : 'not aligned'}`, async () => {
      const { volume } = toVolume(await readMrc(fixture(c.map)));
      const model = await readModel(fixture(c.model));
      const fit = await fitModel(volume, model, c.res);
      expect(fit.usable).toBe(true);
      const m = await mapModelFit(volume, fit, c.res);
      const v = m.values as Record<string, number | null> & { fit: { status: string; ccMaskOriginal: number } };
      console.log(`${c.name}: ${v.fit.status}, ccMask ${v.ccMask?.toFixed(3)}, ccBox ${v.ccBox?.toFixed(3)}, ccVolume ${v.ccVolume?.toFixed(3)}, ccPeaks ${v.ccPeaks?.toFixed(3)}, dFsc05 ${v.dFscModel05?.toFixed(2)} Å, dFsc0143 ${v.dFscModel0143?.toFixed(2)} Å, d99 ${v.d99?.toFixed(2)} Å, d_model ${v.dModel?.toFixed(2)} Å, residues <0.5 ${v.residuesBelow05?.toFixed(1)} %, outside ${v.atomsOutside}; warnings ${m.warnings.map((w) => w.code).join(', ')}`);
      if (c.aligned) {
        expect(v.fit.status).toBe('aligned');
        expect(v.ccMask as number).toBeGreaterThanOrEqual(0.4);
        // The same model moved by 3 Å (about one atom-mask radius) loses its fit, and no candidate origin restores it.
        const moved = await fitModel(volume, translateModel(model, [3, 0, 0]), c.res);
        expect(moved.usable && moved.status, c.name).toBe('not-aligned');
      } else {
        expect(v.fit.status).toBe('not-aligned');
        expect(v.fit.ccMaskOriginal).toBeLessThan(0.2);
      }
    });
  }
});

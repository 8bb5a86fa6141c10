/**
 * Adding an item takes five files: its spec, its implementation, its test, its method text, and
 * one line in the catalog. This test proves it on a copy of the project: it adds a small item
 * "0.z" (voxels at or above the threshold; answer known: the raw-mask count) with exactly those
 * edits (the copy's own test is this one), analyses a phantom with the copy's CLI, builds the copy's
 * site, and finds the item in report.json (schema-valid for the copy, rejected by the unchanged
 * project), on the entry page, in index.json and all.csv, and on the methods page. A second item,
 * "1.z" of Level 1 (the rms of half1 − half2, known from the half maps written), shows that an item
 * is present exactly when its inputs are: absent from the report of the map alone ("x" in the
 * index, "absent" in all.csv), present as section 3.1 of the report analysed with half maps.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReport } from '../../analyzers/report/schema.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';

const SPEC = `/** 0.z Voxels above the threshold (a test item). */
import { z } from 'zod';
import { defineItem } from '../../item-spec.ts';
import { count } from '../../values.ts';

export const dummySpec = defineItem({
  id: '0.z',
  level: '0',
  title: '0.z Voxels above the threshold',
  inputs: ['map'],
  values: z.strictObject({ voxelsAbove: count }),
  units: { voxelsAbove: 'voxels' },
  explanation: 'Counts the voxels at or above the recommended contour.',
  criteria: 'OK if at least one voxel reaches the contour.',
  warnings: [{ code: '0z.none', when: 'no voxel reaches the contour' }],
  summary: { ok: null, problem: 'its voxel count' },
  display: { results: [{ label: 'Voxels at or above the contour', quantity: 'count', pick: (v) => v.voxelsAbove }], details: [] },
  headlines: [{ column: 'dummyVoxelsAbove', label: '0.z voxels above the threshold', unit: '', pick: (v) => v.voxelsAbove }],
  references: [],
});
`;

const IMPLEMENTATION = `/** 0.z Voxels above the threshold: the size of the raw mask. */
import { dummySpec } from '../../report/items/level0/0z-dummy-count.ts';
import { implementItem, measured } from '../item.ts';

export const dummyItem = implementItem({
  spec: dummySpec,
  compute: async (ctx) => {
    let n = 0;
    for (const b of ctx.masks.raw) n += b;
    return measured({ values: { voxelsAbove: n }, warnings: n > 0 ? [] : [{ code: '0z.none', text: 'No voxel reaches the contour.' }], results: [\`\${n} voxels reach the contour.\`], tables: [] });
  },
});
`;

const SPEC_1 = `/** 1.z RMS of the half-map difference (a test item). */
import { z } from 'zod';
import { defineItem, finite } from '../../item-spec.ts';
import { real } from '../../values.ts';

export const halvesSpec = defineItem({
  id: '1.z',
  level: '1',
  title: '1.z RMS of the half-map difference',
  inputs: ['map', 'halfMaps'],
  values: z.strictObject({ differenceRms: real }),
  units: { differenceRms: 'map units' },
  explanation: 'The root mean square of half map 1 minus half map 2.',
  criteria: 'Always OK.',
  warnings: [],
  summary: { ok: null, problem: 'its half maps' },
  display: { results: [{ label: 'RMS of half map 1 − half map 2', quantity: 'real', pick: (v) => v.differenceRms }], details: [] },
  headlines: [{ column: 'dummyDifferenceRms', label: '1.z RMS of half1 − half2', unit: '', pick: (v) => finite(v.differenceRms) }],
  references: [],
});
`;

const IMPLEMENTATION_1 = `/** 1.z RMS of half1 − half2. */
import { halvesSpec } from '../../report/items/level1/1z-dummy-halves.ts';
import { NotApplicable } from '../../util/errors.ts';
import { implementItem, measured } from '../item.ts';

export const halvesItem = implementItem({
  spec: halvesSpec,
  compute: async (ctx) => {
    if (!ctx.halfMaps) throw new NotApplicable('no half maps');
    const [a, b] = ctx.halfMaps;
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
    const differenceRms = Math.sqrt(s / a.data.length);
    return measured({ values: { differenceRms }, warnings: [], results: [\`The RMS of half1 − half2 is \${differenceRms}.\`], tables: [] });
  },
});
`;

const METHOD = `The item counts the voxels whose value is at least the recommended contour $t$: $n = \\\\#\\\\{v \\\\ge t\\\\}$. Zorblax marker text.\n`;

let tmp = '';
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the project's sources with its own node_modules folder of links (so caches stay apart). */
function copyProject(): string {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-new-item-'));
  for (const p of ['analyzers', 'scripts', 'site', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(projectRoot, p), path.join(tmp, p), { recursive: true, filter: (src) => !src.includes(`${path.sep}golden${path.sep}`) });
  }
  const nm = path.join(tmp, 'node_modules');
  fs.mkdirSync(nm);
  for (const name of fs.readdirSync(path.join(projectRoot, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    fs.symlinkSync(path.join(projectRoot, 'node_modules', name), path.join(nm, name));
  }
  return tmp;
}

/** Inserts `line` after the line of `file` that contains `after`. */
function insertAfter(file: string, after: string, line: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const k = lines.findIndex((l) => l.includes(after));
  expect(k, `${after} in ${file}`).toBeGreaterThanOrEqual(0);
  lines.splice(k + 1, 0, line);
  fs.writeFileSync(file, lines.join('\n'));
}

function run(cwd: string, args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(cwd, 'scripts', 'cli.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, EMVR_THREADS: '1' } });
  expect(r.status, `emvr ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('a new item', () => {
  it('is its spec, implementation, test, method text and one catalog line, and reaches report, page, index, CSV and methods', async () => {
    const dir = copyProject();
    // The five touched files (this test file stands for the item's own test).
    fs.writeFileSync(path.join(dir, 'analyzers/report/items/level0/0z-dummy-count.ts'), SPEC);
    fs.writeFileSync(path.join(dir, 'analyzers/items/level0/0z-dummy-count.ts'), IMPLEMENTATION);
    fs.writeFileSync(path.join(dir, 'site/src/methods/0z.md'), METHOD);
    const catalog = path.join(dir, 'analyzers/report/catalog.ts');
    insertAfter(catalog, "import { handSpec }", "import { dummySpec } from './items/level0/0z-dummy-count.ts';");
    insertAfter(catalog, '  handSpec,', '  dummySpec,');
    // A Level 1 item: spec, implementation, method text and one catalog line again.
    fs.mkdirSync(path.join(dir, 'analyzers/report/items/level1'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'analyzers/items/level1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'analyzers/report/items/level1/1z-dummy-halves.ts'), SPEC_1);
    fs.writeFileSync(path.join(dir, 'analyzers/items/level1/1z-dummy-halves.ts'), IMPLEMENTATION_1);
    fs.writeFileSync(path.join(dir, 'site/src/methods/1z.md'), 'The root mean square of the difference of the two half maps.\n');
    insertAfter(catalog, "import { dummySpec }", "import { halvesSpec } from './items/level1/1z-dummy-halves.ts';");
    insertAfter(catalog, '  dummySpec,', '  halvesSpec,');

    const p = await makePhantom('well-behaved', { seed: 3, box: 80 });
    const map = path.join(dir, 'phantom.mrc');
    await writeMrc(map, p.volume);
    let expected = 0;
    for (const x of p.volume.data) if (x >= p.threshold) expected++;
    const content = path.join(dir, 'content');
    run(dir, ['analyze', '--map', map, '--threshold', String(p.threshold), '--resolution', String(p.resolution), '--id', 'EMD-90042', '--out', content, '--no-figures']);
    // Half maps: the map and the map minus 0.25 everywhere, so |half1 − half2| is 0.25 at every voxel.
    const h1 = path.join(dir, 'half1.mrc');
    const h2 = path.join(dir, 'half2.mrc');
    await writeMrc(h1, p.volume);
    const shifted = p.volume.data.map((x) => x - 0.25);
    await writeMrc(h2, { ...p.volume, data: shifted });
    let ss = 0;
    for (let i = 0; i < shifted.length; i++) ss += (p.volume.data[i] - shifted[i]) ** 2;
    const expectedRms = Math.sqrt(ss / shifted.length);
    expect(expectedRms).toBeCloseTo(0.25, 6);
    run(dir, ['analyze', '--map', map, '--half-maps', h1, h2, '--threshold', String(p.threshold), '--resolution', String(p.resolution), '--id', 'EMD-90043', '--out', content, '--no-figures']);
    const withHalves = JSON.parse(fs.readFileSync(path.join(content, 'entries', 'EMD-90043', 'report.json'), 'utf8'));
    expect(withHalves.items['1']['1.z'].values).toEqual({ differenceRms: expectedRms });
    expect(withHalves.inputs.halfMaps.map((h: { file: string }) => h.file)).toEqual(['half1.mrc', 'half2.mrc']);

    const json = JSON.parse(fs.readFileSync(path.join(content, 'entries', 'EMD-90042', 'report.json'), 'utf8'));
    expect(json.items['1']).toBeUndefined();
    const item = json.items['0']['0.z'];
    expect(item.status).toBe('ok');
    expect(item.values).toEqual({ voxelsAbove: expected });
    expect(item.units).toEqual({ voxelsAbove: 'voxels' });
    expect(json.score.evaluable).toBe(9);
    // The copy's schema knows 0.z; the project's does not, so its schema is derived from the catalog.
    const copySchema = (await import(pathToFileURL(path.join(dir, 'analyzers/report/schema.ts')).href)) as { parseReport: typeof parseReport };
    expect(copySchema.parseReport(json).entry.id).toBe('EMD-90042');
    expect(() => parseReport(json)).toThrow(/0\.z/u);

    const out = path.join(dir, 'dist');
    run(dir, ['build', '--content', content, '--out', out, '--no-pdf', '--no-search']);
    const page = fs.readFileSync(path.join(out, '90', 'EMD-90042', 'index.html'), 'utf8');
    expect(page).toContain('0.z Voxels above the threshold');
    expect(page).toContain(`${expected} voxels reach the contour.`);
    expect(page).not.toContain('1.z RMS');
    const page2 = fs.readFileSync(path.join(out, '90', 'EMD-90043', 'index.html'), 'utf8');
    expect(page2).toMatch(/3\.1<\/span>\s*1\.z RMS of the half-map difference|3\.1 1\.z RMS of the half-map difference/u);
    expect(page2).toContain(`The RMS of half1 − half2 is ${expectedRms}.`);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8')) as { items: string[]; columns: string[]; rows: unknown[][] };
    const after0h = index.items.indexOf('0.h') + 1;
    expect(index.items.slice(after0h, after0h + 2)).toEqual(['0.z', '1.z']);
    expect(index.rows[0][index.columns.indexOf('dummyVoxelsAbove')]).toBe(expected);
    expect((index.rows[0][index.columns.indexOf('status')] as string).at(-1)).toBe('x');
    expect(index.rows[1][index.columns.indexOf('dummyDifferenceRms')]).toBe(expectedRms);
    const csv = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(out, 'all.csv'), 'utf8'), { header: true, skipEmptyLines: true });
    expect(csv.data[0].status_0z).toBe('ok');
    expect(csv.data[0].dummyVoxelsAbove).toBe(String(expected));
    expect(csv.data[0].status_1z).toBe('absent');
    expect(csv.data[1].status_1z).toBe('ok');
    const methods = fs.readFileSync(path.join(out, 'methods', 'index.html'), 'utf8');
    expect(methods).toContain('0.z Voxels above the threshold');
    expect(methods).toContain('Zorblax marker text.');
    expect(methods).toContain('0z.none');
    expect(methods).toContain('Level 1; needs the map and the two half maps.');
  }, 600_000);
});

/**
 * `emvr demo` as a user runs it (a real process, no network): every simulated entry must give the
 * answer its phantom is built to give (exit 0), the entries with half maps record them, the entry
 * with a fitted model records the model the mirror served, and a
 * second run reuses every result. The judgement of one report against its known answer is also
 * checked on its own, including Level 1 items (faked until the analyzer has them).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../analyzers/report/schema.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { judgeReport } from '../commands/demo-run.ts';
import { phantomId, type SimulatedEntry } from '../mirror/mirror-folder.ts';
import { phantomNames } from '../../analyzers/simulate/phantoms.ts';
import { MANIFEST_FILE } from '../site/build-manifest.ts';

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every file under `dir` whose path ends with `suffix`. */
async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && path.join(e.parentPath, e.name).endsWith(suffix)) out.push(path.join(e.parentPath, e.name));
  return out;
}

/**
 * What could not be measured and what was refused reach the reader: the masked phantom's summary
 * and page say 0.c was not measured and why, its CSV row says "not-measured"; the refused phantom
 * has a page with the reason, an index.json and all.csv row "refused", and a search record.
 */
async function checkPublishedFindings(out: string): Promise<void> {
  const refusedId = phantomId(phantomNames.indexOf('threshold-too-high'));
  const maskedId = phantomId(phantomNames.indexOf('masked-background'));
  const site = path.join(out, 'site');
  const masked = JSON.parse(await readFile(path.join(out, 'content', 'entries', maskedId, 'report.json'), 'utf8'));
  expect(masked.summary).toContainEqual(expect.stringMatching(/^0\.c could not be measured: the background is constant .*: the map was masked before deposition, so its noise cannot be tested; it is not counted in the score\.$/u));
  const [maskedPage] = await findFiles(site, `/${maskedId}/index.html`);
  const maskedHtml = await readFile(maskedPage, 'utf8');
  expect(maskedHtml).toMatch(/0\.c could not be measured: the background is constant/u);
  expect(maskedHtml).toMatch(/What could not be measured<\/h3>/u);
  expect(maskedHtml).toMatch(/data-not-measured="0\.c"/u);

  const [refusedPage] = await findFiles(site, `/${refusedId}/index.html`);
  const refusedHtml = await readFile(refusedPage, 'utf8');
  expect(refusedHtml).toMatch(/data-refused="true"/u);
  expect(refusedHtml).toMatch(/<span data-reason[^>]*>threshold [^<]* is too high: no voxel of [^<]* reaches it/u);

  const csv = (await readFile(path.join(site, 'all.csv'), 'utf8')).split('\n');
  const header = csv[0].split(',');
  const rowOf = (id: string) => csv.find((l) => l.startsWith(`${id},`))!.split(',');
  const c = header.indexOf('status_0c');
  expect(rowOf(maskedId)[c]).toBe('not-measured');
  expect(csv.some((l) => /(^|,)failed(,|$)/u.test(l))).toBe(false);
  const refusedRow = rowOf(refusedId);
  expect(header.filter((h) => h.startsWith('status_')).map((h) => refusedRow[header.indexOf(h)])).toEqual(header.filter((h) => h.startsWith('status_')).map(() => 'refused'));

  const index = JSON.parse(await readFile(path.join(site, 'index.json'), 'utf8'));
  const row = index.rows.find((r: unknown[]) => r[0] === refusedId);
  expect(row[index.columns.indexOf('status')]).toBe('r'.repeat(index.items.length));
  const manifest = JSON.parse(await readFile(path.join(site, MANIFEST_FILE), 'utf8'));
  expect(manifest.entries[refusedId].record).toMatchObject({ meta: { entry: refusedId, score: 'refused' }, content: expect.stringMatching(/refused: threshold .* is too high/u) });
  expect(manifest.entries[refusedId].report).toMatch(/^refusal:[0-9a-f]{64}$/u);
}

describe('emvr demo', () => {
  it('analyses the simulated mirror with the expected answer for every phantom, then reuses everything', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-demo-'));
    // scripts/cli.ts registers demo. The phantoms keep their own boxes: smaller ones change the answers (0.a margins).
    const args = [path.join(projectRoot, 'scripts', 'cli.ts'), 'demo', '--out', out, '--no-serve', '--no-figures', '--no-pdf'];
    const first = await run(args);
    expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toMatch(/analysed 13, reused 0, refused 1, failed 0/u);
    expect(first.stdout).toMatch(/every phantom gives its expected answer/u);
    expect(first.stdout.match(/ OK$/gmu)?.length).toBe(14);
    expect(first.stdout).toMatch(/^EMD-90011 half-maps .* OK$/mu);
    expect(first.stdout).toMatch(/^EMD-90012 optimistic-resolution .*1\.a WARN 1\.b WARN .* OK$/mu);
    expect(first.stdout).toMatch(/^EMD-90013 masked-half-maps .* OK$/mu);
    expect(first.stdout).toMatch(/^EMD-90014 fitted-model .*model 9xyz recorded; Level A: fit aligned, CC_mask .* OK$/mu);
    // 13 reports and the refused phantom's refusal.json.
    expect((await readdir(path.join(out, 'content', 'entries'))).length).toBe(14);
    await checkPublishedFindings(out);
    // The model entry: inputs.model is the file the mirror served at the PDB archive path, with its PDB ID.
    const served = createHash('sha256').update(await readFile(path.join(out, 'mirror', '_models', '9xyz.cif.gz'))).digest('hex');
    const withModel = JSON.parse(await readFile(path.join(out, 'content', 'entries', 'EMD-90014', 'report.json'), 'utf8'));
    expect(withModel.inputs.model).toEqual({ file: '9xyz.cif.gz', sha256: served, bytes: expect.any(Number), pdbId: '9xyz' });
    expect(withModel.entry.pdbIds).toEqual(['9xyz']);
    // The masked deposit: 0.e cannot use its zero background, so it takes the noise from the half maps.
    const masked = JSON.parse(await readFile(path.join(out, 'content', 'entries', 'EMD-90013', 'report.json'), 'utf8'));
    expect(masked.items['0']['0.e'].status).toMatch(/^(ok|warnings)$/u);
    expect(masked.items['0']['0.e'].values.noiseSource).toBe('half-maps');
    expect(existsSync(path.join(out, 'ledger.sqlite'))).toBe(true);
    for (const id of ['EMD-90011', 'EMD-90012']) {
      const r = JSON.parse(await readFile(path.join(out, 'content', 'entries', id, 'report.json'), 'utf8'));
      expect(r.inputs.halfMaps.map((h: { file: string }) => h.file)).toEqual([1, 2].map((k) => `emd_${id.slice(4)}_half_map_${k}.map.gz`));
    }
    expect(existsSync(path.join(out, 'cache', 'EMD-90012', 'other', 'emd_90012_half_map_2.map.gz'))).toBe(true);

    const second = await run(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/analysed 0, reused 14, refused 0, failed 0/u);
    expect(second.stderr).toMatch(/reusing the mirror folder/u);
    await rm(out, { recursive: true, force: true });
    // Two whole demo runs (14 analyses on 2 workers, then 14 reuses): beyond the default limit on a busy 2-core machine.
  }, 600_000);
});

describe('demo: judging a report against its known answer', () => {
  it('checks Level 0 warnings, the recorded half maps, and Level 1 warnings once the report has Level 1 items', async () => {
    const golden = path.join(projectRoot, 'scripts', 'testing', 'golden', 'phantom-well-behaved.json.gz');
    const report = parseReport(JSON.parse(gunzipSync(await readFile(golden)).toString('utf8')), 'golden well-behaved');
    const plain: SimulatedEntry = { id: report.entry.id, phantom: 'well-behaved', description: '', threshold: report.entry.threshold, resolution: report.entry.resolution, expect: { warns: [] } };
    expect(judgeReport(plain, report)).toMatchObject({ ok: true, text: expect.stringMatching(/0\.a ok .* expected warnings: none OK$/u) });
    expect(judgeReport({ ...plain, expect: { warns: ['0.a'] } }, report)).toMatchObject({ ok: false, text: expect.stringMatching(/MISMATCH \(Level 0 warnings none\)$/u) });

    const files = ['emd_90011_half_map_1.map.gz', 'emd_90011_half_map_2.map.gz'] as const;
    const sha256 = ['1'.repeat(64), '2'.repeat(64)] as const;
    const withHalves: SimulatedEntry = { ...plain, halfMaps: { files, sha256, design: { resolution: 6 } }, level1Warns: ['1.a'] };
    // Half maps expected but not in the report; then recorded with the wrong hash; then right.
    expect(judgeReport(withHalves, report)).toMatchObject({ ok: false, text: expect.stringMatching(/no half maps in the report/u) });
    const recorded = (sha: readonly string[]): Report => ({ ...report, inputs: { ...report.inputs, halfMaps: [{ file: files[0], sha256: sha[0], bytes: 1 }, { file: files[1], sha256: sha[1], bytes: 1 }] } });
    expect(judgeReport(withHalves, recorded([sha256[0], '3'.repeat(64)])).ok).toBe(false);
    expect(judgeReport(withHalves, recorded(sha256))).toMatchObject({ ok: true, text: expect.stringMatching(/half maps recorded, no Level 1 item in this analyzer yet OK$/u) });
    expect(judgeReport(plain, recorded(sha256))).toMatchObject({ ok: false, text: expect.stringMatching(/half maps in the report of an entry without them/u) });

    // Once Level 1 items exist (faked here: the catalog has none yet), exactly the expected ones must warn.
    const level1 = (status: string) => ({ ...recorded(sha256), items: { ...report.items, 1: { '1.a': { id: '1.a', status } } } }) as unknown as Report;
    expect(judgeReport(withHalves, level1('warnings'))).toMatchObject({ ok: true, text: expect.stringMatching(/1\.a WARN .*Level 1 expected warnings: 1\.a OK$/u) });
    expect(judgeReport(withHalves, level1('ok'))).toMatchObject({ ok: false, text: expect.stringMatching(/MISMATCH \(Level 1 warnings none\)$/u) });
    expect(judgeReport({ ...withHalves, level1Warns: [] }, level1('ok')).ok).toBe(true);
  });

  it('checks Level 0 values against the truth: 0.d B within ±15 Å², 0.e median within ±0.7 Å', async () => {
    const golden = path.join(projectRoot, 'scripts', 'testing', 'golden', 'phantom-well-behaved.json.gz');
    const report = parseReport(JSON.parse(gunzipSync(await readFile(golden)).toString('utf8')), 'golden well-behaved');
    const entry = (expect: SimulatedEntry['expect']): SimulatedEntry => ({ id: report.entry.id, phantom: 'well-behaved', description: '', threshold: report.entry.threshold, resolution: report.entry.resolution, expect });
    const median = report.items['0']!['0.e']!.values.median as number;
    const B = report.items['0']!['0.d']!.values.bFactor as number;
    expect(judgeReport(entry({ warns: [], localResolution: 3.5, bFactor: Math.round(B) }), report)).toMatchObject({ ok: true, text: expect.stringMatching(/values: 0\.d B -?\d+\.\d \(truth -?\d+ Å²\), 0\.e median \d\.\d \(truth 3\.5 Å\) .*OK$/u) });
    expect(judgeReport(entry({ warns: [], localResolution: median + 0.8 }), report)).toMatchObject({ ok: false, text: expect.stringMatching(/MISMATCH \(0\.e median \d\.\d\d Å, truth [\d.]+ Å ± 0\.7\)$/u) });
    expect(judgeReport(entry({ warns: [], bFactor: B + 16 }), report).ok).toBe(false);
    expect(judgeReport(entry({ warns: [], bFactor: B + 14 }), report).ok).toBe(true);
  });

  it('checks the recorded model (file, sha256, PDB ID) and accepts a report without Level A items', async () => {
    const golden = path.join(projectRoot, 'scripts', 'testing', 'golden', 'phantom-well-behaved.json.gz');
    const report = parseReport(JSON.parse(gunzipSync(await readFile(golden)).toString('utf8')), 'golden well-behaved');
    const plain: SimulatedEntry = { id: report.entry.id, phantom: 'well-behaved', description: '', threshold: report.entry.threshold, resolution: report.entry.resolution, expect: { warns: [] } };
    const withModel: SimulatedEntry = { ...plain, model: { pdbId: '9xyz', file: '9xyz.cif.gz', sha256: '4'.repeat(64), atoms: 10 } };
    const recorded = (sha: string, pdbId = '9xyz'): Report => ({ ...report, inputs: { ...report.inputs, model: { file: '9xyz.cif.gz', sha256: sha, bytes: 1, pdbId } } });
    expect(judgeReport(withModel, report)).toMatchObject({ ok: false, text: expect.stringMatching(/no model in the report/u) });
    expect(judgeReport(withModel, recorded('5'.repeat(64))).ok).toBe(false);
    expect(judgeReport(withModel, recorded('4'.repeat(64), '9abc')).ok).toBe(false);
    expect(judgeReport(withModel, recorded('4'.repeat(64)))).toMatchObject({ ok: true, text: expect.stringMatching(/model 9xyz recorded, no Level A item in this analyzer yet OK$/u) });
    expect(judgeReport(plain, recorded('4'.repeat(64)))).toMatchObject({ ok: false, text: expect.stringMatching(/a model in the report of an entry without one/u) });
  });
});

/**
 * The first print of many PDFs, split in slices (Slurm array tasks) and killed mid-way: started
 * again it prints only what is missing, never publishes a half-written PDF, and ends with the same
 * bytes as one uninterrupted print. Six one-page entries, one tab. Skips visibly without Chromium.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { chromiumPath } from './browser.ts';
import { foldJournals, inSlice, printPdfs, readManifest } from './print-pdfs.ts';

const haveChromium = chromiumPath() !== null;
if (!haveChromium) console.warn('SKIPPED resumable PDF print: no Chromium (install Debian "chromium" or set EMVR_CHROMIUM)');

const IDS = ['EMD-5101', 'EMD-5102', 'EMD-5103', 'EMD-5104', 'EMD-5105', 'EMD-5106'];
const CLI = path.join(projectRoot, 'scripts', 'site', 'print-pdfs-cli.ts');
const NODE = path.join(projectRoot, 'node_modules', '.bin', 'node');

describe('slices and journals', () => {
  it('gives every position to exactly one slice', () => {
    const owners = Array.from({ length: 7 }, (_, p) => [0, 1, 2].filter((i) => inSlice(p, { index: i, count: 3 })));
    expect(owners).toEqual([[0], [1], [2], [0], [1], [2], [0]]);
    expect(inSlice(5, undefined)).toBe(true);
  });
});

describe.skipIf(!haveChromium)('a first print killed and resumed', () => {
  let root = '';
  let site = '';
  let content = '';
  const f = fanOut();
  /** Runs the CLI; resolves with its exit code and stdout. */
  const cli = (args: string[], onStart?: (pid: number) => void) =>
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const p = spawn(NODE, [CLI, '--site', site, '--content', content, '--ids', IDS.join(','), '--tabs', '1', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('error', reject);
      p.on('exit', (code) => resolve({ code, out }));
      onStart?.(p.pid as number);
    });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'emvr-print-resume-'));
    site = path.join(root, 'site');
    content = path.join(root, 'content');
    for (const id of IDS) {
      await mkdir(path.join(site, entryFolder(id, f)), { recursive: true });
      await mkdir(path.join(content, 'entries', id), { recursive: true });
      const rows = Array.from({ length: 40 }, (_, k) => `<tr><td>${k}</td><td>${(k * 0.37).toFixed(2)} Å</td></tr>`).join('');
      await writeFile(path.join(site, entryFolder(id, f), 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>${id}</title></head><body><h1 class="entry-title">${id}: a test entry</h1><table>${rows}</table></body></html>`);
      await writeFile(path.join(content, 'entries', id, 'report.json'), JSON.stringify({ id, provenance: { analyzer: { version: 'test' } } }));
    }
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('ends with the bytes of an uninterrupted print, re-printing none that was journalled', async () => {
    const whole = path.join(root, 'cache-whole');
    const s = await printPdfs({ siteDir: site, base: '/', contentDir: content, cacheDir: whole, ids: IDS, tabs: 1, folderOf: (id) => entryFolder(id, f) }, projectRoot);
    expect(s.failed).toEqual([]);
    expect(s.printed).toBe(IDS.length);
    for (const id of IDS) await rm(path.join(site, entryFolder(id, f), `${id}.pdf`));

    const cache = path.join(root, 'cache-sliced');
    const slice0 = ['--cache', cache, '--array-index', '0', '--array-count', '2'];
    // Slice 0 (EMD-5101, 5103, 5105) is killed with its Chromium as soon as its first PDF is journalled.
    let pid = 0;
    const killed = cli(slice0, (p) => (pid = p));
    const journal = path.join(cache, 'printed-0.jsonl');
    for (let t = 0; t < 600 && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('\n')); t++) await sleep(50);
    process.kill(-pid, 'SIGKILL');
    expect((await killed).code).toBeNull();
    const before = readManifest(cache);
    expect(foldJournals(cache, before).map((j) => path.basename(j))).toEqual(['printed-0.jsonl']);
    const printedBeforeKill = Object.keys(before.entries);
    expect(printedBeforeKill.length).toBeGreaterThanOrEqual(1);
    expect(printedBeforeKill.length).toBeLessThan(3);
    // Only whole PDFs under their own name: a journalled one is complete.
    for (const id of printedBeforeKill) expect(Buffer.compare(await readFile(path.join(cache, `${id}.pdf`)), await readFile(path.join(whole, `${id}.pdf`)))).toBe(0);

    const other = await cli(['--cache', cache, '--array-index', '1', '--array-count', '2']);
    expect(other.code).toBe(0);
    expect(JSON.parse(other.out)).toMatchObject({ slice: '1/2', printed: 3, reused: 0 });
    const resumed = await cli(slice0);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({ slice: '0/2', printed: 3 - printedBeforeKill.length, reused: printedBeforeKill.length });
    // No slice run places PDFs in the site; the merging run prints nothing and does.
    expect(IDS.some((id) => existsSync(path.join(site, entryFolder(id, f), `${id}.pdf`)))).toBe(false);
    const merged = await cli(['--cache', cache]);
    expect(JSON.parse(merged.out)).toMatchObject({ slice: null, printed: 0, reused: IDS.length, failed: [] });

    for (const id of IDS) {
      expect(Buffer.compare(await readFile(path.join(site, entryFolder(id, f), `${id}.pdf`)), await readFile(path.join(whole, `${id}.pdf`)))).toBe(0);
    }
    expect(Object.keys(readManifest(cache).entries).sort()).toEqual(IDS);
    expect(readdirSync(cache).filter((n) => n.endsWith('.jsonl') || n.includes('.tmp-'))).toEqual([]);
  }, 240_000);

  it("takes the site build's report hashes: an unchanged report is not read again, a changed one is re-printed, a placed PDF left as it is", async () => {
    const two = IDS.slice(0, 2);
    const reportOf = (id: string) => path.join(content, 'entries', id, 'report.json');
    const pdfOf = (id: string) => path.join(site, entryFolder(id, f), `${id}.pdf`);
    const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const opts = { siteDir: site, base: '/', contentDir: content, cacheDir: path.join(root, 'cache-hashes'), ids: two, tabs: 1, folderOf: (id: string) => entryFolder(id, f) };
    const hashes = new Map(two.map((id) => [id, sha(reportOf(id))]));
    expect(await printPdfs({ ...opts, reportHashes: hashes }, projectRoot)).toMatchObject({ printed: 2, failed: [] });
    const placed = statSync(pdfOf(two[0])).ino;
    const kept = readFileSync(reportOf(two[0]));
    // Not JSON any more, but the build's hash says unchanged: reused unread (read, it would hash differently and be re-printed).
    await writeFile(reportOf(two[0]), 'not json');
    await writeFile(reportOf(two[1]), JSON.stringify({ id: two[1], provenance: { analyzer: { version: 'test 2' } } }));
    hashes.set(two[1], sha(reportOf(two[1])));
    expect(await printPdfs({ ...opts, reportHashes: hashes }, projectRoot)).toMatchObject({ printed: 1, reused: 1, failed: [] });
    expect(statSync(pdfOf(two[0])).ino).toBe(placed);
    expect(readManifest(opts.cacheDir).entries[two[1]].analyzer).toBe('test 2');
    await writeFile(reportOf(two[0]), kept);
  }, 120_000);
});

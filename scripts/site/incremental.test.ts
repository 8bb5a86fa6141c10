/**
 * The site build at archive scale, on twelve simulated entries with a folder limit of 4: entry
 * pages and search shards fanned out so no growing folder holds more than the limit; an
 * incremental build after changed, new and removed entries renders only those (plus one anchor
 * page) and gives the same files and bytes as a clean full build; an incremental build killed with
 * SIGKILL (during Astro, and half-way through moving folders in) and run again gives them too.
 * Search across the shards is checked in Chromium when it is installed.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { makeRefusal } from '../../analyzers/report/refusal.ts';
import type { Report } from '../../analyzers/report/schema.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { chromiumPath, launchChromium } from './browser.ts';
import { MANIFEST_FILE } from './build-manifest.ts';
import { buildSite, PROJECT_ROOT } from './build-site.ts';
import { startStaticServer } from './static-server.ts';

const LIMIT = 4;
const F = fanOut(LIMIT);
const FIRST = 10_000;
const COUNT = 12;

/** Every file and folder under `root`: relative path → sha256 of the bytes ("dir" for folders). */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      if (fs.statSync(full).isDirectory()) {
        out.set(rel, 'dir');
        walk(full);
      } else out.set(rel, crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

/** Number of names in each folder of `root`, by relative path. */
function folderSizes(root: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [rel, kind] of tree(root)) if (kind === 'dir') sizes.set(rel, fs.readdirSync(path.join(root, rel)).length);
  sizes.set('', fs.readdirSync(root).length);
  return sizes;
}

describe('site build: fan-out, incremental rebuild, kill -9', () => {
  let tmp = '';
  let content = '';
  let source: Report;
  const build = (out: string, extra: Partial<Parameters<typeof buildSite>[0]> = {}) => buildSite({ content, out, pdf: false, maxFilesPerDirectory: LIMIT, log: () => undefined, ...extra });

  /** Clean full builds by the content they were made from (each folder left as built). */
  const fullBuilds = new Map<string, string>();
  const contentKey = () => JSON.stringify([...tree(content)]);
  /** A clean full build into the new folder `out`, remembered for `startFrom`. */
  async function fullBuild(out: string): Promise<Awaited<ReturnType<typeof buildSite>>> {
    const key = contentKey();
    const s = await build(out);
    expect(s.mode).toBe('full');
    fullBuilds.set(key, out);
    return s;
  }
  /**
   * `out` as a full build of the content now: a copy of an earlier clean build of the same content
   * when there is one (a site build is the same bytes wherever it is made: the incremental tests
   * compare whole trees with a clean build in another folder), else built.
   */
  async function startFrom(out: string): Promise<void> {
    const done = fullBuilds.get(contentKey());
    if (done === undefined) await fullBuild(out);
    else fs.cpSync(done, out, { recursive: true });
  }

  /** Writes entry `n` as a copy of the analysed report with its own ID and title. */
  function writeEntry(n: number, title = `Simulated entry number ${n}`): void {
    const id = `EMD-${n}`;
    const dir = path.join(content, 'entries', id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ ...source, entry: { ...source.entry, id, title } }));
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-incremental-'));
    content = path.join(tmp, 'content');
    const p = await makePhantom('well-behaved', { seed: 1 });
    const mapPath = path.join(tmp, 'source.map');
    await writeMrc(mapPath, p.volume);
    source = await analyzeEntry({ mapPath, entryDir: path.join(tmp, 'source'), figures: false, entry: { id: 'EMD-99999', title: 'source', authors: ['emvr simulator'], depositionDate: '2024-01-01', releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: 'singleParticle', pdbIds: [] } });
    for (let i = 0; i < COUNT; i++) writeEntry(FIRST + i);
  }, 300_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('fans entry pages and search shards out so that no growing folder holds more than the limit', async () => {
    const out = path.join(tmp, 'fan');
    const s = await fullBuild(out);
    expect([s.mode, s.entries, s.rendered]).toEqual(['full', COUNT, COUNT]);
    const sizes = folderSizes(out);
    // Folders that grow with the archive: the root (group folders), each group folder, the search folder, each shard's fragments.
    const groups = fs.readdirSync(out).filter((n) => /^\d+$/u.test(n)).sort();
    expect(groups).toEqual(['2500', '2501', '2502']);
    for (const g of groups) expect(sizes.get(g)).toBe(LIMIT);
    expect(fs.readdirSync(out).filter((n) => n.startsWith('EMD-'))).toEqual([]);
    const shards = JSON.parse(fs.readFileSync(path.join(out, 'pagefind', 'shards.json'), 'utf8')) as string[];
    expect(shards).toEqual(['s2500', 's2501', 's2502']);
    for (const sh of shards) expect(sizes.get(path.join('pagefind', sh, 'fragment'))).toBe(LIMIT);
    const growing = [...sizes].filter(([rel]) => rel === 'pagefind' || /^\d+$/u.test(rel) || /fragment$/u.test(rel));
    expect(Math.max(...growing.map(([, n]) => n))).toBeLessThanOrEqual(LIMIT);
    // Every entry page is where entry-path.ts says, and links its own downloads there.
    for (let i = 0; i < COUNT; i++) {
      const id = `EMD-${FIRST + i}`;
      const html = fs.readFileSync(path.join(out, entryFolder(id, F), 'index.html'), 'utf8');
      expect(html).toContain(`/${entryFolder(id, F)}/report.json`);
    }
  }, 300_000);

  it('an incremental build renders only new and changed entries and equals a clean full build', async () => {
    const out = path.join(tmp, 'inc');
    await startFrom(out);
    const untouched = path.join(out, entryFolder(`EMD-${FIRST + 7}`, F), 'index.html');
    const before = fs.statSync(untouched);
    const manifestBefore = fs.readFileSync(path.join(out, MANIFEST_FILE), 'utf8');
    // Nothing changed: only the anchor page is rendered, no shard re-indexed, the site unchanged.
    const same = tree(out);
    const noop = await build(out);
    expect([noop.mode, noop.rendered, noop.removed, noop.shardsIndexed]).toEqual(['incremental', 1, 0, 0]);
    // The anchor page's folder is replaced, so its glance.json is written again (same bytes).
    expect(noop.glance.written).toBe(1);
    expect(tree(out)).toEqual(same);
    // Two changed titles, one removed entry, one new entry in a new group and shard.
    writeEntry(FIRST + 1, 'A changed title about a ribosome');
    writeEntry(FIRST + 9, 'Another changed title');
    fs.rmSync(path.join(content, 'entries', `EMD-${FIRST + 5}`), { recursive: true });
    writeEntry(FIRST + 20, 'A new entry');
    const s = await build(out);
    expect([s.mode, s.entries, s.removed]).toEqual(['incremental', COUNT, 1]);
    expect(s.rendered).toBe(3 + 1);
    // The entries are copies (equal values, so equal percentiles) and their number is unchanged: the
    // others' glance.json keep their bytes; only the rendered folders get theirs.
    expect([s.glance.written, s.glance.unchanged]).toEqual([s.rendered, COUNT - s.rendered]);
    expect(s.shardsIndexed).toBe(4);
    const after = fs.statSync(untouched);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(fs.readFileSync(path.join(out, MANIFEST_FILE), 'utf8')).not.toBe(manifestBefore);
    const clean = path.join(tmp, 'inc-clean');
    await fullBuild(clean);
    const a = tree(out);
    expect(a.has(path.join(entryFolder(`EMD-${FIRST + 5}`, F), 'index.html'))).toBe(false);
    expect(a.has(path.join(entryFolder(`EMD-${FIRST + 20}`, F), 'index.html'))).toBe(true);
    expect(a).toEqual(tree(clean));
    expect(fs.readdirSync(tmp).filter((n) => /\.(building|trash)/u.test(n))).toEqual([]);

    // A refused entry (refusal.json) is keyed on that file: new, it is rendered; unchanged, it is
    // not; with another reason, it is rendered again.
    const refusedId = `EMD-${FIRST + 30}`;
    const writeRefusal = (reason: string) => {
      fs.mkdirSync(path.join(content, 'entries', refusedId), { recursive: true });
      fs.writeFileSync(path.join(content, 'entries', refusedId, 'refusal.json'), JSON.stringify(makeRefusal({ id: refusedId, title: 'Refused map', authors: [], depositionDate: null, releaseDate: null, resolution: 4, threshold: 9, method: null }, 'analysis', reason, '1')));
    };
    const refusedPage = path.join(out, entryFolder(refusedId, F), 'index.html');
    writeRefusal('threshold 9 is too high: no voxel of emd.map reaches it (map maximum 1); lower it');
    const r1 = await build(out);
    expect([r1.mode, r1.rendered, r1.entries]).toEqual(['incremental', 2, COUNT + 1]);
    expect(fs.readFileSync(refusedPage, 'utf8')).toMatch(/threshold 9 is too high/u);
    const r2 = await build(out);
    expect(r2.rendered).toBe(1);
    writeRefusal('threshold 9 is too high: no voxel of emd.map reaches it (map maximum 2); lower it');
    const r3 = await build(out);
    expect(r3.rendered).toBe(2);
    expect(fs.readFileSync(refusedPage, 'utf8')).toMatch(/map maximum 2\)/u);
    fs.rmSync(path.join(content, 'entries', refusedId), { recursive: true });
  }, 600_000);

  /** `emvr build` as a child process, SIGKILLed when `killWhen` first holds (polled) or by its own hook. */
  async function killedBuild(out: string, killWhen: (() => boolean) | null, env: NodeJS.ProcessEnv = {}): Promise<NodeJS.Signals | null> {
    const args = [path.join(PROJECT_ROOT, 'scripts', 'cli.ts'), 'build', '--content', content, '--out', out, '--no-pdf', '--max-dir-files', String(LIMIT)];
    // Its own process group, killed whole (as a killed job loses its children): an Astro child
    // left running would go on writing into the staging folder the next build starts from.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env }, detached: true });
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    if (killWhen) {
      for (let i = 0; i < 2400 && child.exitCode === null && child.signalCode === null; i++) {
        if (killWhen()) {
          killGroup();
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const signal = await exited;
    killGroup();
    expect(signal, stderr).toBe('SIGKILL');
    return signal;
  }

  it('an incremental build killed during Astro or half-way through its moves is finished by the next build', async () => {
    const out = path.join(tmp, 'kill');
    const clean = path.join(tmp, 'kill-clean');
    await startFrom(out);
    // Killed while Astro renders (the manifest already forgets the changed entries).
    writeEntry(FIRST + 2, 'Changed before the first kill');
    fs.rmSync(path.join(content, 'entries', `EMD-${FIRST + 3}`), { recursive: true });
    await killedBuild(out, () => fs.existsSync(`${out}.building`));
    expect(fs.existsSync(`${out}.building`)).toBe(true);
    // Killed again before its fourth rename (some folders replaced, others not), after more changes.
    writeEntry(FIRST + 6, 'Changed before the second kill');
    writeEntry(FIRST + 30, 'New before the second kill');
    await killedBuild(out, null, { EMVR_SITE_BUILD_KILL_AFTER: '3' });
    expect(fs.existsSync(`${out}.trash`)).toBe(true);
    const s = await build(out);
    expect(s.mode).toBe('incremental');
    await build(clean);
    expect(tree(out)).toEqual(tree(clean));
    expect(fs.readdirSync(tmp).filter((n) => /^kill.*\.(building|trash)/u.test(n))).toEqual([]);
  }, 600_000);

  it.skipIf(chromiumPath() === null)('search finds entries of every shard in the browser, an ID alone; an entry page draws its "at a glance" panel', async () => {
    const out = path.join(tmp, 'inc');
    const server = await startStaticServer({ dir: out });
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(server.url, { waitUntil: 'load' });
      for (const n of [FIRST, FIRST + 6, FIRST + 20]) {
        const id = `EMD-${n}`;
        await page.$eval('#search-input', (e) => {
          (e as unknown as { value: string }).value = '';
        });
        await page.type('#search-input', id);
        await page.keyboard.press('Enter');
        await page.waitForFunction((t) => (((globalThis as unknown as { document: { getElementById(i: string): { textContent: string } | null } }).document.getElementById('search-status')?.textContent) ?? '').includes(t), { timeout: 30_000 }, id);
        const hrefs = await page.$$eval('#search-results a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
        // Exactly that entry: without the ID rule of search.ts, the shards lacking the number would add their "EMD" entries.
        expect(hrefs).toEqual([`/${entryFolder(id, F)}/`]);
        expect(await page.$eval('#search-status', (e) => e.textContent)).toBe(`1 entry matches “${id}”.`);
      }
      // The "at a glance" panel is drawn from the entry's glance.json by the page's script.
      await page.goto(`${server.url}${entryFolder(`EMD-${FIRST}`, F)}/`, { waitUntil: 'load' });
      await page.waitForSelector('.glance[data-state="ready"]', { timeout: 30_000 });
      const columns = await page.$$eval('.glance-table tr[data-column]', (trs) => trs.map((t) => t.getAttribute('data-column')));
      expect(columns).toContain('maxDecentering');
      expect(await page.$eval('.glance-note', (e) => e.textContent)).toContain(`Among the ${COUNT} entries published in this archive`);
    } finally {
      await browser?.close();
      await server.close();
    }
  }, 120_000);
});
if (chromiumPath() === null) console.warn('SKIPPED browser search check: no Chromium (install Debian "chromium" or set EMVR_CHROMIUM)');

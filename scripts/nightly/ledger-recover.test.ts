/**
 * Issue 23, fault 2: a corrupt ledger.sqlite used to stop every run (exit 70, no file name). Now
 * it is detected (not a database, or pages failing SQLite's quick check), set aside with a message
 * naming the file, and a new ledger is rebuilt from the published reports, so a rerun reuses
 * them instead of re-analysing, and the run goes on.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { startMirror, type Mirror } from '../mirror/mirror.ts';
import { writeSimulatedEntries } from '../mirror/mirror-folder.ts';
import { Ledger, LedgerCorruptError } from './ledger.ts';
import { runNightly, type NightlyOptions } from './pipeline.ts';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});
async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

describe('Ledger.open on a damaged file', () => {
  it('a file that is not a database is refused naming the file', async () => {
    const file = path.join(await tmp('emvr-ledger-bad-'), 'ledger.sqlite');
    await writeFile(file, Buffer.alloc(8192, 0x37));
    expect(() => Ledger.open(file)).toThrow(LedgerCorruptError);
    expect(() => Ledger.open(file)).toThrow(`${file} is corrupt (file is not a database)`);
  });

  it('a database whose table pages are overwritten fails the quick check, naming the file', async () => {
    const file = path.join(await tmp('emvr-ledger-pages-'), 'ledger.sqlite');
    const db = new DatabaseSync(file);
    db.exec('PRAGMA page_size = 4096; CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t(x);');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    db.exec('BEGIN');
    for (let i = 0; i < 2000; i++) ins.run(`row ${i} ${'x'.repeat(50)}`);
    db.exec('COMMIT');
    db.close();
    const bytes = await readFile(file);
    // Garbage over the pages after the schema page: the header stays valid, the b-trees do not.
    for (let i = 2 * 4096; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    await writeFile(file, bytes);
    expect(() => Ledger.open(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')} is corrupt \\(`, 'u'));
  });
});

describe('nightly with a corrupt ledger', () => {
  let mirrorDir = '';
  let mirror: Mirror;
  beforeAll(async () => {
    mirrorDir = await tmp('emvr-ledger-mirror-');
    await writeSimulatedEntries(mirrorDir, { names: ['well-behaved', 'decentred'], box: 80 });
    mirror = await startMirror({ dir: mirrorDir });
  });
  afterAll(async () => {
    await mirror?.close();
  });

  it('sets the file aside with a message, rebuilds from content/ and reuses the published reports', async () => {
    const out = await tmp('emvr-ledger-out-');
    const lines: string[] = [];
    const opts: NightlyOptions = { out, endpoints: resolveEndpoints({ base: mirror.url }), http: { minIntervalMs: 0, backoffMs: 20, retries: 2 }, workers: 1, figures: false, progress: false, log: (l) => lines.push(l), site: { enabled: false, pdf: false } };
    const first = await runNightly(opts);
    expect(first.counts.analysed).toBe(2);
    const ledgerFile = path.join(out, 'ledger.sqlite');
    const reports = await Promise.all(first.outcomes.map((o) => readFile(path.join(out, 'content', 'entries', o.id, 'report.json'))));

    await rm(`${ledgerFile}-wal`, { force: true });
    await rm(`${ledgerFile}-shm`, { force: true });
    await writeFile(ledgerFile, Buffer.alloc(16384, 0x5a));
    const second = await runNightly(opts);

    const aside = (await readdir(out)).filter((n) => n.startsWith('ledger.sqlite.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(second.notes[0]).toBe(`${ledgerFile} is corrupt (file is not a database): set aside as ${aside[0]}; a new ledger was rebuilt from 2 published report(s) in content/ (run history and the watermark are lost: this run checks every released entry)`);
    expect(lines).toContain(`ledger: ${second.notes[0]}`);
    // Both reports were adopted with the hashes they were computed from: reused, not re-analysed.
    expect(second.counts).toEqual({ analysed: 0, reused: 2, failed: 0, refused: 0 });
    expect(second.mode).toBe('full');
    const after = await Promise.all(second.outcomes.map((o) => readFile(path.join(out, 'content', 'entries', o.id, 'report.json'))));
    expect(after).toEqual(reports);
    const ledger = Ledger.open(ledgerFile, { readOnly: true });
    try {
      expect(ledger.runs().map((r) => r.status)).toEqual(['completed']);
      expect(ledger.publishedReports().map((r) => r.entryId)).toEqual(first.outcomes.map((o) => o.id));
    } finally {
      ledger.close();
    }
    expect(existsSync(path.join(out, aside[0]))).toBe(true);
  }, 180_000);
});

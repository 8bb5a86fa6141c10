/** The ledger's bookkeeping: settled inputs, retries, failures that keep the published report, transactions, schema upgrades. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Ledger, LEDGER_SCHEMA_VERSION, type EntryRunRecord } from './ledger.ts';

function rec(entryId: string, status: EntryRunRecord['status'], extra: Partial<EntryRunRecord> = {}): EntryRunRecord {
  return {
    entryId, status, stage: null, analyzerVersion: '1.0.0', metadataSha256: 'm1', entryJsonSha256: 'j1', mapSha256: 's1', mapBytes: 10, mapFromCache: false,
    fetchSeconds: 0.1, analyseSeconds: 1, totalSeconds: 1.2, peakRssMB: 100, itemTimings: null, notes: [], reason: null, releaseDate: '2024-01-01', updateDate: null,
    ...extra,
  };
}

describe('ledger', () => {
  it('keeps the settled inputs of analysed entries, keeps them through a failure, and lists retries', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-ledger-'));
    const l = Ledger.open(path.join(dir, 'ledger.sqlite'));
    const r1 = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'full', since: null, analyzerVersion: '1.0.0' });
    l.recordEntry(r1, rec('EMD-1000', 'analysed', { reportSha256: 'r1' }));
    l.recordEntry(r1, rec('EMD-2000', 'refused', { stage: 'analysis', reason: 'threshold too high' }));
    l.recordEntry(r1, rec('EMD-3000', 'failed', { stage: 'download', reason: 'HTTP 503' }));
    l.finishRun(r1, 'completed');
    expect(l.runs(1)[0]).toMatchObject({ runId: r1, status: 'completed', analysed: 1, refused: 1, failed: 1, reused: 0 });
    expect(l.entry('EMD-1000')).toMatchObject({ status: 'analysed', okStatus: 'analysed', okMapSha256: 's1', reportSha256: 'r1', attempts: 0 });
    expect(l.entry('EMD-2000')).toMatchObject({ status: 'refused', okStatus: 'refused', reportSha256: null });
    expect(l.entry('EMD-3000')).toMatchObject({ status: 'failed', okStatus: null, attempts: 1 });
    expect(l.retryList('1.0.0')).toEqual([{ entryId: 'EMD-3000', why: 'failed' }]);

    const r2 = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'since', since: '2024-01-02', analyzerVersion: '1.0.0' });
    l.recordEntry(r2, rec('EMD-1000', 'failed', { stage: 'analysis', reason: 'worker died', mapSha256: 's2' }));
    l.recordEntry(r2, rec('EMD-3000', 'failed', { stage: 'download', reason: 'HTTP 503 again' }));
    // A failure keeps what is published (and its inputs) so an unchanged entry can still be reused later.
    expect(l.entry('EMD-1000')).toMatchObject({ status: 'failed', okStatus: 'analysed', okMapSha256: 's1', reportSha256: 'r1', attempts: 1 });
    expect(l.entry('EMD-3000')).toMatchObject({ attempts: 2, reason: 'HTTP 503 again' });
    l.recordEntry(r2, rec('EMD-1000', 'reused', { reportSha256: 'r1' }));
    // A refusal survives a later transient failure: reusing it brings back the refusal's reason.
    l.recordEntry(r2, rec('EMD-2000', 'failed', { stage: 'download', reason: 'timeout' }));
    expect(l.entry('EMD-2000')).toMatchObject({ status: 'failed', reason: 'timeout', okReason: 'threshold too high' });
    l.recordEntry(r2, rec('EMD-2000', 'reused'));
    expect(l.entry('EMD-2000')).toMatchObject({ status: 'refused', reason: 'threshold too high', attempts: 0 });
    expect(l.entry('EMD-1000')).toMatchObject({ status: 'analysed', attempts: 0, reportSha256: 'r1' });
    // A new analyzer version puts every settled entry back on the list.
    expect(l.retryList('2.0.0').map((r) => r.entryId)).toEqual(['EMD-1000', 'EMD-2000', 'EMD-3000']);
    expect(l.failing().map((f) => f.entryId)).toEqual(['EMD-3000']);

    // A run left "running" by a killed process is marked interrupted by the next one.
    expect(l.markInterrupted()).toBe(1);
    expect(l.runs(1)[0].status).toBe('interrupted');
    // The content fingerprint follows the published reports only.
    const f1 = l.contentFingerprint();
    l.recordEntry(r2, rec('EMD-3000', 'refused', { reason: 'no contour' }));
    expect(l.contentFingerprint()).toBe(f1);
    l.recordEntry(r2, rec('EMD-3000', 'analysed', { reportSha256: 'r3' }));
    expect(l.contentFingerprint()).not.toBe(f1);
    l.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-ledger-'));
    const l = Ledger.open(path.join(dir, 'ledger.sqlite'));
    const r = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'full', since: null, analyzerVersion: '1.0.0' });
    expect(() =>
      l.transaction(() => {
        l.setMeta('watermark', '2030-01-01');
        throw new Error('crash inside');
      }),
    ).toThrow('crash inside');
    expect(l.getMeta('watermark')).toBeNull();
    // An invalid status is refused by the schema, and the entry row is not half-written.
    expect(() => l.recordEntry(r, rec('EMD-4000', 'weird' as never))).toThrow();
    expect(l.entry('EMD-4000')).toBeNull();
    l.close();
  });

  it('keeps the half maps of a run and their fingerprint as the settled inputs; a failure keeps the settled fingerprint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'emvr-ledger-'));
    const l = Ledger.open(path.join(dir, 'ledger.sqlite'));
    const r = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'full', since: null, analyzerVersion: '1.0.0' });
    const halves = [1, 2].map((index) => ({ kind: 'halfMap', index, file: `emd_1000_half_map_${index}.map.gz`, sha256: String(index).repeat(64), bytes: 100, fromCache: false }));
    l.recordEntry(r, rec('EMD-1000', 'analysed', { reportSha256: 'r1', extraInputsSha256: 'f1', extraInputs: halves }));
    l.recordEntry(r, rec('EMD-2000', 'analysed', { reportSha256: 'r2' }));
    expect(l.entry('EMD-1000')).toMatchObject({ okExtraInputsSha256: 'f1' });
    expect(l.entry('EMD-2000')).toMatchObject({ okExtraInputsSha256: null });
    expect(l.entryRuns(r).map((e) => [e.entryId, e.extraInputs])).toEqual([['EMD-1000', halves], ['EMD-2000', []]]);
    l.recordEntry(r, rec('EMD-1000', 'failed', { stage: 'download', reason: 'half map 2 (emd_1000_half_map_2.map.gz): HTTP 404', extraInputsSha256: null }));
    expect(l.entry('EMD-1000')).toMatchObject({ status: 'failed', okExtraInputsSha256: 'f1', reportSha256: 'r1' });
    l.close();
  });

  it('upgrades a schema-2 ledger in place: the half-map columns are added, existing rows keep their values', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'emvr-ledger-')), 'ledger.sqlite');
    const l0 = Ledger.open(file);
    const r = l0.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'full', since: null, analyzerVersion: '1.0.0' });
    l0.recordEntry(r, rec('EMD-1000', 'analysed', { reportSha256: 'r1' }));
    l0.close();
    // What a ledger of schema 2 (before half maps) looks like.
    const db = new DatabaseSync(file);
    db.exec("ALTER TABLE entry_runs DROP COLUMN extra_inputs_sha256; ALTER TABLE entry_runs DROP COLUMN extra_inputs; ALTER TABLE entries DROP COLUMN ok_extra_inputs_sha256; UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    db.close();
    const before = Ledger.open(file, { readOnly: true });
    // `emvr status` reads an old ledger as it is (no half maps).
    expect(before.entryRuns(r)[0]).toMatchObject({ entryId: 'EMD-1000', extraInputs: [] });
    before.close();
    const l = Ledger.open(file);
    expect(l.getMeta('schema_version')).toBe(String(LEDGER_SCHEMA_VERSION));
    expect(l.entry('EMD-1000')).toMatchObject({ okMapSha256: 's1', okExtraInputsSha256: null, reportSha256: 'r1' });
    l.recordEntry(r, rec('EMD-1000', 'analysed', { reportSha256: 'r2', extraInputsSha256: 'f2' }));
    expect(l.entry('EMD-1000')).toMatchObject({ okExtraInputsSha256: 'f2' });
    l.close();
    // A ledger of a newer schema is refused, not downgraded.
    const newer = new DatabaseSync(file);
    newer.exec(`UPDATE meta SET value = '${LEDGER_SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    newer.close();
    expect(() => Ledger.open(file)).toThrow(new RegExp(`ledger schema ${LEDGER_SCHEMA_VERSION + 1}, this emvr writes ${LEDGER_SCHEMA_VERSION}`, 'u'));
  });
});

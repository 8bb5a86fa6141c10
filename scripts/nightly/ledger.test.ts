/** The ledger's bookkeeping: settled inputs, retries, failures that keep the published report, transactions. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, type EntryRunRecord } from './ledger.ts';

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
});

/** `emvr status` run as a user runs it, on a ledger holding a run with Slurm task attempts. */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { Ledger, type EntryRunRecord } from '../nightly/ledger.ts';

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function rec(entryId: string, status: EntryRunRecord['status'], reason: string | null): EntryRunRecord {
  return {
    entryId, status, stage: status === 'failed' ? 'analysis' : null, analyzerVersion: '1.0.0', metadataSha256: 'm', entryJsonSha256: 'j', mapSha256: 'a'.repeat(64), mapBytes: 10,
    mapFromCache: false, fetchSeconds: 0.1, analyseSeconds: 2, totalSeconds: 2.2, peakRssMB: 300, itemTimings: null, notes: [], reason, releaseDate: '2024-01-01', updateDate: null,
  };
}

describe('emvr status', () => {
  it('a corrupt ledger is an input error naming the file, not an internal error', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-status-bad-'));
    const file = path.join(out, 'ledger.sqlite');
    await writeFile(file, Buffer.alloc(4096, 0x41));
    const r = await cli(['status', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`emvr status: error: ${file} is corrupt (file is not a database); the next emvr nightly sets it aside and rebuilds it from content/\n`);
  });

  it('lists the Slurm task attempts of the shown run, and only when it has some', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-status-'));
    const l = Ledger.open(path.join(out, 'ledger.sqlite'));
    const local = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'ids', since: null, analyzerVersion: '1.0.0' });
    const halves = [1, 2].map((index) => ({ kind: 'halfMap', index, file: `emd_1000_half_map_${index}.map.gz`, sha256: String(index).repeat(64), bytes: 10, fromCache: false }));
    const model = { kind: 'model', index: 1, file: '9xyz.cif.gz', sha256: '3'.repeat(64), bytes: 10, fromCache: false };
    l.recordEntry(local, { ...rec('EMD-1000', 'analysed', null), extraInputsSha256: 'f'.repeat(64), extraInputs: [...halves, model] });
    l.finishRun(local, 'completed');
    const slurm = l.startRun({ emdbApi: 'http://x', emdbFiles: 'http://x', mode: 'ids', since: null, analyzerVersion: '1.0.0' });
    const a = { entryId: 'EMD-2000', executor: 'slurm' as const, task: '41_3', state: 'FAILED', exitCode: '0:9', node: 'node7', memMB: 1024, timeMin: 11, outcome: 'lost', reason: 'killed by signal 9 (SIGKILL: out of memory?)', submittedAt: 't0', finishedAt: 't1' };
    l.recordAttempt(slurm, { ...a, attempt: 1 });
    l.recordAttempt(slurm, { ...a, attempt: 2, task: '42_0', state: 'COMPLETED', exitCode: '0:0', memMB: 2048, outcome: 'analysed', reason: null });
    l.recordEntry(slurm, rec('EMD-2000', 'analysed', null));
    l.finishRun(slurm, 'completed');
    l.close();

    const text = await cli(['status', '--out', out]);
    expect(text.status, text.stderr).toBe(0);
    const section = text.stdout.split(`Slurm task attempts of run ${slurm}`)[1]?.split('failing entries')[0] ?? '';
    const rows = section.trim().split('\n').slice(2).map((r) => r.trim().split(/\s{2,}/u));
    expect(rows).toEqual([
      ['EMD-2000', '1', '41_3', 'FAILED', '0:9', 'node7', '1024', '11', 'lost', 'killed by signal 9 (SIGKILL: out of memory?)'],
      ['EMD-2000', '2', '42_0', 'COMPLETED', '0:0', 'node7', '2048', '11', 'analysed', '-'],
    ]);

    const json = await cli(['status', '--out', out, '--json']);
    expect(JSON.parse(json.stdout).attempts.map((x: { attempt: number; memMB: number; outcome: string }) => [x.attempt, x.memMB, x.outcome])).toEqual([[1, 1024, 'lost'], [2, 2048, 'analysed']]);

    // A local run has no attempts section.
    const older = await cli(['status', '--out', out, '--run', String(local)]);
    expect(older.status, older.stderr).toBe(0);
    expect(older.stdout).toMatch(/entries of run \d+:\n.*half maps sha256 +model sha256.*\nEMD-1000 +analysed.* aaaaaaaaaaaa +11111111 22222222 +9xyz 33333333/u);
    expect(older.stdout).not.toContain('Slurm task attempts');
  });
});

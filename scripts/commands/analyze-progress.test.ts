/**
 * `emvr analyze` progress as a log sees it (stderr not a terminal): one line per step as it
 * finishes, in the order the steps run (reading, masks, then the items in report order), each
 * with the item's status; stdout is the same with and without progress, and --quiet silences it.
 * A real process on a small phantom.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportItems, type Report } from '../../analyzers/report/schema.ts';
import { makePhantom } from '../../analyzers/simulate/phantoms.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { writeMrc } from '../../analyzers/volume/to-mrc.ts';
import { AnalyzeProgress, finishedLine } from './analyze-progress.ts';

const cli = path.join(projectRoot, 'scripts', 'cli.ts');
let dir = '';
let args: string[] = [];

function emvr(...extra: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args, ...extra], { encoding: 'utf8', env: { ...process.env, EMVR_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A report without what differs from run to run (wall times, peak memory). */
function timeless(r: Report): unknown {
  const copy = structuredClone(r) as Report;
  const provenance = copy.provenance as Partial<Report['provenance']>;
  delete provenance.totalSeconds;
  delete provenance.peakRssMB;
  for (const level of Object.values(copy.items)) for (const it of Object.values(level ?? {})) (it as { timing: unknown }).timing = null;
  return copy;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'emvr-progress-'));
  const p = await makePhantom('well-behaved', { seed: 3, box: 80 });
  const map = path.join(dir, 'phantom.mrc');
  await writeMrc(map, p.volume);
  args = ['analyze', '--map', map, '--threshold', String(p.threshold), '--resolution', String(p.resolution), '--id', 'EMD-4500', '--no-figures', '--json'];
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('emvr analyze progress, not on a terminal', () => {
  it('prints one line per finished step on stderr, in order, with the statuses of the report; stdout is the report either way; --quiet prints nothing', () => {
    const loud = emvr('--out', path.join(dir, 'loud'));
    expect(loud.code, loud.err).toBe(0);
    const report = JSON.parse(loud.out) as Report;
    const items = reportItems(report);
    expect(items.length).toBe(8);

    const lines = loud.err.trimEnd().split('\n');
    const parsed = lines.map((l) => /^(.+) … ([a-z-]+), (\d+\.\d) s$/u.exec(l));
    expect(parsed.every((m) => m !== null), loud.err).toBe(true);
    expect(parsed.map((m) => m![1])).toEqual(['Reading the inputs', 'Masks at the threshold', ...items.map((it) => it.title)]);
    expect(parsed.map((m) => m![2])).toEqual(['done', 'done', ...items.map((it) => it.status)]);
    // Each item's line carries its own wall time, as the report records it (within 0.06 s: the line rounds to 0.1 s, the report to 1 ms, and the step also times the call around the item).
    items.forEach((it, k) => expect(Math.abs(Number(parsed[k + 2]![3]) - it.timing!.seconds), it.title).toBeLessThanOrEqual(0.06));

    const quiet = emvr('--out', path.join(dir, 'quiet'), '--quiet');
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.err).toBe('');
    expect(timeless(JSON.parse(quiet.out))).toEqual(timeless(report));
  }, 120_000);

  it('the line of a step: title, status, seconds to 0.1 s, control characters made harmless', () => {
    expect(finishedLine({ kind: 'done', step: '0.e Local resolution', index: 8, total: 11, status: 'ok', seconds: 19.06 })).toBe('0.e Local resolution … ok, 19.1 s');
    expect(finishedLine({ kind: 'done', step: 'bad\u001b[2Jtitle', index: 1, total: 1, status: 'failed', seconds: 0 })).toBe('bad?[2Jtitle … failed, 0.0 s');
  });
});

describe('emvr analyze progress on a terminal', () => {
  /** A stream that says it is a terminal and keeps what is written. */
  function terminal() {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY: true, write: (c: string) => chunks.push(c) > 0 } as unknown as NodeJS.WriteStream };
  }

  it('redraws one line in place (\\r and erase-line, no newline until the last step), naming the step being computed, with no ETA', () => {
    const { chunks, stream } = terminal();
    const p = new AnalyzeProgress('analyze EMD-1', stream);
    p.onStep({ kind: 'start', step: 'Reading the inputs', index: 1, total: 2 });
    p.onStep({ kind: 'done', step: 'Reading the inputs', index: 1, total: 2, status: 'done', seconds: 0.2 });
    p.onStep({ kind: 'start', step: '0.e Local resolution', index: 2, total: 2 });
    const running = chunks.join('');
    expect(running.split('\r\u001b[2K').filter(Boolean).at(-1)).toBe('analyze EMD-1 1/2 (done 1) · 0.e Local resolution, 0s so far · 0s');
    expect(running).not.toContain('\n');
    expect(running).not.toContain('ETA');
    p.onStep({ kind: 'done', step: '0.e Local resolution', index: 2, total: 2, status: 'ok', seconds: 3 });
    p.stop();
    expect(chunks.join('').endsWith('\r\u001b[2Kanalyze EMD-1 2/2 (done 1, ok 1) · 0s\n')).toBe(true);
  });

  it('stop() on an unfinished line erases it, so an error message starts on a clean line', () => {
    const { chunks, stream } = terminal();
    const p = new AnalyzeProgress('analyze EMD-1', stream);
    p.onStep({ kind: 'start', step: 'Reading the inputs', index: 1, total: 3 });
    p.stop();
    expect(chunks.at(-1)).toBe('\r\u001b[2K');
  });
});

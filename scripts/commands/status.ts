/** `emvr status`: what the nightly ledger says — recent runs, one run's entries, failing entries. */
import { existsSync } from 'node:fs';
import { InputError, numberOption, stringOption, type Command } from '../cli-kit.ts';
import type { EntryRunRow, Ledger, RunRow, TaskAttemptRecord } from '../nightly/ledger.ts';
import { printable } from '../progress.ts';

/** `emvr status`: prints the ledger read-only (safe while a run is going). */
export const statusCommand: Command = {
  name: 'status',
  help: `usage: emvr status [--out <dir>] [--run <N>] [--runs <N>] [--json]

Reads <out>/ledger.sqlite (written by emvr nightly / emvr demo) and prints the latest runs
(started, finished, counts, site step), the entries of one run (status analysed | reused |
failed | refused, stage, timings, map sha256, half-map sha256s when the entry had two, the
fitted model's PDB ID and sha256 when it had one, reason), that run's Slurm task attempts when it used
--executor slurm (task, state, exit code, node, memory and time requested, outcome, reason), and
every entry whose latest attempt failed (they are retried by the next run).

options:
  --out <dir>     the nightly output folder (default: out)
  --run <N>       show this run's entries (default: the latest run)
  --runs <N>      how many runs to list (default 5)
  --json          the same as JSON
  -h, --help      this help
`,
  options: { out: { type: 'string' }, run: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const [{ isCorruptionError, Ledger, LedgerCorruptError }, { outPaths }] = await Promise.all([import('../nightly/ledger.ts'), import('../nightly/pipeline.ts')]);
    const p = outPaths(stringOption(values, 'out') ?? 'out');
    if (!existsSync(p.ledger)) throw new InputError(`no ledger at ${p.ledger} (run emvr nightly --out ${stringOption(values, 'out') ?? 'out'} first)`);
    let ledger: Ledger;
    try {
      ledger = Ledger.open(p.ledger, { readOnly: true });
    } catch (err) {
      if (err instanceof LedgerCorruptError) throw new InputError(`${err.message}; the next emvr nightly sets it aside and rebuilds it from content/`);
      throw err;
    }
    try {
      const runs = ledger.runs(numberOption(values, 'runs', { min: 1 }) ?? 5);
      const runId = numberOption(values, 'run', { min: 1 }) ?? runs[0]?.runId;
      const entries = runId === undefined ? [] : ledger.entryRuns(runId);
      const attempts = runId === undefined ? [] : ledger.attempts(runId);
      const failing = ledger.failing();
      const counts = ledger.entryCounts();
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ledger: p.ledger, watermark: ledger.getMeta('watermark'), counts, runs, run: runId ?? null, entries, attempts, failing }, null, 2)}\n`);
        return 0;
      }
      process.stdout.write(formatStatus({ file: p.ledger, watermark: ledger.getMeta('watermark'), counts, runs, runId, entries, attempts, failing }));
      return 0;
    } catch (err) {
      if (isCorruptionError(err)) throw new InputError(`${p.ledger} is corrupt (${(err as Error).message}); the next emvr nightly sets it aside and rebuilds it from content/`);
      throw err;
    } finally {
      ledger.close();
    }
  },
};

/** Left-aligned text table (numbers right-aligned), columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (c === null ? '-' : typeof c === 'number' ? String(c) : printable(c, 120))))];
  const numeric = header.map((_, k) => rows.length > 0 && rows.every((r) => typeof r[k] === 'number' || r[k] === null));
  const width = header.map((_, k) => Math.max(...cells.map((r) => [...(r[k] ?? '')].length)));
  return `${cells.map((r) => r.map((c, k) => (numeric[k] ? c.padStart(width[k]) : c.padEnd(width[k]))).join('  ').trimEnd()).join('\n')}\n`;
}

const t = (iso: string | null) => (iso === null ? null : iso.replace('T', ' ').slice(0, 19));

/** Short sha256s of an entry run's half maps ("1a2b3c4d 5e6f7a8b"), or null without them. */
function halfMapsCell(e: EntryRunRow): string | null {
  const halves = e.extraInputs.filter((x) => x.kind === 'halfMap').sort((a, b) => a.index - b.index);
  return halves.length === 0 ? null : halves.map((h) => h.sha256.slice(0, 8)).join(' ');
}

/** The fitted model of an entry run as "<pdb> <short sha256>" ("9xyz 1a2b3c4d"), or null without one. */
function modelCell(e: EntryRunRow): string | null {
  const m = e.extraInputs.find((x) => x.kind === 'model');
  return m === undefined ? null : `${m.file.replace(/\.cif\.gz$/u, '')} ${m.sha256.slice(0, 8)}`;
}

/** Everything `emvr status` prints, read from the ledger. */
export interface StatusView {
  readonly file: string;
  readonly watermark: string | null;
  readonly counts: Record<string, number>;
  readonly runs: readonly RunRow[];
  readonly runId: number | undefined;
  readonly entries: readonly EntryRunRow[];
  readonly attempts: readonly TaskAttemptRecord[];
  readonly failing: ReturnType<Ledger['failing']>;
}

/** The text form of `emvr status`. */
export function formatStatus({ file, watermark, counts, runs, runId, entries, attempts, failing }: StatusView): string {
  const out: string[] = [];
  out.push(`ledger ${file}; next discovery from ${watermark ?? '(first run: everything)'}`);
  out.push(`entries: ${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'none yet'}`);
  out.push('');
  out.push('runs (UTC):');
  out.push(
    table(
      ['run', 'started', 'finished', 'status', 'mode', 'since', 'version', 'disc.', 'done', 'analysed', 'reused', 'refused', 'failed', 'site'],
      runs.map((r) => [r.runId, t(r.startedAt), t(r.finishedAt), r.status, r.mode, r.since, r.analyzerVersion, r.discovered, r.analysed + r.reused + r.refused + r.failed, r.analysed, r.reused, r.refused, r.failed, r.siteStatus]),
    ),
  );
  const shown = runs.find((r) => r.runId === runId);
  if (shown?.notes) out.push(`notes of run ${shown.runId}:\n${shown.notes.split('\n').map((n) => `  ${printable(n, 300)}`).join('\n')}\n`);
  if (runId !== undefined) {
    out.push(`entries of run ${runId}:`);
    out.push(
      entries.length === 0
        ? '(none)\n'
        : table(
            ['entry', 'status', 'stage', 'fetch s', 'analyse s', 'total s', 'peak MB', 'map sha256', 'half maps sha256', 'model sha256', 'reason'],
            entries.map((e) => [
              e.entryId, e.status, e.stage, e.fetchSeconds, e.analyseSeconds, e.totalSeconds, e.peakRssMB === null ? null : Math.round(e.peakRssMB),
              e.mapSha256 === null ? null : e.mapSha256.slice(0, 12), halfMapsCell(e), modelCell(e), e.reason === null ? null : printable(e.reason, 160),
            ]),
          ),
    );
  }
  if (runId !== undefined && attempts.length > 0) {
    out.push(`Slurm task attempts of run ${runId} (memory and time are what the task asked for):`);
    out.push(
      table(
        ['entry', 'attempt', 'task', 'state', 'exit', 'node', 'mem MB', 'time min', 'outcome', 'reason'],
        attempts.map((a) => [a.entryId, a.attempt, a.task || null, a.state, a.exitCode, a.node, a.memMB, a.timeMin, a.outcome, a.reason === null ? null : printable(a.reason, 160)]),
      ),
    );
  }
  out.push(`failing entries (retried by the next run): ${failing.length === 0 ? 'none' : ''}`);
  if (failing.length > 0) out.push(table(['entry', 'attempts', 'last run', 'reason'], failing.map((f) => [f.entryId, f.attempts, f.lastRunId, printable(f.reason ?? '', 200)])));
  return `${out.join('\n')}\n`;
}

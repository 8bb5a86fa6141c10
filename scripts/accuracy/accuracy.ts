/**
 * `npm run accuracy [-- --json out.json] [--quick] [--workers 2]`: every item with a designed truth
 * measured on simulated maps over a grid of conditions (cases.ts), its errors against the truth
 * pooled per item, metric and condition (statistics.ts), printed as a table and optionally written
 * as the methods page's accuracy table (site/src/data/accuracy.json, schema in
 * analyzers/report/accuracy.ts). The full grid (148 cases) took 32 min on 2 cores under load 20
 * (7.7 CPU min, ≈ 4 min on 2 idle cores); --quick (6 cases at 3.5 Å) 1.4 min under that load.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { parseAccuracyTable, type AccuracyRow, type AccuracyTable } from '../../analyzers/report/accuracy.ts';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';
import { accuracyCases, type AccuracyCase } from './cases.ts';
import { METRICS, type Observation } from './measure-case.ts';
import { runCases } from './run-cases.ts';
import { summariseRows, type CaseObservation } from './statistics.ts';

const HELP = `usage: npm run accuracy [-- --json out.json] [--quick] [--workers N]

Measures every item with a designed truth on simulated maps (resolution 2.5–8 Å, two noise
levels, box 96 and 128, masked or not, uniform / two-region / anisotropic half maps, models)
and prints, per item, metric and condition: cases, errors pooled, median and 95th-percentile
absolute error, bias, Spearman's ρ (local maps), refusals.
  --json FILE   also write the table (the methods page reads site/src/data/accuracy.json)
  --quick       a small slice (6 cases at 3.5 Å)
  --workers N   worker processes (default: the machine's cores, at most 4)`;

/** Case observations tagged with their case's condition. */
export function tagObservations(cases: readonly AccuracyCase[], perCase: readonly Observation[][]): CaseObservation[] {
  return cases.flatMap((c, i) => perCase[i].map((o) => ({ ...o, conditions: { resolution: c.resolution, noise: c.noise, layout: c.layout, masked: c.masked, voxelA: c.voxelA, box: c.box } })));
}

const LAYOUTS = ['uniform', 'two-region', 'anisotropic'];

/** Rows in catalog order of their metric, then by resolution, layout, noise, unmasked first. */
export function orderRows(rows: AccuracyRow[]): AccuracyRow[] {
  const metricIndex = (r: AccuracyRow) => METRICS.findIndex((m) => m.item === r.item && m.metric === r.metric);
  return [...rows].sort((a, b) =>
    metricIndex(a) - metricIndex(b) || a.conditions.resolution - b.conditions.resolution || LAYOUTS.indexOf(a.conditions.layout) - LAYOUTS.indexOf(b.conditions.layout) ||
    (a.conditions.noise === b.conditions.noise ? 0 : a.conditions.noise === 'nominal' ? -1 : 1) || Number(a.conditions.masked) - Number(b.conditions.masked));
}

/** Numbers of a row to 4 significant digits (the table is read, not recomputed). */
function rounded(r: AccuracyRow): AccuracyRow {
  const g = (v: number | null) => (v === null ? null : Number(v.toPrecision(4)));
  return { ...r, medianAbsError: g(r.medianAbsError), p95AbsError: g(r.p95AbsError), bias: g(r.bias), spearman: g(r.spearman) };
}

function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function printRows(rows: readonly AccuracyRow[]): void {
  const fmt = (v: number | null) => (v === null ? '—' : v.toPrecision(3));
  for (const r of rows) {
    const c = r.conditions;
    const cond = `${c.resolution} Å ${c.layout} ${c.noise}${c.masked ? ' masked' : ''}`;
    const refused = r.refused > 0 ? `  refused ${r.refused}: ${r.refusedReasons.map((x) => `${x.count}× ${x.reason}`).join('; ')}` : '';
    console.log(`${r.item} ${r.metric} [${r.unit}] | ${cond} | cases ${r.cases} n ${r.n} | median |e| ${fmt(r.medianAbsError)} p95 ${fmt(r.p95AbsError)} bias ${fmt(r.bias)}${r.spearman === null ? '' : ` ρ ${fmt(r.spearman)}`}${refused}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'string' }, quick: { type: 'boolean' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const workers = values.workers === undefined ? Math.min(4, availableParallelism()) : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be an integer ≥ 1, got ${values.workers}`);
  const slice = values.quick ? 'quick' : 'full';
  const cases = accuracyCases(slice);
  // The commit is read before the run: the code measured is the code checked out when it started.
  const commit = commitOf();
  const t0 = performance.now();
  let done = 0;
  console.error(`accuracy: ${cases.length} cases (${slice}) on ${workers} worker processes`);
  const { observations: perCase, failures, cpuSeconds } = await runCases(cases, workers, (c, s) => console.error(`  [${++done}/${cases.length}] ${c.id} ${s.toFixed(1)} s`));
  const seconds = (performance.now() - t0) / 1000;
  const rows = orderRows(summariseRows(tagObservations(cases, perCase))).map(rounded);
  const table: AccuracyTable = parseAccuracyTable({
    schemaVersion: 1, measuredAt: new Date().toISOString().slice(0, 10), commit, slice, seconds: Math.round(seconds), cpuSeconds: Math.round(cpuSeconds), workers, cases: cases.length, rows,
  });
  printRows(table.rows);
  console.error(`accuracy: ${cases.length} cases in ${seconds.toFixed(0)} s on ${workers} workers (${cpuSeconds.toFixed(0)} CPU seconds)`);
  for (const f of failures) console.error(`accuracy: case ${f.id} FAILED: ${f.error}`);
  if (failures.length > 0) {
    if (values.json) await writeFileAtomic(`${values.json}.partial`, `${JSON.stringify(table, null, 1)}\n`);
    console.error(`accuracy: ${failures.length} cases failed; the table of the others is in ${values.json ?? '(no --json)'}.partial`);
    return 1;
  }
  if (values.json) await writeFileAtomic(values.json, `${JSON.stringify(table, null, 1)}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

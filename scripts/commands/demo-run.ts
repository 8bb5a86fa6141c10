/**
 * The run of `emvr demo` (scripts/commands/demo.ts holds its command line and help): the mirror,
 * the nightly against it, the check of every report against what its phantom must show, serving.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { parseReport, type Report } from '../../analyzers/report/schema.ts';
import { ANALYZER_VERSION } from '../../analyzers/util/version.ts';
import { fixturesDir } from '../../analyzers/testing/fixtures.ts';
import { numberOption, stringOption } from '../cli-kit.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { startMirror } from '../mirror/mirror.ts';
import { writeFixtureEntries, writeHalfMapEntries, writeModelEntries, writeSimulatedEntries, type SimulatedEntry } from '../mirror/mirror-folder.ts';
import type { LevelATruth } from '../mirror/model-truth.ts';
import { outPaths, runNightly, type NightlySummary } from '../nightly/pipeline.ts';
import { printable } from '../progress.ts';
import { startStaticServer } from '../site/static-server.ts';
import { formatSummary } from './nightly.ts';

/** The body of `emvr demo` for its parsed options; exit 0 when every simulated entry gives the answer its phantom is built to give. */
export async function runDemo(values: Record<string, string | boolean | string[] | undefined>): Promise<number> {
  const out = stringOption(values, 'out') ?? 'demo-out';
  const p = outPaths(out);
  const mirrorDir = path.join(p.root, 'mirror');
  const box = numberOption(values, 'box', { min: 80 });
  const withFixtures = values['with-fixtures'] === true;
  const simulated = await demoMirror(mirrorDir, box, withFixtures);
  const mirror = await startMirror({ dir: mirrorDir });
  process.stderr.write(`demo: local EMDB mirror at ${mirror.url}\n`);
  let summary: NightlySummary;
  try {
    summary = await runNightly({
      out: p.root,
      endpoints: resolveEndpoints({ base: mirror.url }),
      // A local mirror: no need for EMDB's politeness spacing.
      http: { maxConcurrency: 4, minIntervalMs: 0, backoffMs: 200 },
      full: true,
      workers: numberOption(values, 'workers', { min: 1 }) ?? 2,
      figures: values['no-figures'] !== true,
      site: { enabled: true, pdf: values['no-pdf'] !== true },
    });
  } finally {
    await mirror.close();
  }
  process.stdout.write(formatSummary(summary));
  const mismatches = await checkExpectations(p.content, simulated, summary);

  const siteReady = summary.site === 'built' || summary.site === 'up to date';
  if (!siteReady) {
    process.stdout.write(`site: ${summary.site}\nreports: ${path.join(p.content, 'entries')}\n`);
    return mismatches === 0 ? 0 : 1;
  }
  if (values['no-serve']) {
    process.stdout.write(`site: ${p.site} (serve it with a static server, or run emvr demo without --no-serve)\n`);
    return mismatches === 0 ? 0 : 1;
  }
  const server = await startStaticServer({ dir: p.site, port: numberOption(values, 'port', { min: 0 }) ?? 0 });
  process.stdout.write(`site: ${server.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return mismatches === 0 ? 0 : 1;
}


/** Layout of the demo mirror folder; a folder of another layout (an older demo's) is rebuilt. 2: half-map entries; 3: EMD-90013 (masked, half maps); 4: EMD-90014 (fitted model); 5: its Level A truth. */
const DEMO_MIRROR_LAYOUT = 5;

/** What the demo mirror folder was built from: the same stamp means the same bytes, so it is kept. */
interface DemoStamp {
  layout: number;
  analyzer: string;
  box: number | null;
  withFixtures: boolean;
  entries: SimulatedEntry[];
}

/**
 * The demo's mirror folder: reused when its stamp (analyzer version, box, fixtures) matches, else
 * rebuilt from scratch (the phantoms and dates are fixed, so a rebuild gives the same bytes).
 */
async function demoMirror(mirrorDir: string, box: number | undefined, withFixtures: boolean): Promise<SimulatedEntry[]> {
  const stampFile = path.join(mirrorDir, '.emvr-demo.json');
  try {
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as DemoStamp;
    if (stamp.layout === DEMO_MIRROR_LAYOUT && stamp.analyzer === ANALYZER_VERSION && stamp.box === (box ?? null) && stamp.withFixtures === withFixtures) {
      process.stderr.write(`demo: reusing the mirror folder ${mirrorDir}\n`);
      return stamp.entries;
    }
  } catch {
    // no stamp: build it
  }
  await rm(mirrorDir, { recursive: true, force: true });
  process.stderr.write(`demo: simulating the phantom entries into ${mirrorDir} …\n`);
  const entries = [...(await writeSimulatedEntries(mirrorDir, { box })), ...(await writeHalfMapEntries(mirrorDir, { box })), ...(await writeModelEntries(mirrorDir, { box }))];
  if (withFixtures) {
    const added = await writeFixtureEntries(mirrorDir, fixturesDir);
    process.stderr.write(added.length > 0 ? `demo: added the real fixture maps ${added.join(', ')}\n` : `demo: no fixtures found at ${fixturesDir}; simulated entries only\n`);
  }
  const stamp: DemoStamp = { layout: DEMO_MIRROR_LAYOUT, analyzer: ANALYZER_VERSION, box: box ?? null, withFixtures, entries };
  await writeFileAtomic(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  return entries;
}

/** The items of one level of a report, in report order (read from the report itself, so items newer than this code are seen too). */
function levelItems(report: Report, level: string): { id: string; status: string }[] {
  return Object.values((report.items as Record<string, Record<string, { id: string; status: string }> | undefined>)[level] ?? {});
}

const SHORT_STATUS: Record<string, string> = { ok: 'ok', warnings: 'WARN', 'not-applicable': 'n/a', failed: 'fail' };

/** Whether `warned` is exactly `expected` (as sets). */
const sameSet = (expected: readonly string[], warned: readonly string[]) => expected.length === warned.length && expected.every((e) => warned.includes(e));

/**
 * A simulated entry's report against its known answer: the Level 0 items that warn are exactly
 * the phantom's; an entry with half maps records both (the files and sha256 the mirror served)
 * and, when the report has Level 1 items, exactly its expected Level 1 items warn (an analyzer
 * without Level 1 items yet only has the inputs checked); an entry without half maps records none.
 * An entry with a model records it (file, sha256 served, PDB ID); when the analyzer has Level A
 * items and the entry knows its Level A truth (the model made the map), the fit, CC_mask and atom
 * inclusion are judged against it (`judgeLevelA`); an entry without a model records none.
 */
export function judgeReport(s: SimulatedEntry, report: Report): { ok: boolean; text: string } {
  const warned0 = levelItems(report, '0').filter((i) => i.status === 'warnings').map((i) => i.id);
  const problems: string[] = [];
  if (!sameSet(s.expect.warns, warned0)) problems.push(`Level 0 warnings ${warned0.join(', ') || 'none'}`);
  const values0 = judgeLevel0Values(s, report);
  problems.push(...values0.problems);
  let level1 = '';
  const recorded = report.inputs.halfMaps;
  if (s.halfMaps) {
    const same = recorded !== undefined && recorded.every((h, k) => h.file === s.halfMaps!.files[k] && h.sha256 === s.halfMaps!.sha256[k]);
    if (!same) problems.push(recorded === undefined ? 'no half maps in the report' : `half maps recorded as ${recorded.map((h) => `${h.file} ${h.sha256.slice(0, 12)}`).join(', ')}`);
    const items1 = levelItems(report, '1');
    const warned1 = items1.filter((i) => i.status === 'warnings').map((i) => i.id);
    const expected1 = s.level1Warns ?? [];
    if (items1.length === 0) level1 = '; half maps recorded, no Level 1 item in this analyzer yet';
    else {
      level1 = `; Level 1 expected warnings: ${expected1.join(', ') || 'none'}`;
      if (!sameSet(expected1, warned1)) problems.push(`Level 1 warnings ${warned1.join(', ') || 'none'}`);
    }
  } else if (recorded !== undefined) {
    problems.push('half maps in the report of an entry without them');
  }
  const model = judgeModel(s, report);
  if (model.problem !== null) problems.push(model.problem);
  const cells = [...levelItems(report, '0'), ...levelItems(report, '1'), ...levelItems(report, 'A')].map((i) => `${i.id} ${SHORT_STATUS[i.status] ?? i.status}`).join(' ');
  const verdict = problems.length === 0 ? 'OK' : `MISMATCH (${problems.join('; ')})`;
  return { ok: problems.length === 0, text: `score ${report.score.passing}/${report.score.evaluable}  ${cells}  expected warnings: ${s.expect.warns.join(', ') || 'none'}${values0.text}${level1}${model.text} ${verdict}` };
}

/** Tolerances of the Level 0 value checks: 0.d B-factor (Å²) and 0.e median (Å) against the phantom's truth. */
const B_FACTOR_TOLERANCE = 15;
const LOCAL_RESOLUTION_TOLERANCE = 0.7;

/**
 * The Level 0 values of a phantom against its truths (not only the statuses): 0.d's B-factor
 * within ±15 Å² of the calibrated one, 0.e's median within ±0.7 Å of the resolution its noise was
 * designed for.
 */
function judgeLevel0Values(s: SimulatedEntry, report: Report): { problems: string[]; text: string } {
  const problems: string[] = [];
  const shown: string[] = [];
  const value = (id: string, key: string): number | null => {
    const v = (report.items as Record<string, Record<string, { values: Record<string, unknown> }> | undefined>)['0']?.[id]?.values?.[key];
    return typeof v === 'number' ? v : null;
  };
  const check = (label: string, got: number | null, truth: number, tol: number, unit: string) => {
    shown.push(`${label} ${got === null ? '–' : got.toFixed(1)} (truth ${truth}${unit})`);
    if (got === null || Math.abs(got - truth) > tol) problems.push(`${label} ${got === null ? 'missing' : `${got.toFixed(2)}${unit}`}, truth ${truth}${unit} ± ${tol}`);
  };
  if (s.expect.bFactor !== undefined) check('0.d B', value('0.d', 'bFactor'), s.expect.bFactor, B_FACTOR_TOLERANCE, ' Å²');
  if (s.expect.localResolution !== undefined) check('0.e median', value('0.e', 'median'), s.expect.localResolution, LOCAL_RESOLUTION_TOLERANCE, ' Å');
  return { problems, text: shown.length > 0 ? `; values: ${shown.join(', ')}` : '' };
}

/** The model part of `judgeReport`: whether the report records exactly the model served (or none). */
function judgeModel(s: SimulatedEntry, report: Report): { problem: string | null; text: string } {
  const recorded = report.inputs.model;
  if (!s.model) return { problem: recorded === undefined ? null : 'a model in the report of an entry without one', text: '' };
  if (recorded === undefined) return { problem: 'no model in the report', text: '' };
  if (recorded.file !== s.model.file || recorded.sha256 !== s.model.sha256 || recorded.pdbId !== s.model.pdbId) {
    return { problem: `model recorded as ${recorded.file} ${recorded.sha256.slice(0, 12)} (${recorded.pdbId ?? 'no PDB ID'})`, text: '' };
  }
  const levelA = levelItems(report, 'A').length;
  const text = `; model ${s.model.pdbId} recorded${levelA === 0 ? ', no Level A item in this analyzer yet' : ''}`;
  if (levelA === 0 || !s.levelA) return { problem: null, text };
  const a = judgeLevelA(s.levelA, report);
  return { problem: a.problem, text: `${text}; ${a.text}` };
}

/** A Level A item's values, or null when the report lacks it. */
function levelAValues(report: Report, id: string): Record<string, unknown> | null {
  const item = (report.items as Record<string, Record<string, { values?: Record<string, unknown> } | undefined> | undefined>).A?.[id];
  return item?.values ?? null;
}

/**
 * The Level A values against the simulation's truth (scripts/mirror/model-truth.ts): the fit check
 * says aligned, CC_mask is within its tolerance of L·CC(clean, model map), and the fraction of
 * atoms inside the contour within its tolerance of the expected one.
 */
export function judgeLevelA(truth: LevelATruth, report: Report): { problem: string | null; text: string } {
  const aa = levelAValues(report, 'A.a');
  const ai = levelAValues(report, 'A.i');
  const status = (aa?.fit as { status?: string } | undefined)?.status ?? 'missing';
  const cc = typeof aa?.ccMask === 'number' ? aa.ccMask : null;
  const inside = typeof ai?.allAtoms === 'number' ? ai.allAtoms : null;
  const problems: string[] = [];
  if (status !== 'aligned') problems.push(`fit ${status}, expected aligned`);
  if (cc === null || Math.abs(cc - truth.ccMask) > truth.ccMaskTolerance) problems.push(`CC_mask ${cc?.toFixed(4) ?? 'missing'}, expected ${truth.ccMask.toFixed(4)} ± ${truth.ccMaskTolerance.toFixed(4)}`);
  if (inside === null || Math.abs(inside - truth.allAtoms) > truth.allAtomsTolerance) problems.push(`atom inclusion ${inside?.toFixed(4) ?? 'missing'}, expected ${truth.allAtoms.toFixed(4)} ± ${truth.allAtomsTolerance.toFixed(4)}`);
  const text = `Level A: fit ${status}, CC_mask ${cc?.toFixed(4) ?? '–'} (expected ${truth.ccMask.toFixed(4)} ± ${truth.ccMaskTolerance.toFixed(4)}, noise limit ${truth.ccMaskNoiseLimit.toFixed(4)}), atoms inside ${inside === null ? '–' : (100 * inside).toFixed(1)} % (expected ${(100 * truth.allAtoms).toFixed(1)} ± ${(100 * truth.allAtomsTolerance).toFixed(1)} %)`;
  return { problem: problems.length === 0 ? null : `Level A ${problems.join(', ')}`, text };
}

/** Prints each simulated entry's outcome beside its phantom's known answer; returns the number of mismatches. */
async function checkExpectations(contentDir: string, simulated: readonly SimulatedEntry[], summary: NightlySummary): Promise<number> {
  let mismatches = 0;
  const lines: string[] = ['', 'phantom checks (each simulated entry against the answer it is built to give):'];
  for (const s of simulated) {
    const name = s.label ?? s.phantom;
    const outcome = summary.outcomes.find((o) => o.id === s.id);
    const refusedNow = outcome?.status === 'refused' || (outcome?.status === 'reused' && (outcome.reason ?? '').startsWith('refused earlier'));
    if (s.expect.inputError) {
      const ok = refusedNow;
      if (!ok) mismatches++;
      lines.push(`${s.id} ${name.padEnd(21)} ${ok ? `refused as expected: ${printable(outcome?.reason ?? '', 120)}` : `expected a refusal (${s.expect.inputError}), got ${outcome?.status ?? 'no outcome'}`} ${ok ? 'OK' : 'MISMATCH'}`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(contentDir, 'entries', s.id, 'report.json'), 'utf8');
    } catch {
      mismatches++;
      lines.push(`${s.id} ${name.padEnd(21)} no report (${outcome?.status ?? 'not processed'}${outcome?.reason ? `: ${printable(outcome.reason, 120)}` : ''}) MISMATCH`);
      continue;
    }
    const judged = judgeReport(s, parseReport(JSON.parse(text), s.id));
    if (!judged.ok) mismatches++;
    lines.push(`${s.id} ${name.padEnd(21)} ${judged.text}`);
  }
  lines.push(mismatches === 0 ? 'every phantom gives its expected answer' : `${mismatches} phantom(s) do not give their expected answer`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return mismatches;
}

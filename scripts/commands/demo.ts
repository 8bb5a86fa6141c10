/**
 * `emvr demo`: the product's main job on an embedded default, with no network and no ../shared.
 * Builds a local EMDB mirror folder of simulated entries (one per phantom: each with one known
 * defect, plus well-behaved ones; EMDB-like entry JSON with IDs EMD-9000N, contour = phantom
 * threshold), serves it on a free 127.0.0.1 port, runs the nightly pipeline against it (download,
 * verify, analyse in worker processes, publish, site with PDFs), checks every report against what
 * its phantom must show, then serves the site (unless --no-serve).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../analyzers/io/atomic-write.ts';
import { parseReport, reportItems } from '../../analyzers/report/schema.ts';
import { ANALYZER_VERSION } from '../../analyzers/util/version.ts';
import { fixturesDir } from '../../analyzers/testing/fixtures.ts';
import { numberOption, stringOption, type Command } from '../cli-kit.ts';
import { resolveEndpoints } from '../emdb/endpoints.ts';
import { startMirror } from '../mirror/mirror.ts';
import { writeFixtureEntries, writeSimulatedEntries, type SimulatedEntry } from '../mirror/mirror-folder.ts';
import { outPaths, runNightly, type NightlySummary } from '../nightly/pipeline.ts';
import { printable } from '../progress.ts';
import { startStaticServer } from '../site/static-server.ts';
import { formatSummary } from './nightly.ts';

/** `emvr demo`: exit 0 when every simulated entry gives the answer its phantom is built to give. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the nightly pipeline on a local mirror of simulated entries, build and serve the site (no network)',
  help: `usage: emvr demo [--out <dir>] [--no-serve] [--no-figures] [--no-pdf] [--with-fixtures]

Builds a local EMDB mirror of simulated entries — one per phantom map (a procedural protein with
one known defect each: decentred, background offset, noise blobs, threshold too high, known
B-factors, mirrored hand, masked background, plus a well-behaved one), as EMD-90001… with
EMDB-shaped entry JSON — serves it on 127.0.0.1, runs the nightly pipeline against it into
<out>/ (content/, cache/, ledger.sqlite, site/), prints each entry's result beside what its
phantom must show (OK or MISMATCH), then serves the site and prints its URL (Ctrl-C stops).
Running it again reuses every report (nothing changed). Nothing is downloaded from the network.

options:
  --out <dir>          output folder (default: demo-out)
  --no-serve           build everything, then exit
  --port <n>           port of the site server (default: any free port)
  --no-figures         reports without figures (faster)
  --no-pdf             site without PDFs
  --with-fixtures      also add the real EMDB maps of ../shared/fixtures/emdb when present
                       (EMD-1997, EMD-5168, EMD-5170, EMD-6824, EMD-44046 with known contours)
  --workers <n>        analysis worker processes (default 2)
  --box <n>            phantom box edge in voxels, ≥ 80 (default: each phantom's own, 96 or 128)
  -h, --help           this help
`,
  options: {
    out: { type: 'string' },
    'no-serve': { type: 'boolean' },
    port: { type: 'string' },
    'no-figures': { type: 'boolean' },
    'no-pdf': { type: 'boolean' },
    'with-fixtures': { type: 'boolean' },
    workers: { type: 'string' },
    box: { type: 'string' },
  },
  async run(values) {
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
  },
};

/** What the demo mirror folder was built from: the same stamp means the same bytes, so it is kept. */
interface DemoStamp {
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
    if (stamp.analyzer === ANALYZER_VERSION && stamp.box === (box ?? null) && stamp.withFixtures === withFixtures) {
      process.stderr.write(`demo: reusing the mirror folder ${mirrorDir}\n`);
      return stamp.entries;
    }
  } catch {
    // no stamp: build it
  }
  await rm(mirrorDir, { recursive: true, force: true });
  process.stderr.write(`demo: simulating the phantom entries into ${mirrorDir} …\n`);
  const entries = await writeSimulatedEntries(mirrorDir, { box });
  if (withFixtures) {
    const added = await writeFixtureEntries(mirrorDir, fixturesDir);
    process.stderr.write(added.length > 0 ? `demo: added the real fixture maps ${added.join(', ')}\n` : `demo: no fixtures found at ${fixturesDir}; simulated entries only\n`);
  }
  const stamp: DemoStamp = { analyzer: ANALYZER_VERSION, box: box ?? null, withFixtures, entries };
  await writeFileAtomic(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  return entries;
}

/** Prints each simulated entry's outcome beside its phantom's known answer; returns the number of mismatches. */
async function checkExpectations(contentDir: string, simulated: readonly SimulatedEntry[], summary: NightlySummary): Promise<number> {
  let mismatches = 0;
  const lines: string[] = ['', 'phantom checks (each simulated entry against the answer it is built to give):'];
  for (const s of simulated) {
    const outcome = summary.outcomes.find((o) => o.id === s.id);
    const refusedNow = outcome?.status === 'refused' || (outcome?.status === 'reused' && (outcome.reason ?? '').startsWith('refused earlier'));
    if (s.expect.inputError) {
      const ok = refusedNow;
      if (!ok) mismatches++;
      lines.push(`${s.id} ${s.phantom.padEnd(20)} ${ok ? `refused as expected: ${printable(outcome?.reason ?? '', 120)}` : `expected a refusal (${s.expect.inputError}), got ${outcome?.status ?? 'no outcome'}`} ${ok ? 'OK' : 'MISMATCH'}`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(contentDir, 'entries', s.id, 'report.json'), 'utf8');
    } catch {
      mismatches++;
      lines.push(`${s.id} ${s.phantom.padEnd(20)} no report (${outcome?.status ?? 'not processed'}${outcome?.reason ? `: ${printable(outcome.reason, 120)}` : ''}) MISMATCH`);
      continue;
    }
    const report = parseReport(JSON.parse(text), s.id);
    const warned = reportItems(report).filter((i) => i.status === 'warnings').map((i) => i.id);
    const expected = s.expect.warns;
    const match = expected.length === warned.length && expected.every((e) => warned.includes(e));
    if (!match) mismatches++;
    const short = { ok: 'ok', warnings: 'WARN', 'not-applicable': 'n/a', failed: 'fail' } as const;
    const cells = reportItems(report).map((i) => `${i.id} ${short[i.status]}`).join(' ');
    lines.push(`${s.id} ${s.phantom.padEnd(20)} score ${report.score.passing}/${report.score.evaluable}  ${cells}  expected warnings: ${expected.join(', ') || 'none'} ${match ? 'OK' : 'MISMATCH'}`);
  }
  lines.push(mismatches === 0 ? 'every phantom gives its expected answer' : `${mismatches} phantom(s) do not give their expected answer`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return mismatches;
}

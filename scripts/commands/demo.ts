/**
 * `emvr demo`: the main job on its embedded default, with no network and no ../shared: simulates
 * the named phantoms (each with one known defect, plus clean ones), analyses each like an EMDB
 * entry into <out>/content, and prints what each item found next to what the phantom should show.
 */
import path from 'node:path';
import { writeMrc } from '../../analyzers/io/mrc-write.ts';
import { analyzeEntry } from '../../analyzers/level0/analyze.ts';
import { AnalysisInputError } from '../../analyzers/errors.ts';
import { ITEM_IDS } from '../../analyzers/report/schema.ts';
import { makePhantom, phantomNames } from '../../analyzers/simulate/phantoms.ts';
import { stringOption, type Command } from '../cli-kit.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'simulate the phantom maps and analyse them all (no network needed)',
  help: `usage: emvr demo [--out <dir>] [--no-figures]

Builds every phantom map (a procedural protein with one known defect each: decentred, background
offset, noise blobs, threshold too high, known B-factors, mirrored hand, masked background, plus a
well-behaved one), writes it to <out>/maps/, analyses it as entry EMD-9000x into <out>/content and
prints each item's status beside the defect it should detect.

options:
  --out <dir>       output folder (default: demo-out)
  --no-figures      skip figures
  -h, --help        this help
`,
  options: { out: { type: 'string' }, 'no-figures': { type: 'boolean' } },
  async run(values) {
    const out = stringOption(values, 'out') ?? 'demo-out';
    let failures = 0;
    for (const [k, name] of phantomNames.entries()) {
      const p = await makePhantom(name, { seed: 1 });
      const id = `EMD-${90001 + k}`;
      const mapPath = path.join(out, 'maps', `emd_${90001 + k}.map`);
      await writeMrc(mapPath, p.volume, { labels: [`emvr demo phantom ${name}`] });
      try {
        const report = await analyzeEntry({
          mapPath,
          entryDir: path.join(out, 'content', 'entries', id),
          figures: values['no-figures'] !== true,
          entry: { id, title: `Phantom: ${p.description}`, authors: ['emvr simulator'], depositionDate: null, releaseDate: null, resolution: p.resolution, threshold: p.threshold, method: 'singleParticle', pdbIds: [] },
        });
        const warned = ITEM_IDS.filter((i) => report.items[i].status === 'warnings');
        const expected = p.expect.warns;
        const match = expected.length === warned.length && expected.every((e) => warned.includes(e));
        if (!match) failures++;
        const cells = ITEM_IDS.slice(0, 4).map((i) => `${i} ${short(report.items[i].status)}`).join('  ');
        process.stdout.write(`${id} ${name.padEnd(20)} score ${report.score.passing}/${report.score.evaluable}  ${cells}  expected warnings: ${expected.join(', ') || 'none'} ${match ? 'OK' : 'MISMATCH'}\n`);
      } catch (err) {
        const ok = err instanceof AnalysisInputError && p.expect.inputError === 'threshold-too-high';
        if (!ok) failures++;
        process.stdout.write(`${id} ${name.padEnd(20)} refused: ${(err as Error).message} ${ok ? 'OK (expected)' : 'UNEXPECTED'}\n`);
      }
    }
    process.stdout.write(`reports in ${path.join(out, 'content', 'entries')}\n`);
    return failures === 0 ? 0 : 1;
  },
};

function short(status: string): string {
  return status === 'not-applicable' ? 'n/a' : status;
}

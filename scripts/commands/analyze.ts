/** `emvr analyze`: the Level 0 report of one map, written to <out>/entries/<id>/. */
import path from 'node:path';
import { analyzeEntry } from '../../analyzers/items/analyze-entry.ts';
import { EntryId, reportItems } from '../../analyzers/report/schema.ts';
import { numberOption, stringOption, UsageError, type Command } from '../cli-kit.ts';

/** A safe local entry name from a file name: local-<letters, digits, _ and ->. */
export function localId(mapPath: string): string {
  const stem = path.basename(mapPath).replace(/\.(map|mrc|ccp4)(\.gz|\.bz2)?$/iu, '').replace(/[^A-Za-z0-9_-]+/gu, '-').slice(0, 64);
  return `local-${stem || 'map'}`;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'run the Level 0 analysis of one map and write its report.json and figures',
  help: `usage: emvr analyze --map <file> --threshold <t> [--resolution <Å>] [--id EMD-N] [--out <dir>]

Runs the Level 0 analysis (0.a mass, 0.b mask, 0.c background, 0.d B-factor, 0.e local resolution
(MonoRes, single map), 0.f local B-factor, 0.g local occupancy, 0.h hand) on one map and writes
<out>/entries/<id>/report.json, figures/ and maps/ (the local-value maps). Without a resolution,
0.d-0.h do not apply. A threshold above every voxel is refused as an input error.

options:
  --map <file>          MRC/CCP4 map (.gz/.bz2 too)
  --threshold <t>       recommended contour level
  --resolution <Å>      reported resolution (optional)
  --id <EMD-N>          EMDB ID of the map (default: local-<file name>)
  --title <text>        title shown in the report
  --out <dir>           content folder (default: content)
  --no-figures          skip the figures (faster; the report lists none)
  --max-voxels <N>      refuse maps with more voxels (default 1.5e9)
  --json                print the report JSON instead of a summary
  -h, --help            this help
`,
  options: {
    map: { type: 'string' },
    threshold: { type: 'string' },
    resolution: { type: 'string' },
    id: { type: 'string' },
    title: { type: 'string' },
    out: { type: 'string' },
    'no-figures': { type: 'boolean' },
    'max-voxels': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const map = stringOption(values, 'map', true)!;
    const threshold = numberOption(values, 'threshold', { required: true })!;
    const resolution = numberOption(values, 'resolution', { exclusiveMin: 0 }) ?? null;
    const id = stringOption(values, 'id') ?? localId(map);
    if (!EntryId.safeParse(id).success) throw new UsageError(`--id must be an EMDB ID like EMD-1234 (or local-<name>), got ${JSON.stringify(id)}`);
    const out = stringOption(values, 'out') ?? 'content';
    const entryDir = path.join(out, 'entries', id);
    const report = await analyzeEntry({
      mapPath: map,
      entryDir,
      figures: values['no-figures'] !== true,
      maxVoxels: numberOption(values, 'max-voxels', { exclusiveMin: 0 }),
      entry: { id, title: (values.title as string | undefined) ?? null, authors: [], depositionDate: null, releaseDate: null, resolution, threshold, method: null, pdbIds: [] },
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [`${id}: ${report.score.passing} of ${report.score.evaluable} evaluable items pass (${report.provenance.totalSeconds} s, peak ${report.provenance.peakRssMB} MB)`];
    for (const it of reportItems(report)) {
      const k = it.id;
      const status = it.status === 'warnings' ? `${it.warnings.length} warning(s)` : it.status;
      lines.push(`  ${it.title.padEnd(44)} ${status}${it.reason ? `: ${it.reason}` : ''}`);
      for (const w of it.warnings) lines.push(`      - ${w.text}`);
    }
    lines.push(`report: ${path.join(entryDir, 'report.json')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

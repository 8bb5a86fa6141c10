/** `emvr analyze`: the report of one map (and its half maps and model, when given), written to <out>/entries/<id>/. */
import path from 'node:path';
import type { Entry } from '../../analyzers/report/schema.ts';
import { InputError, numberOption, stringOption, UsageError, type Command } from '../cli-kit.ts';
import type { HeaderXml } from '../emdb/header-xml.ts';

/** A safe local entry name from a file name: local-<letters, digits, _ and ->. */
export function localId(mapPath: string): string {
  const stem = path.basename(mapPath).replace(/\.(map|mrc|ccp4)(\.gz|\.bz2)?$/iu, '').replace(/[^A-Za-z0-9_-]+/gu, '-').slice(0, 64);
  return `local-${stem || 'map'}`;
}

export const analyzeCommand: Command = {
  name: 'analyze',
  help: `usage: emvr analyze --map <file> (--threshold <t> | --header <emd-N.xml>) [--resolution <Å>] [--half-maps <h1> <h2>] [--model <file>] [--id EMD-N] [--out <dir>]

Runs every report item whose inputs are given: Level 0 on the map (0.a mass, 0.b mask, 0.c
background, 0.d B-factor, 0.e local resolution (MonoRes, single map), 0.f local B-factor, 0.g local
occupancy, 0.h hand); items that need the half maps or a model run when those are given. Writes
<out>/entries/<id>/report.json, figures/ and maps/ (the local-value maps), into a staging folder
beside it that replaces <out>/entries/<id> only when complete: a failure (a refused input, a full
disk) leaves the old folder, or nothing, behind. Without a resolution,
0.d-0.h do not apply. A threshold above every voxel, or half maps on another grid than the map,
are refused as input errors.

With --header (the EMDB header XML of the entry, schema v1.9 or v3, as the archive's
header/emd-N.xml) the threshold (primary contour), resolution, ID, title, authors, dates, method,
applied symmetry, sample molecular weight and fitted PDB IDs come from it; --threshold,
--resolution, --id and --title still override. Where the header's voxel size or box disagrees with
the map, the report's input section warns. A header that cannot be read, or that belongs to another
entry than --id, stops the command (exit 1) before anything is written.

While it works, analyze shows its progress on stderr: on a terminal one line redrawn in place
(the step being computed and its elapsed time, the total time; no ETA, as the steps differ in
cost by orders of magnitude), otherwise one line per step as it finishes ("0.e Local resolution
… ok, 19.1 s"). --quiet silences it; stdout (the summary, or --json) is the same either way.

options:
  --map <file>          MRC/CCP4 map (.gz/.bz2 too)
  --threshold <t>       recommended contour level (default: the header's, with --header)
  --resolution <Å>      reported resolution (optional; default: the header's, with --header)
  --header <file>       EMDB header XML (v1.9 or v3) of the entry
  --half-maps <h1> <h2> the two half maps (same box and voxel size as the map)
  --model <file>        the fitted model (PDB or mmCIF, .gz too)
  --id <EMD-N>          EMDB ID of the map (default: the header's, else local-<file name>)
  --title <text>        title shown in the report
  --out <dir>           content folder (default: content)
  --no-figures          skip the figures (faster; the report lists none)
  --max-voxels <N>      refuse maps with more voxels (default 1.5e9)
  --permissive          read past problems mrcfile's permissive mode reads past (bad map ID, a
                        machine stamp contradicting the data, trailing bytes); they are listed
                        as notes on the map in the report
  --json                print the report JSON instead of a summary
  --quiet               no progress on stderr
  -h, --help            this help
`,
  positionals: true,
  options: {
    map: { type: 'string' },
    'half-maps': { type: 'string' },
    model: { type: 'string' },
    threshold: { type: 'string' },
    resolution: { type: 'string' },
    header: { type: 'string' },
    id: { type: 'string' },
    title: { type: 'string' },
    out: { type: 'string' },
    'no-figures': { type: 'boolean' },
    'max-voxels': { type: 'string' },
    permissive: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  async run(values, positionals) {
    // Loaded here, not at the top: `emvr analyze --help` must not wait for the analyzer.
    const [{ analyzeEntry }, { EntryId, reportItems }, { writeFolderStaged }, { AnalyzeProgress }] = await Promise.all([import('../../analyzers/items/analyze-entry.ts'), import('../../analyzers/report/schema.ts'), import('../jobs/staged-folder.ts'), import('./analyze-progress.ts')]);
    const map = stringOption(values, 'map', true)!;
    // `--half-maps h1 h2`: the option takes h1, and h2 is the one positional argument.
    const half1 = stringOption(values, 'half-maps');
    if (half1 === undefined ? positionals.length > 0 : positionals.length !== 1) {
      throw new UsageError(half1 === undefined ? `unexpected argument ${JSON.stringify(positionals[0])}` : `--half-maps takes two files, got ${1 + positionals.length}`);
    }
    const halfMapPaths = half1 === undefined ? undefined : ([half1, positionals[0]] as const);
    const idFlag = stringOption(values, 'id');
    if (idFlag !== undefined && !EntryId.safeParse(idFlag).success) throw new UsageError(`--id must be an EMDB ID like EMD-1234 (or local-<name>), got ${JSON.stringify(idFlag)}`);
    const headerPath = stringOption(values, 'header');
    const header = headerPath === undefined ? null : await headerOf(headerPath, idFlag);
    if (header !== null && header.metadata.threshold === null && values.threshold === undefined) throw new InputError(`${headerPath}: the header gives no contour level; give --threshold`);
    const entry = entryFrom(header, {
      id: idFlag,
      fallbackId: localId(map),
      threshold: numberOption(values, 'threshold', { required: header === null }),
      resolution: numberOption(values, 'resolution', { exclusiveMin: 0 }),
      title: values.title as string | undefined,
    });
    const id = entry.id;
    const out = stringOption(values, 'out') ?? 'content';
    const entryDir = path.join(out, 'entries', id);
    const progress = values.quiet === true ? null : new AnalyzeProgress(`analyze ${id}`);
    // Written beside the entry folder and swapped in whole: a failure (disk full, say) leaves nothing.
    const report = await writeFolderStaged(entryDir, (staging) => analyzeEntry({
      mapPath: map,
      halfMapPaths,
      modelPath: stringOption(values, 'model'),
      entryDir: staging,
      figures: values['no-figures'] !== true,
      maxVoxels: numberOption(values, 'max-voxels', { exclusiveMin: 0 }),
      permissive: values.permissive === true,
      entry,
      ...(header && headerPath !== undefined ? { metadataGrid: { source: `header ${path.basename(headerPath)}`, voxelSize: header.metadata.voxelSize, dims: header.metadata.dims } } : {}),
      ...(progress ? { onStep: progress.onStep } : {}),
    })).finally(() => progress?.stop());
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [`${id}: ${report.score.passing} of ${report.score.evaluable} evaluable items pass (${report.provenance.totalSeconds} s, peak ${report.provenance.peakRssMB} MB)`];
    for (const w of report.inputs.warnings ?? []) lines.push(`  input warning: ${w.message}`);
    for (const it of reportItems(report)) {
      const status = it.status === 'warnings' ? `${it.warnings.length} warning(s)` : it.status;
      lines.push(`  ${it.title.padEnd(44)} ${status}${it.reason ? `: ${it.reason}` : ''}`);
      for (const w of it.warnings) lines.push(`      - ${w.text}`);
    }
    lines.push(`report: ${path.join(entryDir, 'report.json')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** The header of `--header`, checked against `--id` when both are given; any problem is an input error naming the file. */
async function headerOf(file: string, id: string | undefined): Promise<HeaderXml> {
  const { HeaderXmlError, readHeaderFile } = await import('../emdb/header-xml.ts');
  const expected = id !== undefined && /^EMD-\d{4,}$/u.test(id) ? id : null;
  try {
    return await readHeaderFile(file, expected);
  } catch (err) {
    if (err instanceof HeaderXmlError) throw new InputError(err.message);
    throw err;
  }
}

/** The report's entry block: the header's values (when given) under the flags that override them. */
export function entryFrom(header: HeaderXml | null, flags: { id?: string; fallbackId: string; threshold?: number; resolution?: number; title?: string }): Entry {
  const m = header?.metadata ?? null;
  const threshold = flags.threshold ?? m?.threshold ?? null;
  if (threshold === null) throw new UsageError('the header gives no contour level: give --threshold');
  return {
    id: flags.id ?? m?.id ?? flags.fallbackId,
    title: flags.title ?? m?.title ?? null,
    authors: m ? [...m.authors] : [],
    depositionDate: m?.depositionDate ?? null,
    releaseDate: m?.releaseDate ?? null,
    resolution: flags.resolution ?? m?.resolution ?? null,
    threshold,
    method: m?.method ?? null,
    pdbIds: m ? [...m.pdbIds] : [],
    ...(m ? { symmetry: m.symmetry, molecularWeightMDa: m.molecularWeightMDa } : {}),
  };
}

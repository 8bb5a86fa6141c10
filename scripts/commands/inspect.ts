/** `emvr inspect <map>`: header, frame and statistics of a map, as text or JSON. */
import { numberOption, UsageError, type Command } from '../cli-kit.ts';

export const inspectCommand: Command = {
  name: 'inspect',
  help: `usage: emvr inspect <map> [--json] [--permissive] [--max-voxels N]

Reads an MRC2014/CCP4 map (plain, gzip or bzip2, sniffed from the bytes), reorders its axes to
x fastest and prints: file hash, mode, byte order, dimensions, voxel size (cell / sampling),
origin (ORIGIN + nstart × voxel, Å), header and computed statistics, NaN/Inf counts, notes.

options:
  --json            print JSON (dims [nx,ny,nz], voxelSize [x,y,z] Å, origin [x,y,z] Å, mode,
                    stats {min,max,mean,std}, nanCount, ...)
  --permissive      read past problems mrcfile's permissive mode reads past (bad map ID, wrong
                    machine stamp, trailing bytes), reporting them as notes
  --max-voxels N    refuse maps with more voxels than N before allocating (default 1.5e9)
  -h, --help        this help
`,
  options: {
    json: { type: 'boolean' },
    permissive: { type: 'boolean' },
    'max-voxels': { type: 'string' },
  },
  positionals: true,
  async run(values, positionals) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const [{ readMrc }, { describeMap, formatDescription }, { toVolume }] = await Promise.all([import('../../analyzers/io/mrc.ts'), import('../../analyzers/volume/describe.ts'), import('../../analyzers/volume/from-mrc.ts')]);
    if (positionals.length !== 1) throw new UsageError(`expected one map file, got ${positionals.length}`);
    const file = await readMrc(positionals[0], {
      permissive: values.permissive === true,
      maxVoxels: numberOption(values, 'max-voxels', { exclusiveMin: 0 }),
    });
    const { volume, frame } = toVolume(file);
    const d = describeMap(file, volume, frame);
    process.stdout.write(values.json ? `${JSON.stringify(d, null, 2)}\n` : formatDescription(d));
    return 0;
  },
};

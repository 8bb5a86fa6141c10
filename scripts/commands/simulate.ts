/** `emvr simulate`: a map from an atomic model file, or a named phantom with a known defect. */
import type { PhantomName } from '../../analyzers/simulate/phantoms.ts';
import { numberOption, stringOption, UsageError, type Command } from '../cli-kit.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  help: `usage: emvr simulate --model <file> --resolution <Å> --out <map> [options]
       emvr simulate --phantom <name> --out <map> [--seed N]
       emvr simulate --list-phantoms

From a model: each atom becomes a 3-D Gaussian (σ = 0.225·resolution Å, as Chimera molmap),
weighted by its atomic number, on a grid around the model; optional global B-factor, noise and
mirror (hand flip). From a phantom: a procedural protein-like map with one known defect (see
--list-phantoms); its threshold and resolution are printed, to be passed to "emvr analyze".

options:
  --model <file>        PDB or mmCIF (.gz too)
  --resolution <Å>      resolution of the simulated map (σ = 0.225·res)
  --voxel <Å>           voxel size (default resolution/3, at most 1.5)
  --padding <Å>         empty margin around the model (default 20)
  --cubic               make the box cubic
  --bfactor <Å²>        global B (≤ 0 blurs, > 0 sharpens; |F| ∝ exp(B·s²/4))
  --noise <σ>           add Gaussian noise of this standard deviation
  --mirror              mirror the map (z → −z): the wrong hand
  --seed <n>            seed for the noise and the phantoms (default 1)
  --phantom <name>      write a named phantom instead of a model map
  --list-phantoms       list phantom names with what each tests
  --out <map>           output MRC file (.gz compresses)
  -h, --help            this help
`,
  options: {
    model: { type: 'string' },
    resolution: { type: 'string' },
    voxel: { type: 'string' },
    padding: { type: 'string' },
    cubic: { type: 'boolean' },
    bfactor: { type: 'string' },
    noise: { type: 'string' },
    mirror: { type: 'boolean' },
    seed: { type: 'string' },
    phantom: { type: 'string' },
    'list-phantoms': { type: 'boolean' },
    out: { type: 'string' },
  },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const [{ readModel }, { writeMrc }, { makePhantom, phantomNames }, { gridAroundModel, mirrorVolume, simulateMap }] = await Promise.all([import('../../analyzers/io/model-read.ts'), import('../../analyzers/volume/to-mrc.ts'), import('../../analyzers/simulate/phantoms.ts'), import('../../analyzers/simulate/simulate.ts')]);
    const seed = numberOption(values, 'seed') ?? 1;
    if (values['list-phantoms']) {
      for (const name of phantomNames) {
        const p = await makePhantom(name, { seed });
        process.stdout.write(`${name.padEnd(20)} threshold ${p.threshold.toPrecision(4)}, resolution ${p.resolution ?? 'none'}: ${p.description}\n`);
      }
      return 0;
    }
    const out = stringOption(values, 'out', true)!;
    if (values.phantom !== undefined) {
      const name = values.phantom as string;
      if (!(phantomNames as readonly string[]).includes(name)) {
        throw new UsageError(`unknown phantom "${name}"; known: ${phantomNames.join(', ')}`);
      }
      const p = await makePhantom(name as PhantomName, { seed });
      await writeMrc(out, p.volume, { labels: [`emvr phantom ${name} seed ${seed}`] });
      process.stdout.write(`${out}: phantom ${name}, threshold ${p.threshold}, resolution ${p.resolution ?? 'none'}\n`);
      return 0;
    }
    const modelPath = stringOption(values, 'model', true)!;
    const resolution = numberOption(values, 'resolution', { required: true, exclusiveMin: 0 })!;
    const voxel = numberOption(values, 'voxel', { exclusiveMin: 0 }) ?? Math.min(1.5, resolution / 3);
    const padding = numberOption(values, 'padding', { min: 0 }) ?? 20;
    const model = await readModel(modelPath);
    const grid = gridAroundModel(model, voxel, padding, { cubic: values.cubic === true });
    let map = await simulateMap(model, grid, {
      resolution,
      bFactor: numberOption(values, 'bfactor'),
      noiseSigma: numberOption(values, 'noise', { min: 0 }),
      seed,
    });
    if (values.mirror) map = mirrorVolume(map);
    await writeMrc(out, map, { labels: [`emvr simulate ${modelPath.split('/').pop()} res ${resolution}${values.mirror ? ' mirrored' : ''}`] });
    process.stdout.write(`${out}: ${map.dims.join('×')} voxels of ${voxel} Å from ${model.count} atoms\n`);
    return 0;
  },
};

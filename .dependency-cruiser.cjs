/**
 * The layers of the code base, enforced by `npm run lint` (dependency-cruiser), which `npm test`
 * runs. Bottom-up, each layer imports only layers below it:
 *
 *   analyzers/util, analyzers/report, analyzers/testing   (memory, random, errors; the report contract)
 *   analyzers/io        map and model files
 *   analyzers/volume    the Volume type, statistics, labelling, morphology
 *   analyzers/fft       3-D FFT engines and the worker pool (fft/contract.ts: kernels do not import back)
 *   analyzers/methods   shared algorithms: masks, filters, resampling, order statistics, MonoRes, Guinier…
 *   analyzers/simulate  model → map, phantoms
 *   analyzers/figures   slices, plots, surfaces, the report's figure writer
 *   analyzers/items     item implementations, the per-entry context, the registry, the runner
 *   scripts/            commands and orchestration (above all of analyzers/)
 *   site/               imports only analyzers/report (the report schema, the item specs and catalog)
 *
 * Tests and benchmarks (*.test.ts, *.bench.ts) may import any layer (a test of a method may build
 * a phantom, or use an item's report builder), but nothing may import them.
 */
const A = '^analyzers/';
const TEST = '\\.(test|bench)\\.ts$';

/** `from` layer may import only `allowed` (plus itself and node/npm modules). */
function layer(name, from, allowed) {
  return {
    name: `layer-${name}`,
    comment: `${from} may import only ${allowed.join(', ') || 'nothing of the project'}`,
    severity: 'error',
    from: { path: from, pathNot: TEST },
    to: { path: '^(analyzers|scripts|site)/', pathNot: [from, ...allowed, '^package\\.json$'] },
  };
}

const util = `${A}util/`;
const report = `${A}report/`;
const testing = `${A}testing/`;
const io = `${A}io/`;
const volume = `${A}volume/`;
const fft = `${A}fft/`;
const methods = `${A}methods/`;
const simulate = `${A}simulate/`;
const figures = `${A}figures/`;

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'import circles make layers meaningless', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-test-imports', comment: 'tests and benchmarks are leaves', severity: 'error', from: { pathNot: TEST }, to: { path: TEST } },
    layer('util', `${A}util/`, []),
    layer('report', report, [util]),
    layer('testing', testing, [util]),
    layer('io', io, [util]),
    layer('volume', volume, [util, io]),
    layer('fft', fft, [util, volume]),
    layer('fft-kernels', `${A}fft/(?!fft\\.ts$)`, [util, volume, `${A}fft/(?!fft\\.ts$)`]),
    layer('methods', methods, [util, io, volume, fft]),
    layer('simulate', simulate, [util, io, volume, fft, methods]),
    layer('figures', figures, [util, report, io, volume, fft, methods]),
    layer('items', `${A}items/`, [util, report, io, volume, fft, methods, simulate, figures]),
    { name: 'analyzers-below-scripts', comment: 'the analysis library never imports the commands or the site (its tests may use a script harness)', severity: 'error', from: { path: A, pathNot: TEST }, to: { path: '^(scripts|site)/' } },
    layer('site', '^site/', [report]),
    layer('scripts-jobs', '^scripts/jobs/', ['^analyzers/']),
    layer('scripts-emdb', '^scripts/emdb/', ['^analyzers/', '^scripts/progress\\.ts$']),
    layer('scripts-mirror', '^scripts/mirror/', ['^analyzers/', '^scripts/emdb/']),
    layer('scripts-slurm', '^scripts/slurm/', ['^analyzers/', '^scripts/(jobs|emdb)/', '^scripts/progress\\.ts$']),
    layer('scripts-site', '^scripts/site/', ['^analyzers/', '^site/']),
    layer('scripts-nightly', '^scripts/nightly/', ['^analyzers/', '^scripts/(jobs|emdb|slurm|site)/', '^scripts/progress\\.ts$']),
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^site/src/env\\.d\\.ts$'] },
    moduleSystems: ['es6', 'cjs'],
  },
};

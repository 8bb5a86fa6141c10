/**
 * Benchmark of 0.f LocBFactor and 0.g LocOccupancy on a real map (not a test).
 *
 *   npx node analyzers/methods/local-bfactor.bench.ts [map] [threshold] [resolution] [repeats]
 *
 * Default: EMD-44046 (360³, 1.044 Å, contour 0.3, 2.99 Å) resampled crudely (trilinear, no
 * low-pass; the real pipeline uses the Fourier resize) onto the cube of edge
 * W = 2·floor(N·Ts/(2·Ts')) at Ts' = res/2, centred on the map centre; hard mask at the same
 * threshold. Each run does 0.f and 0.g independently, then both on one shared spectrum that keeps
 * the two common shells (1/15 and 1/res Å⁻¹). Prints per run the wall time and the CPU time (user + system, this process) of each
 * item and the process peak RSS (maxRSS), then medians. Wall times on a shared 2-core machine are
 * noisy; the CPU time shows the work when other jobs compete for the cores.
 */
import { performance } from 'node:perf_hooks';
import { readMrc } from '../io/mrc.ts';
import { fixture } from '../testing/fixtures.ts';
import { toVolume } from '../volume/from-mrc.ts';
import { resampleOnto } from '../volume/interpolate.ts';
import { createSpiralAmplitude } from './spiral-amplitude.ts';
import { localBFactor } from './local-bfactor.ts';
import { localOccupancy } from './local-occupancy.ts';
import { buildMasks } from './masks.ts';
import { maskedSummary } from './order-statistics.ts';

const mapPath = process.argv[2] || fixture('EMD-44046/emd_44046.map.gz');
const threshold = Number(process.argv[3] ?? 0.3);
const res = Number(process.argv[4] ?? 2.99);
const repeats = Number(process.argv[5] ?? 3);

const rssMB = () => process.resourceUsage().maxRSS / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const { volume } = toVolume(await readMrc(mapPath));
const Ts = volume.voxelSize[0];
const TsNew = res / 2;
const W = 2 * Math.floor((volume.dims[0] * Ts) / (2 * TsNew));
const centre = volume.dims.map((d, k) => volume.origin[k] + ((d - 1) / 2) * volume.voxelSize[k]);
const origin = centre.map((c) => c - ((W - 1) / 2) * TsNew) as [number, number, number];
const resized = resampleOnto(volume, { dims: [W, W, W], voxelSize: [TsNew, TsNew, TsNew], origin });
for (let i = 0; i < resized.data.length; i++) if (resized.data[i] !== resized.data[i]) resized.data[i] = 0;
const masks = buildMasks(resized, threshold);
console.log(`map ${volume.dims.join('×')} at ${Ts} Å → ${W}³ at ${TsNew} Å; mask ${masks.hardCount} voxels; RSS after setup ${rssMB().toFixed(0)} MB`);

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const tb: number[] = [];
const to: number[] = [];
const cb: number[] = [];
const co: number[] = [];
const ts: number[] = [];
const cs: number[] = [];
let sharedPeak = 0;
for (let r = 0; r < repeats; r++) {
  let t = performance.now();
  let c = cpu();
  const b = await localBFactor(resized, masks.hard, res);
  tb.push((performance.now() - t) / 1000);
  cb.push(cpu() - c);
  t = performance.now();
  c = cpu();
  const o = await localOccupancy(resized, masks.hard, res);
  to.push((performance.now() - t) / 1000);
  co.push(cpu() - c);
  console.log(`run ${r + 1}: 0.f ${tb[r].toFixed(2)} s wall, ${cb[r].toFixed(2)} s CPU (median B ${maskedSummary(b.bmap, masks.hard)!.median.toFixed(1)} Å²); 0.g ${to[r].toFixed(2)} s wall, ${co[r].toFixed(2)} s CPU (${o.run.shells} shells, median ${maskedSummary(o.omap, masks.hard, [0, 1])!.median.toFixed(2)}); peak RSS ${rssMB().toFixed(0)} MB`);
  t = performance.now();
  c = cpu();
  const amplitude = await createSpiralAmplitude(resized, 4.8, [1 / 15, 1 / res]);
  const b2 = await localBFactor(resized, masks.hard, res, { amplitude });
  const o2 = await localOccupancy(resized, masks.hard, res, { amplitude });
  ts.push((performance.now() - t) / 1000);
  cs.push(cpu() - c);
  if (b2.bmap.some((x, i) => !Object.is(x, b.bmap[i])) || o2.omap.some((x, i) => x !== o.omap[i])) throw new Error('shared spectrum changed a result');
  sharedPeak = rssMB();
  console.log(`run ${r + 1}: shared 0.f + 0.g ${ts[r].toFixed(2)} s wall, ${cs[r].toFixed(2)} s CPU; peak RSS ${sharedPeak.toFixed(0)} MB`);
}
console.log(`median wall 0.f ${median(tb).toFixed(2)} s, 0.g ${median(to).toFixed(2)} s, total ${(median(tb) + median(to)).toFixed(2)} s, shared ${median(ts).toFixed(2)} s; median CPU 0.f ${median(cb).toFixed(2)} s, 0.g ${median(co).toFixed(2)} s, shared ${median(cs).toFixed(2)} s; peak RSS ${rssMB().toFixed(0)} MB`);

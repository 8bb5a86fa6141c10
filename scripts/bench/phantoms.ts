/**
 * How long the Level 0 phantoms take to build (analyzers/simulate/phantoms.ts; the phantom tests
 * build every one of them first): wall time of makePhantom per phantom, median over --runs, in
 * this one process (the first run of each also pays for compiling the code it uses); and the map
 * simulation under them: a ~2000-atom procedural protein on a 100³ grid (once a unit test's timing
 * assert, ≈ 20 ms on one core).
 *
 * usage: node scripts/bench/phantoms.ts [--runs 3]
 */
import { parseArgs } from 'node:util';
import { makePhantom, phantomNames } from '../../analyzers/simulate/phantoms.ts';
import { proceduralProtein } from '../../analyzers/simulate/protein.ts';
import { simulateMap } from '../../analyzers/simulate/simulate.ts';

/** What each phantom took when the unit test still timed it (≈ 0.1–0.6 s on one core); reported, not asserted. */
const TARGET_SECONDS = 3;
/** The simulation of ~2000 atoms on 100³ (reported, not asserted). */
const SIMULATE_TARGET_SECONDS = 1;

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs ?? 3));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows: [string, number][] = [];
for (const name of phantomNames) {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await makePhantom(name, { seed: 1 });
    t.push((performance.now() - t0) / 1000);
  }
  rows.push([name, median(t)]);
}
const protein = proceduralProtein({ seed: 2, helices: 10, residuesPerHelix: 20, strands: 5 });
const grid = { dims: [100, 100, 100] as [number, number, number], voxelSize: [1, 1, 1] as [number, number, number], origin: [-50, -50, -50] as [number, number, number] };
await simulateMap(protein, grid, { resolution: 3.5 }); // warm-up: compile the code first
const sim: number[] = [];
for (let i = 0; i < Math.max(runs, 3); i++) {
  const t0 = performance.now();
  await simulateMap(protein, grid, { resolution: 3.5 });
  sim.push((performance.now() - t0) / 1000);
}
const worst = Math.max(...rows.map(([, s]) => s));
const total = rows.reduce((a, [, s]) => a + s, 0);
const lines = [`phantom builds (median of ${runs} runs each, one process):`];
for (const [name, s] of rows) lines.push(`  ${name.padEnd(26)} ${s.toFixed(3)} s`);
lines.push(`all ${rows.length}: ${total.toFixed(2)} s; target (reported, not asserted): each ≤ ${TARGET_SECONDS} s: ${worst <= TARGET_SECONDS ? 'met' : `missed (slowest ${worst.toFixed(3)} s)`}`);
lines.push(`simulateMap of ${protein.count} atoms on 100³ at 3.5 Å: ${median(sim).toFixed(3)} s (median of ${sim.length}; target ≤ ${SIMULATE_TARGET_SECONDS} s: ${median(sim) <= SIMULATE_TARGET_SECONDS ? 'met' : 'missed'})`);
process.stdout.write(`${lines.join('\n')}\n`);

/**
 * How fast the command line answers (issue 24: `emvr --help` and every command start in < 0.3 s on
 * an idle machine): wall time of `emvr --help` and of `emvr <command> --help` for every command,
 * each a fresh Node process (the cost is module loading), median over --runs, beside the time of a
 * Node process that loads nothing (the floor no code change can lower).
 *
 * usage: node scripts/bench/cli-start.ts [--runs 7]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';

/** The target of issue 24, seconds (reported, not asserted). */
const TARGET_SECONDS = 0.3;
const COMMANDS = ['demo', 'nightly', 'status', 'mirror', 'analyze', 'analyze-batch', 'build', 'serve', 'inspect', 'simulate'];

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Math.max(1, Number(values.runs ?? 7));
const cli = path.join(projectRoot, 'scripts/cli.ts');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall seconds of `node args…` (stdout discarded; a non-zero exit is an error). */
function timeOf(args: string[]): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    t.push((performance.now() - t0) / 1000);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-300)}`);
  }
  return median(t);
}

const floor = timeOf(['-e', '0']);
const rows = [['emvr --help', timeOf([cli, '--help'])] as const, ...COMMANDS.map((c) => [`emvr ${c} --help`, timeOf([cli, c, '--help'])] as const)];
const worst = Math.max(...rows.map(([, s]) => s));
const lines = [`command-line start (median of ${runs} fresh processes; node -e 0 takes ${floor.toFixed(3)} s):`];
for (const [name, s] of rows) lines.push(`  ${name.padEnd(26)} ${s.toFixed(3)} s`);
lines.push(`target (reported, not asserted): every one ≤ ${TARGET_SECONDS} s: ${worst <= TARGET_SECONDS ? 'met' : `missed (slowest ${worst.toFixed(3)} s)`}`);
process.stdout.write(`${lines.join('\n')}\n`);

/**
 * The cost of the archive percentiles at archive scale: N simulated index rows (seeded values for
 * every headline, resolutions 1.5–12 Å, some values missing), N entry folders in a temporary site;
 * times the statistics, every entry's glance.json (first write, a rebuild with nothing changed, and
 * after `--added` new entries, which move nearly every percentile), and the sizes of what the
 * browser loads (glance.json, /index.json's percentiles, /statistics/archive-statistics.json).
 *
 * usage: npx node scripts/site/bench-glance.ts [--entries 50000] [--added 50]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ITEM_IDS } from '../../analyzers/report/schema.ts';
import { mulberry32 } from '../../analyzers/util/random.ts';
import { KEY_VALUES, type IndexRow } from '../../site/src/lib/archive-index.ts';
import { archiveStatistics, entryGlance, percentileColumns } from '../../site/src/lib/archive-statistics.ts';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { writeGlanceFiles } from './glance-files.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '50000' }, added: { type: 'string', default: '50' } } });
const n = Number(values.entries), added = Number(values.added);
const rand = mulberry32(11);

function row(i: number): IndexRow {
  const keys = KEY_VALUES.map(() => (rand() < 0.15 ? null : Math.round(1e4 * rand() * 10) / 1e4));
  return [`EMD-${10000 + i}`, `entry ${i}`, Math.round(100 * (1.5 + 10.5 * rand() ** 2)) / 100, '2024-01-01', null, 5, 8, 'o'.repeat(ITEM_IDS.length), ITEM_IDS.map(() => 0), ...keys];
}

const rows = Array.from({ length: n }, (_, i) => row(i));
const f = fanOut(10_000);
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-bench-glance-'));
const folderOf = (id: string) => entryFolder(id, f);
try {
  for (let i = 0; i < n + added; i++) fs.mkdirSync(path.join(site, folderOf(`EMD-${10000 + i}`)), { recursive: true });
  let t = performance.now();
  const stats = archiveStatistics(rows);
  const tStats = performance.now() - t;
  t = performance.now();
  // Sizes only: holding every text would be the bench's memory, not the build's.
  const sizes: number[] = [];
  for (const row of rows) sizes.push(Buffer.byteLength(`${JSON.stringify(entryGlance(stats, row))}\n`));
  const tTexts = performance.now() - t;
  t = performance.now();
  const pct = percentileColumns(stats, rows);
  const tPct = performance.now() - t;
  // CPU seconds (user + system) of a step: on a shared machine wall times are upper bounds.
  const cpu = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const c0 = process.cpuUsage();
    const r = await f();
    const c = process.cpuUsage(c0);
    return [r, (c.user + c.system) / 1e6];
  };
  const [first, cFirst] = await cpu(() => writeGlanceFiles(site, rows, folderOf));
  const [again, cAgain] = await cpu(() => writeGlanceFiles(site, rows, folderOf));
  const grown = [...rows, ...Array.from({ length: added }, (_, i) => row(n + i))];
  const [after, cAfter] = await cpu(() => writeGlanceFiles(site, grown, folderOf));
  sizes.sort((a, b) => a - b);
  const mb = (s: string) => (Buffer.byteLength(s) / 2 ** 20).toFixed(1);
  console.log(`${n} entries: statistics ${tStats.toFixed(0)} ms; every glance.json computed in ${tTexts.toFixed(0)} ms; /index.json percentiles ${tPct.toFixed(0)} ms`);
  console.log(`glance.json: median ${sizes[sizes.length >> 1]} bytes; written first ${first.seconds.toFixed(1)} s (${cFirst.toFixed(1)} s CPU; ${first.written}), nothing changed ${again.seconds.toFixed(1)} s (${cAgain.toFixed(1)} s CPU; ${again.written} written), ${added} added ${after.seconds.toFixed(1)} s (${cAfter.toFixed(1)} s CPU; ${after.written} written, ${after.unchanged} unchanged)`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`archive-statistics.json ${mb(JSON.stringify(stats))} MB; /index.json percentiles block ${mb(JSON.stringify(pct))} MB`);
} finally {
  fs.rmSync(site, { recursive: true, force: true });
}

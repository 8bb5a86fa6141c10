/**
 * `npx node scripts/site/bench-print.ts --site <built site> --content <content> [--sample S]
 * [--tabs T] [--cache <dir>]`: the cost of printing S entries of a built site to PDF (not a test).
 * Prints them into a fresh cache (as `bench:site` does) and reports pages and entries per second
 * (wall) and CPU seconds per entry of this process and every process it started: Chromium's
 * browser, renderer and utility processes are its descendants and, once the browser has closed
 * and been reaped, are counted in this process's cutime/cstime (/proc/self/stat).
 * Use it on the work folder of `npm run bench:site -- --work <dir>`: `--site <dir>/site --content <dir>/content`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { entryFolder, fanOut } from '../../site/src/lib/entry-path.ts';
import { PROJECT_ROOT, siteEntryIds } from './build-site.ts';
import { printPdfs } from './print-pdfs.ts';

/** CPU seconds of this process plus its reaped descendants (utime, stime, cutime, cstime). */
function treeCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(f[i]), 0);
  return ticks / 100;
}

/** The pids of every descendant of `root` (from /proc/<pid>/task/<tid>/children: no scan of all of /proc). */
function descendants(root: number): number[] {
  const out: number[] = [];
  const walk = (pid: number) => {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return; // Gone.
    }
    for (const t of tasks) {
      let kids = '';
      try {
        kids = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const k of kids.split(' ').filter(Boolean).map(Number)) {
        out.push(k);
        walk(k);
      }
    }
  };
  walk(root);
  return out;
}

/** utime + stime (seconds) of every descendant of this process now, by pid. */
function descendantsCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of descendants(process.pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** Sampled CPU seconds of the descendants by Chromium process type (--type=…; "browser" without one). */
const kinds = new Map<number, string>();
function byType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pid, t] of sampled) {
    const k = kinds.get(pid) ?? '?';
    out[k] = Math.round(((out[k] ?? 0) + t) * 100) / 100;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const { values } = parseArgs({ options: { site: { type: 'string' }, content: { type: 'string' }, sample: { type: 'string' }, tabs: { type: 'string' }, cache: { type: 'string' } } });
if (!values.site || !values.content) throw new Error('--site and --content are required');
const site = path.resolve(values.site);
const sample = Number(values.sample ?? 6);
const tabs = Number(values.tabs ?? 3);
const cache = path.resolve(values.cache ?? fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-bench-print-')));
fs.rmSync(cache, { recursive: true, force: true });
const ids = siteEntryIds(site).slice(0, sample);
const load0 = os.loadavg()[0];
const cpu0 = treeCpuSeconds();
// Sampled as well: a descendant that is never reaped into cutime (Chromium's zygote children) still counts, up to its last sample.
const sampled = new Map<number, number>();
// The sampling's own CPU is left out of this process's.
let samplingCpu = 0;
const timer = setInterval(() => {
  const c0 = process.cpuUsage();
  for (const [pid, t] of descendantsCpu()) {
    sampled.set(pid, Math.max(t, sampled.get(pid) ?? 0));
    if (!kinds.has(pid)) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        kinds.set(pid, /--type=([\w-]+)/u.exec(cmd)?.[1] ?? (cmd.includes('chrom') ? 'browser' : cmd.split('\0')[0]));
      } catch {
        // Gone.
      }
    }
  }
  const c = process.cpuUsage(c0);
  samplingCpu += (c.user + c.system) / 1e6;
}, 100);
const self0 = process.cpuUsage();
const p = await printPdfs({ siteDir: site, base: '/', contentDir: path.resolve(values.content), cacheDir: cache, ids, tabs, force: true, folderOf: (id) => entryFolder(id, fanOut(undefined)) }, PROJECT_ROOT);
const cpu = treeCpuSeconds() - cpu0 - samplingCpu;
clearInterval(timer);
const selfUsage = process.cpuUsage(self0);
const selfCpu = (selfUsage.user + selfUsage.system) / 1e6 - samplingCpu;
const sampledCpu = selfCpu + [...sampled.values()].reduce((a, b) => a + b, 0);
const sizes = ids.map((id) => fs.statSync(path.join(cache, `${id}.pdf`)).size);
const result = {
  entries: p.printed,
  pages: p.pages,
  tabs,
  seconds: Math.round(p.seconds * 100) / 100,
  pagesPerSecond: Math.round(p.pagesPerSecond * 100) / 100,
  entriesPerSecond: Math.round((p.printed / p.seconds) * 1000) / 1000,
  cpuSecondsPerEntry: Math.round((Math.max(cpu, sampledCpu) / p.printed) * 100) / 100,
  cpuByProcessType: byType(),
  cpuSeconds: { reaped: Math.round(cpu * 100) / 100, sampled: Math.round(sampledCpu * 100) / 100, node: Math.round(selfCpu * 100) / 100, sampling: Math.round(samplingCpu * 100) / 100 },
  pdfBytesMedian: median(sizes),
  failed: p.failed,
  loadAverage: [load0, os.loadavg()[0]],
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);

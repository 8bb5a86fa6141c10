/**
 * The site step of the nightly job, run as a child process so analysis and presentation stay
 * decoupled: `node scripts/cli.ts build --content <dir> --out <dir> [--base /x/] [--no-pdf]`
 * (Astro static site + Pagefind index + PDFs of changed entries; incremental when the site exists:
 * only new and changed entries are rendered, scripts/site/build-site.ts). Whether that command exists is
 * asked at run time (`build --help`); when it does not, the step says so and is skipped — it is
 * never faked. Its output goes to our stderr so stdout keeps the run summary.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** scripts/cli.ts of this checkout. */
export const CLI_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');

/** Text a site-builder command line contains (used by the lock to recognise it). */
export const BUILD_MARKER = `${CLI_PATH} build`;

let available: boolean | null = null;

/** Whether `emvr build` exists in this checkout (asked once per process; EMVR_NO_SITE_BUILDER=1 forces "no", for tests). */
export function siteBuilderAvailable(): boolean {
  if (process.env.EMVR_NO_SITE_BUILDER === '1') return false;
  if (available === null) {
    const r = spawnSync(process.execPath, [CLI_PATH, 'build', '--help'], { encoding: 'utf8', timeout: 60_000 });
    available = r.status === 0 && /build/u.test(r.stdout);
  }
  return available;
}

/** Arguments of one site build. */
export interface SiteBuildOptions {
  readonly contentDir: string;
  readonly siteDir: string;
  readonly base?: string;
  readonly pdf: boolean;
  /** Hears the builder's pid as soon as it starts. */
  readonly onSpawn?: (pid: number) => void;
}

/** Runs the site builder; resolves with its exit code (its stdout and stderr go to our stderr). */
export function runSiteBuild(opts: SiteBuildOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const args = [CLI_PATH, 'build', '--content', opts.contentDir, '--out', opts.siteDir];
  if (opts.base !== undefined) args.push('--base', opts.base);
  if (!opts.pdf) args.push('--no-pdf');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', process.stderr, process.stderr] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

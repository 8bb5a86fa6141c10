/**
 * The analyzer's version: `<package version>+<hash of the analyzer sources>`. Reports are
 * re-computed when it changes, so any change to the analysis code (not only a version bump)
 * re-analyses the archive; tests and benchmarks are left out of the hash.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../../package.json' with { type: 'json' };

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.ts$/u.test(e.name) && !/\.(test|bench)\.ts$/u.test(e.name) && !p.includes(`${path.sep}testing${path.sep}`)) out.push(p);
  }
  return out;
}

function sourceHash(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const h = createHash('sha256');
  for (const f of sourceFiles(root).sort()) h.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 10);
}

export const ANALYZER_VERSION: string = `${pkg.version}+${sourceHash()}`;

/**
 * Installs the Debian packages a command needs when they are missing (apt-get as root, or through
 * passwordless sudo), so `npm test` and `npm run bench` work on a fresh Debian machine.
 * usage: node scripts/setup/ensure-debian.ts pkg [pkg ...]
 */
import { execFileSync, spawnSync } from 'node:child_process';

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function asRoot(args: string[]): boolean {
  const isRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = isRoot ? args : ['sudo', '-n', ...args];
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

const wanted = process.argv.slice(2);
let haveDpkg = true;
try {
  execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
} catch {
  haveDpkg = false;
}
if (!haveDpkg) {
  console.warn(`ensure-debian: not a Debian system; please install: ${wanted.join(' ')} (tests that need them will skip)`);
} else {
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length > 0) {
    console.log(`ensure-debian: installing ${missing.join(' ')}`);
    const ok =
      asRoot(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]) ||
      (asRoot(['apt-get', 'update']) && asRoot(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]));
    if (!ok) console.warn(`ensure-debian: could not install ${missing.join(' ')} (need root or passwordless sudo); tests that need them will skip`);
  }
}

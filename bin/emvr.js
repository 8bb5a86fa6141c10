#!/usr/bin/env node
// Launcher for `npx emvr`: runs scripts/cli.ts on the project's pinned Node 24 (npm package
// `node`), which runs TypeScript directly; re-executes itself there when started by an older Node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'cli.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const { main } = await import(cli);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const require = createRequire(import.meta.url);
  const pinned = path.join(path.dirname(require.resolve('node/package.json')), 'bin', 'node');
  const r = spawnSync(pinned, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

/**
 * The layer lint (.dependency-cruiser.cjs, `npm run lint`) passes on the project and fails on
 * planted violations: an upward import, a site page importing an analyzer, an FFT kernel
 * importing the engine picker, and an import circle.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';

const depcruise = path.join(projectRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = path.join(projectRoot, '.dependency-cruiser.cjs');

function lint(cwd: string, targets: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [depcruise, '--config', config, ...targets], { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let tmp = '';
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A throw-away tree with the project's folder names, holding only the files given. */
function plant(files: Record<string, string>): string {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-layers-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), text);
  }
  return tmp;
}

describe('layer lint', () => {
  it('passes on the project as it is', () => {
    const r = lint(projectRoot, ['analyzers', 'scripts', 'site', 'astro.config.mjs']);
    expect(r.out).toMatch(/no dependency violations found \((\d{3,}) modules/u);
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails on a planted upward import, a site import of an analyzer, a kernel importing the engine, and a circle', () => {
    const dir = plant({
      'analyzers/items/registry.ts': 'export const ITEMS = [];\n',
      'analyzers/io/probe.ts': "import { ITEMS } from '../items/registry.ts';\nexport const n = ITEMS.length;\n",
      'analyzers/report/schema.ts': 'export const SCHEMA_VERSION = 2;\n',
      'site/src/lib/probe.ts': "import { ITEMS } from '../../../analyzers/items/registry.ts';\nimport { SCHEMA_VERSION } from '../../../analyzers/report/schema.ts';\nexport const m = ITEMS.length + SCHEMA_VERSION;\n",
      'analyzers/fft/fft.ts': "import { k } from './fft-wasm.ts';\nexport const picked = k;\n",
      'analyzers/fft/fft-wasm.ts': "import { picked } from './fft.ts';\nexport const k = 1;\nexport const again = () => picked;\n",
    });
    const r = lint(dir, ['analyzers', 'site']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('layer-io: analyzers/io/probe.ts → analyzers/items/registry.ts');
    expect(r.out).toContain('layer-site: site/src/lib/probe.ts → analyzers/items/registry.ts');
    expect(r.out).not.toContain('site/src/lib/probe.ts → analyzers/report/schema.ts');
    expect(r.out).toContain('layer-fft-kernels: analyzers/fft/fft-wasm.ts → analyzers/fft/fft.ts');
    expect(r.out).toContain('no-circular');
  }, 60_000);
});

/**
 * Astro integration: publishes the Mol* viewer (site/src/viewer/molstar-viewer.ts) as one
 * prebuilt ES module, `<out>/_viewer/molstar-viewer.js`, which entry pages import only when the
 * reader opens the 3-D view. esbuild bundles it (minified, about 3 s) into a cache keyed by the
 * versions of molstar and esbuild and the viewer's source, so a rebuild of the site reuses it;
 * Vite's own bundling of Mol* would cost every site build far longer.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { AstroIntegration } from 'astro';
import { build, version as esbuildVersion } from 'esbuild';
import { VIEWER_BUNDLE } from '../src/lib/viewer-paths.ts';

const SOURCE = fileURLToPath(new URL('../src/viewer/molstar-viewer.ts', import.meta.url));

/** The cache file of the current sources and versions (built when missing). */
export async function viewerBundle(cacheDir: string): Promise<string> {
  const molstar = createRequire(import.meta.url)('molstar/package.json') as { version: string };
  const source = await fs.readFile(SOURCE);
  const key = createHash('sha256').update(`molstar ${molstar.version}\nesbuild ${esbuildVersion}\n`).update(source).digest('hex').slice(0, 16);
  const file = path.join(cacheDir, `molstar-viewer-${key}.js`);
  try {
    await fs.access(file);
    return file;
  } catch {
    // not built yet
  }
  const tmp = `${file}.tmp-${process.pid}`;
  await build({ entryPoints: [SOURCE], bundle: true, format: 'esm', minify: true, target: 'es2022', outfile: tmp, logLevel: 'warning', legalComments: 'eof' });
  await fs.rename(tmp, file);
  return file;
}

export function viewerBundleIntegration(opts: { cacheDir: string }): AstroIntegration {
  let bundle: Promise<string> | null = null;
  return {
    name: 'emvr-viewer-bundle',
    hooks: {
      // Bundled while Astro renders the pages; copied when they are written.
      'astro:build:start': () => {
        bundle = viewerBundle(opts.cacheDir);
        bundle.catch(() => undefined);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const from = await (bundle ?? viewerBundle(opts.cacheDir));
        const to = path.join(fileURLToPath(dir), VIEWER_BUNDLE);
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(from, to);
        logger.info(`3-D viewer: ${VIEWER_BUNDLE} (${(await fs.stat(to)).size} bytes)`);
      },
    },
  };
}

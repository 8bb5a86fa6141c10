// Astro configuration of the report site. The project root is the Astro root; the site's sources
// live in site/. Three settings come from the environment so that `emvr build` (and a plain
// `npx astro build`) can point one configuration at any content folder, output folder and sub-path:
//   EMVR_CONTENT  content folder holding entries/EMD-N/report.json (default: <project>/content)
//   EMVR_OUT      output folder (default: <project>/dist)
//   EMVR_BASE     URL sub-path the site is served under (default: /)
//   EMVR_MAX_DIR_FILES  limit on the names in one folder of the site (default 10 000; sets how
//                 entry pages are grouped into folders, site/src/lib/entry-path.ts)
//   EMVR_ONLY_ENTRIES   JSON file listing the entries to render (an incremental build; default all)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import remarkMath from 'remark-math';
import { entryAssets } from './site/integrations/entry-assets.ts';
import { viewerBundleIntegration } from './site/integrations/viewer-bundle.ts';
import { rehypeMathImages } from './site/src/lib/rehype-math-images.ts';
import { DEFAULT_MAX_FILES_PER_DIRECTORY } from './site/src/lib/entry-path.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

// Pages and the post-build step read the content folder through this variable; it is made
// absolute once here so that every later reader agrees whatever its working directory.
process.env.EMVR_CONTENT = process.env.EMVR_CONTENT ? path.resolve(process.env.EMVR_CONTENT) : path.join(root, 'content');
// The statistics page reads the analyzer's data files (analyzers/data/) from the project folder.
process.env.EMVR_PROJECT_ROOT = root;

/** "/", "/sub/path/": always a leading and a trailing slash, so `${base}EMD-1/` is a valid link. */
function normaliseBase(raw) {
  const trimmed = (raw ?? '/').trim().replace(/^\/+|\/+$/gu, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

const base = normaliseBase(process.env.EMVR_BASE);
const maxDirFiles = process.env.EMVR_MAX_DIR_FILES ? Number(process.env.EMVR_MAX_DIR_FILES) : DEFAULT_MAX_FILES_PER_DIRECTORY;
// Typeset formulas are written here at build time and copied to <out>/_formulas/.
const formulaDir = path.join(root, 'node_modules', '.astro-cache', 'emvr-formulas');

export default defineConfig({
  root,
  srcDir: './site/src',
  publicDir: './site/public',
  outDir: process.env.EMVR_OUT ? path.resolve(process.env.EMVR_OUT) : path.join(root, 'dist'),
  cacheDir: './node_modules/.astro-cache',
  base,
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'never' },
  // Static pages only: no server, no telemetry-driven dev toolbar in the output.
  output: 'static',
  devToolbar: { enabled: false },
  markdown: {
    // Formulas in the site's own method texts ($…$, $$…$$) are typeset by MathJax to SVG files
    // at build time, shared by every page (site/src/lib/rehype-math-images.ts): no client JS.
    remarkPlugins: [remarkMath],
    rehypePlugins: [[rehypeMathImages, { base, dir: formulaDir }]],
    syntaxHighlight: false,
  },
  integrations: [entryAssets({ formulaDir }), viewerBundleIntegration({ cacheDir: path.join(root, 'node_modules', '.astro-cache', 'emvr-viewer') })],
  vite: {
    // Pages and browser scripts take the base from this constant, fixed here at build time:
    // import.meta.env.BASE_URL can be overridden at prerender time by a BASE_URL variable in the
    // environment (test runners set one). The folder limit fixes where entry pages live.
    define: { __EMVR_BASE__: JSON.stringify(base), __EMVR_MAX_DIR_FILES__: JSON.stringify(maxDirFiles) },
    build: { chunkSizeWarningLimit: 2000 },
  },
});

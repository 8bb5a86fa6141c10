/** `emvr build`: the static report site (Astro pages → Pagefind index → PDFs) from a content folder. */
import fs from 'node:fs';
import path from 'node:path';
import { InputError, numberOption, stringOption, type Command } from '../cli-kit.ts';

/** The `build` command (registered in scripts/cli.ts). */
export const buildCommand: Command = {
  name: 'build',
  help: `usage: emvr build [--content <dir>] [--out <dir>] [--base /sub/path/] [--no-pdf] [--full]

Builds the static report site from <content>/entries/<id>/report.json (+ figures): one page per
entry at <base><id>/, the archive index with search and filters, the methods page, per-entry
downloads (PDF, report.json, CSV of every table, figures) and the bulk /index.json and /all.csv.
Then indexes the entry pages with Pagefind and prints each entry page to PDF with headless
Chromium (/usr/bin/chromium). PDFs are cached with the sha256 of their report.json: only entries
whose report (or the analyzer version, or the site's page sources) changed are printed again.
A report that does not match the schema is left out with a message; the build goes on.
Entry pages live at <base><group>/<id>/ (EMD-12345 → 12/EMD-12345/), so no folder of the site
holds more than --max-dir-files names; the search index is split into shards the same way.
When <out> was built before by the same site code and settings, the build is incremental: only
new and changed entries (sha256 of report.json, kept in <out>/build-manifest.json) are rendered
again, the shared pages and the changed search shards rebuilt, removed entries deleted. The
result equals a clean full build byte for byte, also after an interrupted build.

options:
  --content <dir>    content folder (default: $EMVR_CONTENT, else content/ in the project)
  --out <dir>        output folder, emptied first (default: dist)
  --base <path>      URL sub-path the site is served under (default: /)
  --no-pdf           skip the PDFs (pages then have no PDF link)
  --no-search        skip the Pagefind index
  --pdf-cache <dir>  where PDFs and their manifest are kept (default: <content>/../cache/site-pdf)
  --pdf-tabs <n>     Chromium tabs printing in parallel (default: 3)
  --force-pdf        re-print every PDF
  --full             render every entry again (default: only what changed)
  --max-dir-files <n>  limit on the names in one folder of the site (default: 10000)
  -h, --help         this help
`,
  options: {
    content: { type: 'string' },
    out: { type: 'string' },
    base: { type: 'string' },
    'no-pdf': { type: 'boolean' },
    'no-search': { type: 'boolean' },
    'pdf-cache': { type: 'string' },
    'pdf-tabs': { type: 'string' },
    'force-pdf': { type: 'boolean' },
    full: { type: 'boolean' },
    'max-dir-files': { type: 'string' },
  },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const { buildSite, PROJECT_ROOT } = await import('../site/build-site.ts');
    const content = path.resolve(stringOption(values, 'content') ?? process.env.EMVR_CONTENT ?? path.join(PROJECT_ROOT, 'content'));
    if (!fs.existsSync(path.join(content, 'entries'))) throw new InputError(`no reports found: ${path.join(content, 'entries')} does not exist (run \`emvr analyze\` or \`emvr demo\`, or pass --content)`);
    const base = stringOption(values, 'base') ?? '/';
    if (!/^[A-Za-z0-9/_.~-]*$/u.test(base)) throw new InputError(`--base must be a URL path of letters, digits and / _ . ~ -, got ${JSON.stringify(base)}`);
    const tabs = numberOption(values, 'pdf-tabs', { min: 1 });
    const maxDirFiles = numberOption(values, 'max-dir-files', { min: 2 });
    const summary = await buildSite({
      content,
      out: stringOption(values, 'out') ?? 'dist',
      base,
      pdf: values['no-pdf'] !== true,
      search: values['no-search'] !== true,
      pdfCache: stringOption(values, 'pdf-cache'),
      pdfTabs: tabs === undefined ? undefined : Math.floor(tabs),
      forcePdf: values['force-pdf'] === true,
      incremental: values.full !== true,
      maxFilesPerDirectory: maxDirFiles === undefined ? undefined : Math.floor(maxDirFiles),
    });
    process.stdout.write(`site: ${summary.entries} entries in ${path.resolve(stringOption(values, 'out') ?? 'dist')} (serve it with: emvr serve --dir ${stringOption(values, 'out') ?? 'dist'})\n`);
    return summary.pdf && summary.pdf.failed.length > 0 ? 1 : 0;
  },
};

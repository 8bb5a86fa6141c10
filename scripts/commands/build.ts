/** `emvr build`: the static report site (Astro pages → Pagefind index → PDFs) from a content folder. */
import fs from 'node:fs';
import path from 'node:path';
import { InputError, numberOption, stringOption, type Command } from '../cli-kit.ts';

/** The `build` command (registered in scripts/cli.ts). */
export const buildCommand: Command = {
  name: 'build',
  help: `usage: emvr build [--content <dir>] [--out <dir>] [--base /sub/path/] [--no-pdf]

Builds the static report site from <content>/entries/<id>/report.json (+ figures): one page per
entry at <base><id>/, the archive index with search and filters, the methods page, per-entry
downloads (PDF, report.json, CSV of every table, figures) and the bulk /index.json and /all.csv.
Then indexes the entry pages with Pagefind and prints each entry page to PDF with headless
Chromium (/usr/bin/chromium). PDFs are cached with the sha256 of their report.json: only entries
whose report (or the analyzer version, or the site's page sources) changed are printed again.
A report that does not match the schema is left out with a message; the build goes on.

options:
  --content <dir>    content folder (default: $EMVR_CONTENT, else content/ in the project)
  --out <dir>        output folder, emptied first (default: dist)
  --base <path>      URL sub-path the site is served under (default: /)
  --no-pdf           skip the PDFs (pages then have no PDF link)
  --no-search        skip the Pagefind index
  --pdf-cache <dir>  where PDFs and their manifest are kept (default: <content>/../cache/site-pdf)
  --pdf-tabs <n>     Chromium tabs printing in parallel (default: 3)
  --force-pdf        re-print every PDF
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
  },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const { buildSite, PROJECT_ROOT } = await import('../site/build-site.ts');
    const content = path.resolve(stringOption(values, 'content') ?? process.env.EMVR_CONTENT ?? path.join(PROJECT_ROOT, 'content'));
    if (!fs.existsSync(path.join(content, 'entries'))) throw new InputError(`no reports found: ${path.join(content, 'entries')} does not exist (run \`emvr analyze\` or \`emvr demo\`, or pass --content)`);
    const base = stringOption(values, 'base') ?? '/';
    if (!/^[A-Za-z0-9/_.~-]*$/u.test(base)) throw new InputError(`--base must be a URL path of letters, digits and / _ . ~ -, got ${JSON.stringify(base)}`);
    const tabs = numberOption(values, 'pdf-tabs', { min: 1 });
    const summary = await buildSite({
      content,
      out: stringOption(values, 'out') ?? 'dist',
      base,
      pdf: values['no-pdf'] !== true,
      search: values['no-search'] !== true,
      pdfCache: stringOption(values, 'pdf-cache'),
      pdfTabs: tabs === undefined ? undefined : Math.floor(tabs),
      forcePdf: values['force-pdf'] === true,
    });
    process.stdout.write(`site: ${summary.entries} entries in ${path.resolve(stringOption(values, 'out') ?? 'dist')} (serve it with: emvr serve --dir ${stringOption(values, 'out') ?? 'dist'})\n`);
    return summary.pdf && summary.pdf.failed.length > 0 ? 1 : 0;
  },
};

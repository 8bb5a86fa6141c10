/**
 * The entry page as the printing tab gets it (print-page.ts): the glance panel drawn from its
 * glance.json by the page script's own function, no scripts, figures deferred (fetched once, at
 * their printed size), formulas inline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { glanceHtml, type GlanceData } from '../../site/src/lib/glance-view.ts';
import { DEFERRED_SRC } from './print-images.ts';
import { deferFigures, fillGlance, printPage, unescapeAttr } from './print-page.ts';

const glance: GlanceData = {
  entries: 12,
  rows: [{ column: 'maxDecentering', label: '0.a largest decentring', unit: '%', better: 'lower', value: 1.04, all: { p: 25, n: 12 }, band: { p: 50, n: 2, label: '4–5 Å' }, own: true }],
};
const own = { aScore: { all: { percentile: 40, population: 'of 10,188 MapQ entries' }, band: null } };
const panel = (ownAttr: string) => `<section id="at-a-glance"><div class="glance" data-glance="/1/EMD-1000/glance.json" data-own="${ownAttr}" data-state="pending"> <noscript>drawn by script</noscript> </div></section><p>after</p>`;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the printing tab\'s page', () => {
  it('reads attribute values as Astro escapes them', () => {
    expect(unescapeAttr('{&quot;a&quot;:&quot;x &amp; y &lt;z&gt; it&#39;s&quot;}')).toBe('{"a":"x & y <z> it\'s"}');
  });

  it('fills the glance panel as the page script does, with the own percentiles of the page', () => {
    const attr = JSON.stringify(own).replace(/"/gu, '&quot;');
    let asked = '';
    const out = fillGlance(panel(attr), (url) => ((asked = url), glance));
    expect(asked).toBe('/1/EMD-1000/glance.json');
    expect(out).toBe(`<section id="at-a-glance"><div class="glance" data-glance="/1/EMD-1000/glance.json" data-own="${attr}" data-state="ready">${glanceHtml(glance, own)}</div></section><p>after</p>`);
    expect(out).toContain('▲ 25');
  });

  it('says the panel failed when glance.json cannot be read, as the script would', () => {
    const out = fillGlance(panel('{}'), () => {
      throw new Error('no file');
    });
    expect(out).toContain('data-state="failed">The archive percentiles could not be loaded (no file).</div>');
    expect(out).not.toContain('pending');
  });

  it('defers raster and SVG figures (eager) and leaves other images alone', () => {
    const html = '<img src="/1/E/figures/a.png" width="1300" height="700" alt="a" loading="lazy" decoding="async"><img alt="b" src="f/b.svg" width="640"><img src="data:image/gif;base64,R0lGOD" alt="c">';
    expect(deferFigures(html)).toBe(`<img ${DEFERRED_SRC}="/1/E/figures/a.png" width="1300" height="700" alt="a" decoding="async"><img alt="b" ${DEFERRED_SRC}="f/b.svg" width="640"><img src="data:image/gif;base64,R0lGOD" alt="c">`);
  });

  it('puts it together on a page: formulas inline, panel filled, no script left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-print-page-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'f'));
    fs.writeFileSync(path.join(dir, 'f', 'x.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0h10"/></svg>');
    fs.writeFileSync(path.join(dir, 'glance.json'), JSON.stringify(glance));
    const files: Record<string, string> = { '/f/x.svg': path.join(dir, 'f', 'x.svg'), '/1/EMD-1000/glance.json': path.join(dir, 'glance.json') };
    const html = `<head><script type="module" src="/_astro/g.js"></script></head><body><img class="math" src="/f/x.svg" alt="x" style="vertical-align: -0.1ex">${panel('{}')}<img src="/fig.png" width="9"><script type="module">start()</script></body>`;
    const out = printPage(html, (src) => files[src] ?? null);
    expect(out).not.toMatch(/<script/u);
    expect(out).toContain('<svg style="vertical-align: -0.1ex" class="math" aria-label="x" xmlns=');
    expect(out).toContain('data-state="ready"');
    expect(out).toContain(`<img ${DEFERRED_SRC}="/fig.png" width="9">`);
  });
});

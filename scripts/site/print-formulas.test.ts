/**
 * Formulas inlined for print (print-formulas.ts): each formula image becomes its SVG with the
 * image's style (first, so it wins), class and alt; anything else, an unreadable file or a file
 * outside the site leaves the tag as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inlineFormulas, siteFileOf } from './print-formulas.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'emvr-print-formulas-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
fs.mkdirSync(path.join(root, '_formulas'));
fs.writeFileSync(path.join(root, '_formulas', 'a.svg'), '<svg style="vertical-align: -0.05ex;" xmlns="http://www.w3.org/2000/svg" width="2ex" height="1ex" viewBox="0 0 10 10"><path id="MJX-1" d="M0 0L1 1"/></svg>\n');

describe('inlineFormulas', () => {
  const fileOf = siteFileOf(root, '/sub/');
  it('replaces a formula image by its SVG with the image style, class and alt', () => {
    const html = '<p>x <img class="math math-inline" src="/sub/_formulas/a.svg" alt="T_s" style="vertical-align: -0.357ex; width: 2.259ex; height: 1.889ex"> y</p>';
    expect(inlineFormulas(html, fileOf)).toBe(
      '<p>x <svg style="vertical-align: -0.357ex; width: 2.259ex; height: 1.889ex" class="math math-inline" aria-label="T_s" style="vertical-align: -0.05ex;" xmlns="http://www.w3.org/2000/svg" width="2ex" height="1ex" viewBox="0 0 10 10"><path id="MJX-1" d="M0 0L1 1"/></svg> y</p>',
    );
  });
  it('leaves other images, missing files and paths outside the site alone', () => {
    for (const tag of [
      '<img src="/sub/figures/a.png" alt="x">',
      '<img class="math math-inline" src="/sub/_formulas/missing.svg" alt="x">',
      '<img class="math math-inline" src="/sub/../etc/passwd.svg" alt="x">',
      '<img class="math math-inline" src="/other/_formulas/a.svg" alt="x">',
    ]) expect(inlineFormulas(tag, fileOf)).toBe(tag);
  });
});

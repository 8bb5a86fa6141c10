/**
 * SVG figures for print (print-svg.ts): a mark repeated in place is drawn once, a gapless dash
 * pattern is dropped, and everything else keeps its bytes. The picture is the same: both versions
 * are rasterised (sharp/librsvg) and compared pixel by pixel.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { printSvg } from './print-svg.ts';

const rule = '<line transform="translate(100,50)" x2="-100" y2="0" stroke="#555555" stroke-width="1.5" stroke-dasharray="4,3"/>';
const label = '<text transform="translate(98,48)" font-size="11">0.143</text>';
const svgOf = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60"><rect width="100" height="60" fill="white"/><g>${body}</g></svg>`;
const count = (s: string, what: string) => s.split(what).length - 1;

describe('SVG figures for print', () => {
  it('draws a run of identical marks once (a rule layer repeated per data row)', () => {
    const out = printSvg(svgOf(`${rule.repeat(210)}${label.repeat(210)}`));
    expect(count(out, '<line')).toBe(1);
    expect(count(out, '<text')).toBe(1);
    expect(out).toBe(svgOf(`${rule}${label}`));
  });

  it('keeps repeats that are not in place, differ, or are translucent (two of those look darker than one)', () => {
    const other = rule.replace('translate(100,50)', 'translate(100,40)');
    const faint = rule.replace('stroke-width', 'stroke-opacity="0.5" stroke-width');
    const body = `${rule}${other}${rule}${faint}${faint}<g>${rule}</g>`;
    expect(printSvg(svgOf(body))).toBe(svgOf(body));
  });

  it('drops gapless dash patterns ("1,0": a solid series) and keeps real ones', () => {
    const solid = '<path d="M0,0L50,50" stroke="#000" stroke-dasharray="1,0"/>';
    const out = printSvg(svgOf(`${solid}${rule}<path d="M0,9L9,9" stroke-dasharray="0,3"/>`));
    expect(out).toContain('<path d="M0,0L50,50" stroke="#000"/>');
    expect(count(out, 'stroke-dasharray="4,3"')).toBe(1);
    expect(count(out, 'stroke-dasharray="0,3"')).toBe(1);
  });

  it('gives the picture of a single copy', async () => {
    const once = svgOf(`<path d="M5,30L95,30" stroke="#000" stroke-width="1.5"/>${rule}`);
    const many = svgOf(`<path d="M5,30L95,30" stroke="#000" stroke-width="1.5" stroke-dasharray="1,0"/>${rule.repeat(3)}`);
    const px = (s: string) => sharp(Buffer.from(s)).raw().toBuffer();
    expect(Buffer.compare(await px(printSvg(many)), await px(once))).toBe(0);
    // The repeats did change the picture: anti-aliased edges darken with each copy.
    expect(Buffer.compare(await px(many), await px(once))).not.toBe(0);
  });
});

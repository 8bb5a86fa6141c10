import { describe, expect, it } from 'vitest';
import { rawValueKeys, scanText, significantDigits, visibleText } from './page-scan.ts';

describe('page scan', () => {
  it('finds the defects the issue saw, and only them', () => {
    const keys = rawValueKeys();
    const html = `<dl><dt>Raw voxels<span class="key">rawVoxels</span></dt><dd>Raw mask: at threshold 0.01872820407152176, 1157868 voxels, 23049.79 Å³</dd></dl>
      <a href="report.json#workBox">report.json</a><script>const workBox = 1.23456789;</script>
      <p>SHA-256 44d1567890123fde, code 0b.components95, 23&#x202f;050 Å³, 1&#x202f;157&#x202f;868 voxels, 0.01873, 2024-03-01, 12345.6</p>`;
    const found = scanText(visibleText(html), keys).map((f) => f.kind);
    expect(found.sort()).toEqual(['digits', 'digits', 'digits', 'json-key']);
  });

  it('counts significant digits without leading zeros or separators', () => {
    expect(significantDigits('0.01872820407152176')).toBe(16);
    expect(significantDigits('23049.79')).toBe(7);
    expect(significantDigits('0.001873')).toBe(4);
  });
});

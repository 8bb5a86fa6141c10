/**
 * Deterministic report.json for published content. The analyzer records wall-clock time and peak
 * memory per item (`items[k].timing`) and per report (`provenance.totalSeconds`, `peakRssMB`);
 * those differ between two runs of the same input, so a run that is killed and restarted could
 * never reproduce the content of an uninterrupted one. The nightly job moves them to the ledger
 * and publishes the report with those fields set to null ("recorded in the ledger"). Everything
 * else is untouched.
 */
import { createHash } from 'node:crypto';
import { parseReport, reportItems, type Report } from '../../analyzers/report/schema.ts';

/** Timings taken out of a report: per item and in total (seconds, MB). */
export interface ReportTimings {
  readonly items: Record<string, { seconds: number; peakRssMB: number }>;
  readonly totalSeconds: number;
  readonly peakRssMB: number;
}

/** The report with every run-dependent field zeroed, and the values that were there. */
export function stableReport(report: Report): { report: Report; timings: ReportTimings } {
  const items: Record<string, { seconds: number; peakRssMB: number }> = {};
  const copy = structuredClone(report);
  for (const it of reportItems(copy)) {
    items[it.id] = { seconds: it.timing?.seconds ?? 0, peakRssMB: it.timing?.peakRssMB ?? 0 };
    it.timing = null;
  }
  const timings: ReportTimings = { items, totalSeconds: copy.provenance.totalSeconds ?? 0, peakRssMB: copy.provenance.peakRssMB ?? 0 };
  copy.provenance.totalSeconds = null;
  copy.provenance.peakRssMB = null;
  return { report: parseReport(copy, `stable report of ${report.entry.id}`), timings };
}

/** The exact bytes written for a report (the analyzer's format: 2-space JSON and a newline). */
export function reportText(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** sha256 (hex) of a text. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

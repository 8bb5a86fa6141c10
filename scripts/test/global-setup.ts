/**
 * Vitest's global setup: one empty folder per run for the reports that several test files share
 * (scripts/testing/shared-analysis.ts), removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'emvr-test-run-'));
  project.provide('analysisCache', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

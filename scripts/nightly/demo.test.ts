/**
 * `emvr demo` as a user runs it (a real process, no network): every simulated entry must give the
 * answer its phantom is built to give (exit 0), and a second run reuses every result.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../analyzers/testing/fixtures.ts';

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('emvr demo', () => {
  it('analyses the simulated mirror with the expected answer for every phantom, then reuses everything', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'emvr-demo-'));
    // scripts/cli.ts registers demo. The phantoms keep their own boxes: smaller ones change the answers (0.a margins).
    const args = [path.join(projectRoot, 'scripts', 'cli.ts'), 'demo', '--out', out, '--no-serve', '--no-figures', '--no-pdf'];
    const first = await run(args);
    expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toMatch(/analysed 9, reused 0, refused 1, failed 0/u);
    expect(first.stdout).toMatch(/every phantom gives its expected answer/u);
    expect(first.stdout.match(/ OK$/gmu)?.length).toBe(10);
    expect((await readdir(path.join(out, 'content', 'entries'))).length).toBe(9);
    expect(existsSync(path.join(out, 'ledger.sqlite'))).toBe(true);

    const second = await run(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/analysed 0, reused 10, refused 0, failed 0/u);
    expect(second.stderr).toMatch(/reusing the mirror folder/u);
    await rm(out, { recursive: true, force: true });
  });
});

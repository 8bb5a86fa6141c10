/**
 * Runs the independent Python references (Debian's python3 with numpy, scipy, mrcfile) from tests.
 * When they are missing the tests that need them skip with a visible message naming the module.
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './fixtures.ts';

/** Debian's interpreter (not a pyenv shim), overridable with EMVR_PYTHON. */
export const python = process.env.EMVR_PYTHON ?? '/usr/bin/python3';

/** True when every module imports; prints why not otherwise. */
export function havePython(modules: string[], what: string): boolean {
  try {
    execFileSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'pipe' });
    return true;
  } catch {
    console.warn(`SKIPPED ${what}: ${python} cannot import ${modules.join(', ')} (npm test installs python3-numpy python3-scipy python3-mrcfile)`);
    return false;
  }
}

/** Runs scripts/reference/<script> with arguments and returns its stdout. */
export async function runReference(script: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(python, [path.join(projectRoot, 'scripts/reference', script), ...args], {
    maxBuffer: 1 << 28,
  });
  return stdout;
}

/**
 * A local pool of analysis worker processes (scripts/jobs/analysis-job.ts, one entry at a time each).
 * `run(job)` resolves with the worker's answer, or with a failure when the worker dies (crash,
 * out-of-memory kill) or exceeds the per-entry time limit (it is then killed); a replacement
 * worker is started for the next job. One bad entry never stops the batch.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisJob, AnalysisResult } from '../jobs/analysis-job.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'jobs', 'analysis-job.ts');
/** Bytes of a worker's stderr kept to explain a crash. */
const STDERR_TAIL = 4000;

interface Slot {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  stderr: string;
}

/** The pool (see the file comment); `run` one job at a time per worker, `close` when done. */
export class AnalysisPool {
  readonly size: number;
  private readonly timeoutMs: number;
  private readonly slots: Slot[] = [];
  private readonly waiting: ((s: Slot) => void)[] = [];
  private nextJob = 1;
  private closed = false;

  private readonly onSpawn: (pid: number) => void;

  /**
   * `size` worker processes (≥ 1); `timeoutMs` per entry (0 = no limit); `onSpawn` hears each new
   * worker's pid (the nightly lock records them). Workers start on first use.
   */
  constructor(size: number, timeoutMs = 0, onSpawn: (pid: number) => void = () => undefined) {
    this.size = Math.max(1, Math.floor(size));
    this.timeoutMs = timeoutMs;
    this.onSpawn = onSpawn;
  }

  private spawn(): Slot {
    const child = fork(WORKER, [], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced', env: { ...process.env } });
    const slot: Slot = { child, busy: false, stderr: '', ready: Promise.resolve() };
    if (child.pid !== undefined) this.onSpawn(child.pid);
    const keep = (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    };
    child.stderr?.on('data', keep);
    child.stdout?.on('data', keep);
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: unknown) => {
        if ((m as { ready?: boolean })?.ready) {
          child.off('message', onMsg);
          resolve();
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code, signal) => reject(new Error(`analysis worker exited before it was ready (${signal ?? `code ${code}`}): ${slot.stderr.trim().slice(-500)}`)));
    });
    slot.ready.catch(() => undefined);
    return slot;
  }

  private async acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    if (this.slots.length < this.size) {
      const s = this.spawn();
      s.busy = true;
      this.slots.push(s);
      return s;
    }
    const s = await new Promise<Slot>((resolve) => this.waiting.push(resolve));
    return s;
  }

  private release(slot: Slot, dead: boolean): void {
    let s = slot;
    if (dead) {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (this.closed) return;
      s = this.spawn();
      this.slots.push(s);
    }
    const next = this.waiting.shift();
    if (next) {
      s.busy = true;
      next(s);
    } else {
      s.busy = false;
    }
  }

  /** Runs one analysis job in a worker. Never rejects: a dead or stuck worker gives `{ ok: false, kind: 'error' }`. */
  async run(job: Omit<AnalysisJob, 'jobId'>): Promise<AnalysisResult> {
    const slot = await this.acquire();
    const jobId = this.nextJob++;
    const t0 = performance.now();
    const seconds = () => Math.round(performance.now() - t0) / 1000;
    try {
      await slot.ready;
    } catch (err) {
      this.release(slot, true);
      return { jobId, ok: false, kind: 'error', message: (err as Error).message, seconds: seconds() };
    }
    slot.stderr = '';
    return new Promise<AnalysisResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (r: AnalysisResult, dead: boolean) => {
        clearTimeout(timer);
        slot.child.off('message', onMsg);
        slot.child.off('exit', onExit);
        if (dead && slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
        this.release(slot, dead);
        resolve(r);
      };
      const onMsg = (m: unknown) => {
        const r = m as AnalysisResult;
        if (r && r.jobId === jobId) done(r, false);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        const tail = slot.stderr.trim().split('\n').slice(-3).join(' | ');
        const how = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
        done({ jobId, ok: false, kind: 'error', message: `analysis worker ${how}${tail ? `: ${tail}` : ''}`, seconds: seconds() }, true);
      };
      slot.child.on('message', onMsg);
      slot.child.once('exit', onExit);
      if (this.timeoutMs > 0) {
        timer = setTimeout(() => {
          slot.child.off('exit', onExit);
          done({ jobId, ok: false, kind: 'error', message: `analysis took longer than ${this.timeoutMs / 1000} s and was stopped`, seconds: seconds() }, true);
        }, this.timeoutMs);
      }
      slot.child.send({ ...job, jobId } satisfies AnalysisJob);
    });
  }

  /** Stops every worker (after their current job's answer, if any, is no longer needed). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
            s.child.once('exit', () => resolve());
            if (s.child.connected) s.child.disconnect();
            setTimeout(() => s.child.kill('SIGKILL'), 2000).unref();
          }),
      ),
    );
    this.slots.length = 0;
  }
}

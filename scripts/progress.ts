/**
 * Progress of a long step on stderr: "entries 12/40 (analysed 8, reused 3, failed 1) · 2m10s ·
 * ETA 5m03s". ETA = elapsed / done × remaining (entries run in parallel, so this already counts
 * the pool's width). On a terminal the line is redrawn in place; otherwise one line per update,
 * at most every `everyMs`. Text from outside (reasons, titles) is made printable first.
 * Steps whose items differ in cost by orders of magnitude (the items of one analysis) turn the
 * ETA off (`eta: false`): an average over unlike items would be a guess dressed as a number. The
 * item being computed can be shown after the counts (`working`).
 */

/** Drops control characters (terminal escapes included) from text shown on a terminal. */
export function printable(s: string, max = 400): string {
  const t = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, '?').replace(/\n/gu, ' | ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** "1h02m", "5m03s", "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress counter for `total` items of one step (see the file comment). */
export class Progress {
  private readonly total: number;
  private readonly label: string;
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly everyMs: number;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private done = 0;
  private readonly counts = new Map<string, number>();
  private readonly enabled: boolean;
  private readonly eta: boolean;
  private current = '';

  constructor(label: string, total: number, opts: { enabled?: boolean; everyMs?: number; stream?: NodeJS.WriteStream; eta?: boolean } = {}) {
    this.label = label;
    this.total = total;
    this.out = opts.stream ?? process.stderr;
    this.tty = this.out.isTTY === true;
    this.everyMs = opts.everyMs ?? (this.tty ? 200 : 5000);
    this.enabled = opts.enabled ?? true;
    this.eta = opts.eta ?? true;
  }

  /** The line as it would be printed now. */
  line(): string {
    const elapsed = (performance.now() - this.t0) / 1000;
    const parts = [...this.counts.entries()].filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
    const eta = this.eta && this.done > 0 && this.done < this.total ? ` · ETA ${formatDuration((elapsed / this.done) * (this.total - this.done))}` : '';
    const current = this.current && this.done < this.total ? ` · ${this.current}` : '';
    return `${this.label} ${this.done}/${this.total}${parts.length ? ` (${parts.join(', ')})` : ''}${current} · ${formatDuration(elapsed)}${eta}`;
  }

  /** Shows what is being computed now (made printable) and redraws on a terminal. */
  working(what: string): void {
    this.current = printable(what, 120);
    if (this.tty && this.enabled) this.draw();
  }

  /** Clears the line on a terminal when it was left unfinished (the step stopped early). */
  clear(): void {
    if (this.tty && this.enabled && this.done < this.total) this.out.write('\r\u001b[2K');
  }

  /** Counts one finished item under `status` and redraws (throttled; always at the last item). */
  tick(status: string): void {
    this.done++;
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    const now = performance.now();
    if (!this.enabled || (now - this.lastDraw < this.everyMs && this.done < this.total)) return;
    this.lastDraw = now;
    this.draw();
  }

  /** Prints a message line without breaking the progress line. */
  note(message: string): void {
    if (this.tty && this.enabled) this.out.write('\r\u001b[2K');
    this.out.write(`${message}\n`);
    if (this.tty && this.enabled && this.done < this.total) this.draw();
  }

  private draw(): void {
    if (this.tty) this.out.write(`\r\u001b[2K${this.line()}${this.done >= this.total ? '\n' : ''}`);
    else this.out.write(`${this.line()}\n`);
  }
}

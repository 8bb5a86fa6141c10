/**
 * What `emvr analyze` shows on stderr while it works. On a terminal: one line redrawn in place,
 * with the steps done, the step being computed and its elapsed time, and the total time; no ETA,
 * because the steps of one analysis differ in cost by orders of magnitude (reading takes a
 * second, local resolution minutes) and no step reports how far it has got, so any ETA would be
 * a guess. Elsewhere (a log, a pipe): one quiet line per step as it finishes.
 */
import type { AnalyzeStepEvent } from '../../analyzers/items/analyze-entry.ts';
import { formatDuration, printable, Progress } from '../progress.ts';

/** How often the terminal line's clocks move, ms. */
const REDRAW_MS = 1000;

/** The line of one finished step: "0.e Local resolution … ok, 19.1 s". */
export function finishedLine(e: Extract<AnalyzeStepEvent, { kind: 'done' }>): string {
  return `${printable(e.step, 120)} … ${e.status}, ${e.seconds.toFixed(1)} s`;
}

/** Progress of one analysis on `stream`; hand `onStep` to analyzeEntry and call `stop` when it ends, however it ends. */
export class AnalyzeProgress {
  private readonly label: string;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private bar: Progress | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.label = label;
    this.stream = stream;
    this.tty = stream.isTTY === true;
  }

  readonly onStep = (e: AnalyzeStepEvent): void => {
    if (!this.tty) {
      if (e.kind === 'done') this.stream.write(`${finishedLine(e)}\n`);
      return;
    }
    this.bar ??= new Progress(this.label, e.total, { stream: this.stream, eta: false });
    const bar = this.bar;
    this.stopTimer();
    if (e.kind === 'done') {
      bar.tick(e.status);
      return;
    }
    const t0 = performance.now();
    const show = () => bar.working(`${e.step}, ${formatDuration((performance.now() - t0) / 1000)} so far`);
    show();
    this.timer = setInterval(show, REDRAW_MS);
    this.timer.unref();
  };

  /** Stops the clock and clears an unfinished line (an error message follows on a clean line). */
  stop(): void {
    this.stopTimer();
    this.bar?.clear();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

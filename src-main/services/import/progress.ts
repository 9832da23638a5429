// Counts an import's outcomes and reports them, at most ~10 times a second, so a fast
// import never floods the window with events.
import type { ImportProgress, ImportStatus } from '../../../src-shared/schemas';
import type { ImportCounters } from '../../store/repos/imports';

export type Phase = ImportProgress['phase'];

const INTERVAL_MS = 100;

export class ProgressReporter {
  readonly counters: ImportCounters = { total: 0, done: 0, imported: 0, skipped: 0, problems: 0 };
  phase: Phase = 'scanning';
  #lastEmit = -Infinity;
  #importStart: number | null = null;
  #finished = false;

  constructor(
    readonly importId: number,
    readonly root: string,
    readonly emit: (p: ImportProgress) => void,
    readonly clock: () => number,
  ) {}

  startImporting(total: number): void {
    this.phase = 'importing';
    this.counters.total = total;
    this.#importStart = this.clock();
    this.report(true);
  }

  /** A file handled at once, with nothing to store (unchanged since the last import). */
  count(outcome: 'imported' | 'skipped' | 'problems'): void {
    this.counters[outcome]++;
    this.advance();
  }

  /** A file handled whose outcome waits in the writer; `stored` counts it once committed. */
  advance(): void {
    this.counters.done++;
    this.report();
  }

  /** What a committed batch stored: the summary counts only what is in the project. */
  stored(s: { imported: number; skipped: number; problems: number }): void {
    this.counters.imported += s.imported;
    this.counters.skipped += s.skipped;
    this.counters.problems += s.problems;
  }

  found(total: number): void {
    this.counters.total = total;
    this.report();
  }

  report(force = false, status: ImportStatus = 'running', message?: string): void {
    // Nothing follows the final event, whatever work was still settling.
    if (this.#finished) return;
    const now = this.clock();
    if (!force && now - this.#lastEmit < INTERVAL_MS) return;
    this.#lastEmit = now;
    this.emit(this.snapshot(status, now, message));
  }

  finish(status: ImportStatus, message?: string): void {
    this.phase = 'finished';
    this.report(true, status, message);
    this.#finished = true;
  }

  snapshot(status: ImportStatus, now: number, message?: string): ImportProgress {
    const { total, done, imported, skipped, problems } = this.counters;
    const seconds = this.#importStart === null ? 0 : (now - this.#importStart) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = total - done;
    const eta = this.phase === 'finished' ? 0 : rate > 0 ? left / rate : null;
    return {
      importId: this.importId,
      root: this.root,
      status,
      phase: this.phase,
      total,
      done,
      imported,
      skipped,
      problems,
      imagesPerSecond: Math.round(rate * 10) / 10,
      etaSeconds: eta === null ? null : Math.round(eta),
      ...(message ? { message } : {}),
    };
  }
}

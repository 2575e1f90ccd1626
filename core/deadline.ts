import { CollectorError } from './errors.ts';

/**
 * The time one target may take. Past it, calls still in flight are aborted and calls not yet made fail at once,
 * so what was not collected becomes gaps naming the deadline instead of holding the scan (or a Lambda) until it is
 * killed. Derived from the Lambda's remaining time, or the CLI's per-target setting.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly at: number,
    private readonly now: () => number,
  ) {
    const ms = at - now();
    if (Number.isFinite(ms)) {
      this.timer = setTimeout(() => this.controller.abort(this.error()), Math.max(0, ms));
      this.timer.unref();
    }
  }

  /** A deadline `ms` from now (Infinity: none). */
  static after(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }

  /**
   * From a Lambda context: its remaining time less `reserveMs`, kept for writing results and reporting the gaps.
   * Never less than `minimumMs`, so a nearly spent invocation still tries.
   */
  static fromRemaining(
    remainingMs: number,
    reserveMs: number,
    minimumMs = 1_000,
    now: () => number = Date.now,
  ): Deadline {
    return Deadline.after(Math.max(minimumMs, remainingMs - reserveMs), now);
  }

  static none(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, Date.now);
  }

  /** Aborted when the deadline passes: give it to SDK calls (`abortSignal`) and fetches. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted || this.now() >= this.at;
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  /** Throws the deadline's error when it has passed: call before starting work that would outlive it. */
  check(): void {
    if (this.expired) throw this.error();
  }

  error(): CollectorError {
    return new CollectorError('Timeout: the target deadline passed before this was collected', 'Timeout', {});
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

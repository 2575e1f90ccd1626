import { setMaxListeners } from 'node:events';
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
    // A target has dozens of calls in flight, each listening for the abort: no MaxListeners "leak" warning for it.
    setMaxListeners(0, this.controller.signal);
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

  /**
   * `work`, or this deadline's Timeout error as soon as it passes, whichever comes first. A failure after the
   * deadline is reported as the deadline (the abort it caused), so the gap says why. For work shared with other
   * targets (an account's IAM walk, its AssumeRole), this target stops waiting while the work goes on for the others.
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.expired) {
      work.catch(() => {});
      return Promise.reject(this.error());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.error());
      this.racing.add(onAbort);
      if (this.racing.size === 1) this.signal.addEventListener('abort', this.abortAll, { once: true });
      work.then(
        (value) => {
          this.racing.delete(onAbort);
          resolve(value);
        },
        (e: unknown) => {
          this.racing.delete(onAbort);
          reject(this.expired ? this.error() : e);
        },
      );
    });
  }

  /**
   * What `race` callers wait on, behind one listener on the signal: an EventTarget checks every listener it holds
   * when one is added, so a listener per call (hundreds in flight per target) cost time quadratic in them.
   */
  private readonly racing = new Set<() => void>();
  private readonly abortAll = () => {
    for (const reject of this.racing) reject();
    this.racing.clear();
  };

  error(): CollectorError {
    return new CollectorError('Timeout: the target deadline passed before this was collected', 'Timeout', {});
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

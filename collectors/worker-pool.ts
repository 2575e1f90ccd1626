import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import type { Provider } from '../core/snapshot.ts';
import type { CollectOptions, Collector, Target, TargetCollection, TargetPlan } from '../core/target.ts';
import { type CollectorDeps, createCollector } from './index.ts';

/** What a collection thread is started with: all of it crosses by structured clone (no functions, no clients). */
export interface WorkerData {
  provider: Provider;
  config: ScanConfig;
  deps: CollectorDeps;
}
export interface WorkerRequest {
  id: number;
  target: Target;
  /** The target deadline as an epoch instant (Infinity: none). */
  deadlineAt: number;
}
export type WorkerReply = { id: number; collection: TargetCollection } | { id: number; error: string };

/** Below this many targets a scan is over before threads would have loaded the SDKs: collect in-process. */
export const MIN_TARGETS_FOR_THREADS = 16;
/** 'auto' stops here: each thread holds its own SDK clients and modules (about 100 MiB). */
export const MAX_AUTO_THREADS = 8;

/**
 * How many collection threads a plan gets: `configured` ('auto': one per core, at most MAX_AUTO_THREADS), never more than its accounts (all of
 * an account's targets share one thread: its rate limiters, IAM reads and AssumeRole are per account), and none for
 * a plan too small to be worth the threads' start (each loads the SDKs anew).
 */
export function threadsFor(configured: number | 'auto', plan: { targets: number; accounts: number }): number {
  const wanted =
    configured === 'auto'
      ? plan.targets >= MIN_TARGETS_FOR_THREADS
        ? Math.min(availableParallelism(), MAX_AUTO_THREADS)
        : 0
      : configured;
  const threads = Math.min(wanted, plan.accounts);
  return threads >= 2 ? threads : 0;
}

interface Thread {
  worker: Worker;
  /** Requests sent and not answered. */
  pending: Map<number, { resolve: (c: TargetCollection) => void; reject: (e: Error) => void }>;
  /** Targets sent so far: an account goes to the thread with the fewest. */
  assigned: number;
  /** Why the thread died, once it has: later requests fail at once with it. */
  dead?: string;
}

/**
 * A collector whose targets are collected on worker threads, one account per thread: the CLI's counterpart of the
 * serverless fan-out (one scan-target Lambda per target), so a large AWS fleet is not held to one core for the SDK's
 * per-call CPU (signing, serialization, HTTP). The plan runs in the calling thread; evaluation stays there too.
 * `threads` counts the calling thread, which collects its share of accounts too; `threads` ≤ 1, or a plan below
 * `threadsFor`'s bar, collects in-process exactly as `createCollector` does.
 * Deps must be structured-cloneable (endpoints, plain credentials): a function in them collects in-process.
 */
export function createThreadedCollector(
  provider: Provider,
  config: ScanConfig,
  deps: CollectorDeps,
  threads: number | 'auto',
): Collector & { close(): Promise<void>; threads(): number } {
  const local = createCollector(provider, config, deps);
  const pool: Thread[] = [];
  const laneOf = new Map<string, Thread | { assigned: number }>();
  let size = 0;
  let nextId = 0;
  let closed = false;

  function start(): Thread {
    const data: WorkerData = { provider, config, deps };
    const worker = new Worker(new URL('./collect-worker.ts', import.meta.url), {
      workerData: data,
      execArgv: workerExecArgv(),
    });
    const thread: Thread = { worker, pending: new Map(), assigned: 0 };
    const fail = (reason: string) => {
      thread.dead ??= reason;
      for (const p of thread.pending.values()) p.reject(new Error(thread.dead));
      thread.pending.clear();
    };
    worker.on('message', (m: WorkerReply) => {
      const p = thread.pending.get(m.id);
      if (!p) return;
      thread.pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.collection);
      // An idle thread must not keep the process alive; a busy one must (the main thread only awaits its answers).
      if (thread.pending.size === 0) worker.unref();
    });
    worker.on('error', (e) => fail(`collection thread failed: ${errorMessage(e)}`));
    worker.on('exit', (code) => fail(`collection thread exited (code ${code})`));
    worker.unref();
    return thread;
  }

  /** The calling thread collects too, as one lane among the threads: one core's worth of SDK start saved. */
  const localLane = { assigned: 0 };
  function laneFor(accountId: string): Thread | typeof localLane {
    let lane = laneOf.get(accountId);
    if (!lane) {
      while (pool.length < size - 1) pool.push(start());
      lane = [localLane, ...pool].reduce((a, b) => (b.assigned < a.assigned ? b : a));
      laneOf.set(accountId, lane);
    }
    lane.assigned++;
    return lane;
  }

  return {
    provider,
    async plan(): Promise<TargetPlan> {
      const plan = await local.plan();
      size = threadsFor(threads, {
        targets: plan.targets.length,
        accounts: new Set(plan.targets.map((t) => t.accountId)).size,
      });
      if (size > 0 && !cloneable(deps)) size = 0;
      return plan;
    },
    collect(target: Target, options?: CollectOptions): Promise<TargetCollection> {
      // A scoped scan (no plan) or a small one: in-process.
      if (size === 0) return local.collect(target, options);
      const thread = laneFor(target.accountId);
      if (!('worker' in thread)) return local.collect(target, options);
      if (thread.dead) return Promise.reject(new Error(thread.dead));
      if (closed) return Promise.reject(new Error('collection threads were closed before this target'));
      const id = nextId++;
      const remaining = options?.deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
      const request: WorkerRequest = { id, target, deadlineAt: Date.now() + remaining };
      return new Promise<TargetCollection>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        thread.worker.ref();
        thread.worker.postMessage(request);
      });
    },
    threads: () => size,
    async close() {
      closed = true;
      await Promise.all(pool.splice(0).map((t) => t.worker.terminate()));
    },
  };
}

/** Whether deps survive structured clone (a function, such as an injected clock or credential object, does not). */
function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The TypeScript loader for the thread: the parent's flags when it runs under tsx (the CLI does), else tsx's
 * loader added (tests run under vitest, whose own loader threads do not inherit).
 */
function workerExecArgv(): string[] {
  if (process.execArgv.some((a) => a.includes('tsx'))) return process.execArgv;
  return [...process.execArgv, '--import', pathToFileURL(tsxLoader()).href];
}

function tsxLoader(): string {
  return new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).pathname;
}

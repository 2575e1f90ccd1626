import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanConfig } from '../core/config.ts';
import { errorMessage } from '../core/errors.ts';
import type { Provider } from '../core/snapshot.ts';
import type { CollectOptions, Collector, Target, TargetCollection, TargetPlan } from '../core/target.ts';
import { type CollectorDeps, createCollector } from './index.ts';

/** A scan's collector setup, sent with a thread's first request of that scan: it crosses by structured clone. */
export interface SessionSetup {
  provider: Provider;
  config: ScanConfig;
  deps: CollectorDeps;
}
export type WorkerRequest =
  | {
      type: 'collect';
      id: number;
      /** One scan's collector on the thread; `setup` comes with the session's first request there. */
      session: number;
      setup?: SessionSetup;
      target: Target;
      /** The target deadline as an epoch instant (Infinity: none). */
      deadlineAt: number;
    }
  | { type: 'end'; session: number };
export type WorkerReply = { id: number; collection: TargetCollection } | { id: number; error: string };

/**
 * 'auto' collects in-process below this many targets: a thread costs about 1-2 s of CPU to load the SDKs and warm up,
 * which a small fleet does not win back (bench:fleet on 2 cores: 80 targets / 400 clusters 5.7-6.7 s in-process
 * against 7.6 s with threads started cold; 400 targets / 2,000 clusters 25.3 s in-process against 22.2 s cold).
 */
export const MIN_TARGETS_FOR_THREADS = 128;
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
  /** Sessions whose setup this thread has. */
  sessions: Set<number>;
  /** Why the thread died, once it has: later requests fail at once with it. */
  dead?: string;
}

/**
 * Collection threads, started on first use and reusable across scans (each scan is a session with its own collector
 * on each thread): the CLI runs one scan, a benchmark warms them up with one scan and measures the next.
 */
export class CollectionThreads {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  private nextSession = 0;
  private closed = false;

  /** The first `n` threads, started as needed. */
  take(n: number): Thread[] {
    while (this.threads.length < n) this.threads.push(this.start());
    return this.threads.slice(0, n);
  }

  session(): number {
    return this.nextSession++;
  }

  /** Threads started so far (and not closed). */
  started(): number {
    return this.threads.length;
  }

  collect(
    thread: Thread,
    session: number,
    setup: SessionSetup,
    target: Target,
    options?: CollectOptions,
  ): Promise<TargetCollection> {
    if (thread.dead) return Promise.reject(new Error(thread.dead));
    if (this.closed) return Promise.reject(new Error('collection threads were closed before this target'));
    const id = this.nextId++;
    const remaining = options?.deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
    const request: WorkerRequest = {
      type: 'collect',
      id,
      session,
      ...(thread.sessions.has(session) ? {} : { setup }),
      target,
      deadlineAt: Date.now() + remaining,
    };
    thread.sessions.add(session);
    return new Promise<TargetCollection>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage(request);
    });
  }

  /** Frees a session's collector (clients, connections, caches) on every thread that has it. */
  end(session: number): void {
    for (const t of this.threads)
      if (t.sessions.delete(session) && !t.dead) t.worker.postMessage({ type: 'end', session } satisfies WorkerRequest);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private start(): Thread {
    const worker = new Worker(new URL('./collect-worker.ts', import.meta.url), { execArgv: workerExecArgv() });
    const thread: Thread = { worker, pending: new Map(), sessions: new Set() };
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
}

/**
 * A collector whose targets are collected on worker threads, one account per thread: the CLI's counterpart of the
 * serverless fan-out (one scan-target Lambda per target), so a large AWS fleet is not held to one core for the SDK's
 * per-call CPU (signing, serialization, HTTP). The plan runs in the calling thread; evaluation stays there too.
 * `threads` counts the calling thread, which collects its share of accounts too; `threads` ≤ 1, or a plan below
 * `threadsFor`'s bar, collects in-process exactly as `createCollector` does.
 * Deps must be structured-cloneable (endpoints, plain credentials): a function in them collects in-process.
 * `pool`: threads to use (and keep) instead of starting its own, which `close` ends.
 */
export function createThreadedCollector(
  provider: Provider,
  config: ScanConfig,
  deps: CollectorDeps,
  threads: number | 'auto',
  pool?: CollectionThreads,
): Collector & { close(): Promise<void>; threads(): number } {
  const local = createCollector(provider, config, deps);
  const own = pool ? undefined : new CollectionThreads();
  const threadPool = pool ?? own!;
  const session = threadPool.session();
  const setup: SessionSetup = { provider, config, deps };
  /** Lanes: the calling thread (no `thread`) and the collection threads; an account stays on one. */
  const lanes: { thread?: Thread; assigned: number }[] = [];
  const laneOf = new Map<string, { thread?: Thread; assigned: number }>();
  let size = 0;

  function laneFor(accountId: string) {
    let lane = laneOf.get(accountId);
    if (!lane) {
      if (lanes.length === 0)
        lanes.push({ assigned: 0 }, ...threadPool.take(size - 1).map((thread) => ({ thread, assigned: 0 })));
      lane = lanes.reduce((a, b) => (b.assigned < a.assigned ? b : a));
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
      const { thread } = laneFor(target.accountId);
      return thread ? threadPool.collect(thread, session, setup, target, options) : local.collect(target, options);
    },
    threads: () => size,
    async close() {
      threadPool.end(session);
      await own?.close();
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
  // tsx's package entry is its loader (`--import tsx`), resolved from here so the working directory does not matter.
  return [...process.execArgv, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

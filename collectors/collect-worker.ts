/**
 * A collection thread of the CLI (collectors/worker-pool.ts): one collector of its own, built from the cloneable
 * config and deps it was started with, collects the targets the main thread sends it and posts each collection back.
 * Its rate limiters, clients, connections and per-account caches are its own: the pool sends all of an account's
 * targets to one thread, so they are the same ones an in-process scan would share.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Deadline } from '../core/deadline.ts';
import { errorMessage } from '../core/errors.ts';
import { createCollector } from './index.ts';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-pool.ts';

const { provider, config, deps } = workerData as WorkerData;
const collector = createCollector(provider, config, deps);
const port = parentPort!;

port.on('message', (m: WorkerRequest) => {
  void (async () => {
    // The main thread's deadline, as an instant: both threads read the same wall clock.
    const deadline = Number.isFinite(m.deadlineAt) ? Deadline.after(m.deadlineAt - Date.now()) : Deadline.none();
    let reply: WorkerReply;
    try {
      reply = { id: m.id, collection: await collector.collect(m.target, { deadline }) };
    } catch (e) {
      reply = { id: m.id, error: errorMessage(e) };
    } finally {
      deadline.dispose();
    }
    try {
      port.postMessage(reply);
    } catch (e) {
      // A collection that cannot be cloned is a bug of ours; the target fails with the reason instead of hanging.
      port.postMessage({ id: m.id, error: `collection could not be sent to the main thread: ${errorMessage(e)}` });
    }
  })();
});

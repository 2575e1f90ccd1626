/**
 * A collection thread of the CLI (collectors/worker-pool.ts): per scan (session), one collector of its own, built
 * from the cloneable config and deps of the session's first request; it collects the targets the main thread sends
 * and posts each collection back. Its rate limiters, clients, connections and per-account caches are its own: the
 * pool sends all of an account's targets to one thread, so they are the ones an in-process scan would share.
 */
import { parentPort } from 'node:worker_threads';
import { Deadline } from '../core/deadline.ts';
import { errorMessage } from '../core/errors.ts';
import type { Collector } from '../core/target.ts';
import { createCollector } from './index.ts';
import type { WorkerReply, WorkerRequest } from './worker-pool.ts';

const port = parentPort!;
const sessions = new Map<number, Collector>();

async function collect(m: Extract<WorkerRequest, { type: 'collect' }>): Promise<WorkerReply> {
  let collector = sessions.get(m.session);
  if (!collector) {
    if (!m.setup) return { id: m.id, error: `collection thread has no setup for scan session ${m.session}` };
    collector = createCollector(m.setup.provider, m.setup.config, m.setup.deps);
    sessions.set(m.session, collector);
  }
  // The main thread's deadline, as an instant: both threads read the same wall clock.
  const deadline = Number.isFinite(m.deadlineAt) ? Deadline.after(m.deadlineAt - Date.now()) : Deadline.none();
  try {
    return { id: m.id, collection: await collector.collect(m.target, { deadline }) };
  } catch (e) {
    return { id: m.id, error: errorMessage(e) };
  } finally {
    deadline.dispose();
  }
}

port.on('message', (m: WorkerRequest) => {
  if (m.type === 'end') {
    sessions.delete(m.session);
    return;
  }
  void collect(m).then((reply) => {
    try {
      port.postMessage(reply);
    } catch (e) {
      // A collection that cannot be cloned is a bug of ours; the target fails with the reason instead of hanging.
      port.postMessage({ id: m.id, error: `collection could not be sent to the main thread: ${errorMessage(e)}` });
    }
  });
});

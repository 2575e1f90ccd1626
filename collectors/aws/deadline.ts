import { setMaxListeners } from 'node:events';
import type { Deadline } from '../../core/deadline.ts';

/**
 * A target has dozens of calls in flight, each listening for the deadline's abort (here and in the HTTP handler):
 * lift Node's 10-listener warning for this signal, which would otherwise print a false "memory leak" on stderr.
 */
export function listenFreely(deadline: Deadline): void {
  setMaxListeners(0, deadline.signal);
}

/**
 * `work`, or the deadline's Timeout error as soon as the deadline passes, whichever comes first. A failure after the
 * deadline is reported as the deadline (the abort it caused), so the gap says why. For work shared with other
 * targets (an account's IAM walk, its AssumeRole), this target stops waiting while the work goes on for the others.
 */
export function untilDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  if (deadline.expired) {
    work.catch(() => {});
    return Promise.reject(deadline.error());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.error());
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        deadline.signal.removeEventListener('abort', onAbort);
        reject(deadline.expired ? deadline.error() : e);
      },
    );
  });
}

// biome-ignore lint/suspicious/noExplicitAny: send's overloads differ per client; only the promise form is used.
type Sendable = { send(command: any, options?: any): Promise<any> };

/**
 * Binds a per-target client to the target's deadline: every call (paginators included: they call `send`) gets
 * `abortSignal: deadline.signal`, which aborts it in flight and stops its retries, and no call starts once the
 * deadline has passed. Only for clients of one target: a client shared by targets (the account's IAM) must not be
 * stopped by one of them; wrap what a target awaits from it in `untilDeadline` instead.
 */
export function withDeadline<C extends Sendable>(client: C, deadline: Deadline): C {
  if (!Number.isFinite(deadline.remainingMs())) return client;
  listenFreely(deadline);
  const send = client.send.bind(client);
  client.send = ((command: unknown, options?: Record<string, unknown>) => {
    if (deadline.expired) return Promise.reject(deadline.error());
    return untilDeadline(send(command, { ...options, abortSignal: deadline.signal }), deadline);
  }) as C['send'];
  return client;
}

import type { Deadline } from '../../core/deadline.ts';

// biome-ignore lint/suspicious/noExplicitAny: send's overloads differ per client; only the promise form is used.
type Sendable = { send(command: any, options?: any): Promise<any> };

/**
 * Binds a per-target client to the target's deadline: every call (paginators included: they call `send`) gets
 * `abortSignal: deadline.signal`, which aborts it in flight and stops its retries, and no call starts once the
 * deadline has passed. Only for clients of one target: a client shared by targets (the account's IAM) must not be
 * stopped by one of them; wrap what a target awaits from it in `deadline.race` instead.
 */
export function withDeadline<C extends Sendable>(client: C, deadline: Deadline): C {
  if (!Number.isFinite(deadline.remainingMs())) return client;
  const send = client.send.bind(client);
  client.send = ((command: unknown, options?: Record<string, unknown>) => {
    if (deadline.expired) return Promise.reject(deadline.error());
    return deadline.race(send(command, { ...options, abortSignal: deadline.signal }));
  }) as C['send'];
  return client;
}

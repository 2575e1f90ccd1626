import type { Deadline } from '../../core/deadline.ts';

// biome-ignore lint/suspicious/noExplicitAny: send's overloads differ per client; only the promise form is used.
type Sendable = { send(command: any, options?: any): Promise<any> };

/**
 * Binds a client to a target's deadline: every call through the returned view (paginators included: they call
 * `send`) gets `abortSignal: deadline.signal`, which aborts it in flight, ends its wait for a rate-limit token and
 * stops its retries, and no call starts once the deadline has passed. The client itself is left as it is (a view
 * inheriting from it, so `instanceof` holds for the paginators): clients are shared per account, region and service
 * across the scan. For work shared by targets (the account's IAM), wrap what a target awaits in `deadline.race`.
 */
export function withDeadline<C extends Sendable>(
  client: C,
  deadline: Deadline,
  /** The client was built with `signal: deadline.signal` (clients.ts): no per-call options, so its SDK cache works. */
  signalBound = false,
): C {
  if (!Number.isFinite(deadline.remainingMs())) return client;
  const bound = Object.create(client) as C;
  bound.send = ((command: unknown, options?: Record<string, unknown>) => {
    if (deadline.expired) return Promise.reject(deadline.error());
    const call =
      signalBound && options === undefined
        ? client.send(command)
        : client.send(command, { ...options, abortSignal: deadline.signal });
    return deadline.race(call);
  }) as C['send'];
  return bound;
}

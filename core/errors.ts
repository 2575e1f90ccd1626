import type { Provider } from './snapshot.ts';

export interface ErrorScope {
  provider?: Provider;
  accountId?: string;
  region?: string;
  clusterName?: string;
}

/** Codes shared by every collector, so reports and alerts can group failures. */
/**
 * `Timeout`: a call got no answer within its timeout (after every attempt), or the target's deadline passed.
 * `Malformed`: an answer without the fields the API always returns, or a page walk that did not terminate.
 */
export type FailureCode =
  | 'AccessDenied'
  | 'Throttled'
  | 'NotFound'
  | 'Unreachable'
  | 'Timeout'
  | 'Malformed'
  | 'Unknown';

export class KubepostureError extends Error {
  override name = 'KubepostureError';
}

/** Bad configuration: names the field and what is allowed. The CLI exits with its own code. */
export class ConfigError extends KubepostureError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** A cloud call failed; carries where, and a code the report can group by. */
export class CollectorError extends KubepostureError {
  override name = 'CollectorError';
  constructor(
    message: string,
    readonly code: FailureCode,
    readonly scope: ErrorScope,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class AccessDeniedError extends CollectorError {
  override name = 'AccessDeniedError';
  constructor(message: string, scope: ErrorScope, options?: { cause?: unknown }) {
    super(message, 'AccessDenied', scope, options);
  }
}

export class ThrottledError extends CollectorError {
  override name = 'ThrottledError';
  constructor(message: string, scope: ErrorScope, options?: { cause?: unknown }) {
    super(message, 'Throttled', scope, options);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** Stored state (a state file, a DynamoDB item) is unreadable or invalid: names the entry; nothing is overwritten. */
export class StateError extends KubepostureError {
  override name = 'StateError';
}

/** Another scan changed the stored state since this one read it; this scan's writes stop, nothing is lost. */
export class StateConflictError extends KubepostureError {
  override name = 'StateConflictError';
  constructor(
    message: string,
    readonly findingId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

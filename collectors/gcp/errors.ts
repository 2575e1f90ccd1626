import { CollectorError, errorMessage, type FailureCode } from '../../core/errors.ts';

/** gRPC status codes, as google-gax reports them on `GoogleError.code` for both transports. */
const GRPC = {
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
  UNAUTHENTICATED: 16,
};
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** gaxios's per-attempt timeout, and the connect timeout (collectors/common/agent.ts). */
const TIMEOUT = new Set(['TimeoutError', 'ETIMEDOUT']);

interface GoogleErrorLike {
  code?: number | string;
  status?: number | string;
  reason?: string;
  message?: string;
  response?: { status?: number };
  /** The HTTP status gax received (REST transport), beside the gRPC `code` it mapped it to. */
  httpStatusCode?: number;
  cause?: unknown;
}

/**
 * gax reports a 200 whose body is empty or not JSON as UNAVAILABLE, with the decoder's error as `cause`: that is an
 * answer that arrived malformed, not an unreachable service.
 */
function undecodable(err: GoogleErrorLike): boolean {
  const cause = err.cause as { name?: string; message?: string } | undefined;
  return cause?.name === 'SyntaxError' || /^Received null response from RPC/.test(cause?.message ?? '');
}

/** Maps a google-gax / gaxios / network error to the scanner's failure codes. */
export function classifyGcpError(e: unknown): FailureCode {
  // The collector's own verdicts: a malformed answer, a walk that did not end, the target's deadline.
  if (e instanceof CollectorError) return e.code;
  const err = (e ?? {}) as GoogleErrorLike;
  const code = err.code;
  if (undecodable(err)) return 'Malformed';
  const http = err.httpStatusCode ?? (typeof err.status === 'number' ? err.status : err.response?.status);
  if (code === GRPC.RESOURCE_EXHAUSTED || http === 429) return 'Throttled';
  if (code === GRPC.PERMISSION_DENIED || code === GRPC.UNAUTHENTICATED || http === 401 || http === 403)
    return 'AccessDenied';
  if (code === GRPC.NOT_FOUND || http === 404) return 'NotFound';
  // gax reports a transport failure as UNAVAILABLE, with the network error (a connect timeout) as its cause.
  const causeCode = (err.cause as { code?: unknown } | undefined)?.code;
  if (
    code === GRPC.DEADLINE_EXCEEDED ||
    (typeof code === 'string' && TIMEOUT.has(code)) ||
    (typeof causeCode === 'string' && TIMEOUT.has(causeCode))
  )
    return 'Timeout';
  if (
    code === GRPC.UNAVAILABLE ||
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    /ECONNREFUSED|ENOTFOUND|socket hang up/.test(err.message ?? '')
  )
    return 'Unreachable';
  if (/Unexpected token|JSON|decode/i.test(err.message ?? '')) return 'Malformed';
  return 'Unknown';
}

/** `AccessDenied: SERVICE_DISABLED: Kubernetes Engine API has not been used in project ...`. */
export function describeGcpError(e: unknown): string {
  if (e instanceof CollectorError) return errorMessage(e).split('\n')[0]!;
  const err = (e ?? {}) as GoogleErrorLike;
  const reason = err.reason ? `${err.reason}: ` : '';
  // gax prefixes the gRPC code ("7 PERMISSION_DENIED: ..."); the failure code already says it.
  const message = errorMessage(e)
    .split('\n')[0]!
    .replace(/^\d+ [A-Z_]+: /, '');
  return `${classifyGcpError(e)}: ${reason}${message}`;
}

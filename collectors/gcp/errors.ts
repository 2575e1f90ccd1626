import type { FailureCode } from '../../core/errors.ts';
import { errorMessage } from '../../core/errors.ts';

/** gRPC status codes, as google-gax reports them on `GoogleError.code` for both transports. */
const GRPC = {
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
  UNAUTHENTICATED: 16,
};
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

interface GoogleErrorLike {
  code?: number | string;
  status?: number | string;
  reason?: string;
  message?: string;
  response?: { status?: number };
}

/** Maps a google-gax / gaxios / network error to the scanner's failure codes. */
export function classifyGcpError(e: unknown): FailureCode {
  const err = (e ?? {}) as GoogleErrorLike;
  const code = err.code;
  const http = typeof err.status === 'number' ? err.status : err.response?.status;
  if (code === GRPC.RESOURCE_EXHAUSTED || http === 429) return 'Throttled';
  if (code === GRPC.PERMISSION_DENIED || code === GRPC.UNAUTHENTICATED || http === 401 || http === 403)
    return 'AccessDenied';
  if (code === GRPC.NOT_FOUND || http === 404) return 'NotFound';
  if (
    code === GRPC.UNAVAILABLE ||
    code === GRPC.DEADLINE_EXCEEDED ||
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    /ECONNREFUSED|ENOTFOUND|socket hang up/.test(err.message ?? '')
  )
    return 'Unreachable';
  if (/Unexpected token|JSON|decode/i.test(err.message ?? '')) return 'Malformed';
  return 'Unknown';
}

/** `AccessDenied: SERVICE_DISABLED: Kubernetes Engine API has not been used in project ...`. */
export function describeGcpError(e: unknown): string {
  const err = (e ?? {}) as GoogleErrorLike;
  const reason = err.reason ? `${err.reason}: ` : '';
  // gax prefixes the gRPC code ("7 PERMISSION_DENIED: ..."); the failure code already says it.
  const message = errorMessage(e)
    .split('\n')[0]!
    .replace(/^\d+ [A-Z_]+: /, '');
  return `${classifyGcpError(e)}: ${reason}${message}`;
}

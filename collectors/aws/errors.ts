import type { FailureCode } from '../../core/errors.ts';
import { CollectorError, errorMessage } from '../../core/errors.ts';

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'SignatureDoesNotMatch',
  'OptInRequired',
  'CredentialsProviderError',
]);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException', 'NoSuchEntity', 'NoSuchEntityException']);
/** Node's codes for a peer that cannot be reached; shared with the Kubernetes API client. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const UNREACHABLE = NETWORK_ERROR_CODES;
/** How @smithy/node-http-handler words a connection timeout (its requestTimeout and socketTimeout say otherwise). */
const NO_CONNECTION = /did not establish a connection/;

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Maps an AWS SDK (or network) error to the scanner's failure codes. Our own errors (a response that failed its
 * schema, a walk that did not terminate, the target deadline) carry their code.
 */
export function classifyAwsError(e: unknown): FailureCode {
  if (e instanceof CollectorError) return e.code;
  const err = (e ?? {}) as SdkLikeError;
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (THROTTLED.has(name) || status === 429) return 'Throttled';
  if (DENIED.has(name) || status === 403) return 'AccessDenied';
  if (NOT_FOUND.has(name) || status === 404) return 'NotFound';
  // The SDK's connectionTimeout: nothing answered the connection, as with a refused one.
  if (name === 'TimeoutError' && NO_CONNECTION.test(err.message ?? '')) return 'Unreachable';
  // requestTimeout (no answer), socketTimeout (an answer that stalled), or an aborted call.
  if (name === 'TimeoutError' || name === 'AbortError') return 'Timeout';
  if (UNREACHABLE.has(name) || (err.code && UNREACHABLE.has(err.code))) return 'Unreachable';
  if (/Deserialization|SyntaxError|Unexpected token|Expected /i.test(`${name} ${err.message ?? ''}`))
    return 'Malformed';
  return 'Unknown';
}

/** `Throttled: ThrottlingException: Rate exceeded (after 8 attempts)`: what an operator needs, nothing secret. */
export function describeAwsError(e: unknown): string {
  const err = (e ?? {}) as SdkLikeError;
  const code = classifyAwsError(e);
  const attempts = err.$metadata?.attempts;
  const suffix = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const message = errorMessage(e);
  // Our own errors already say what happened, code first.
  if (e instanceof CollectorError) return `${message.startsWith(`${code}:`) ? '' : `${code}: `}${message}${suffix}`;
  const name = err.name && err.name !== 'Error' && err.name !== code ? `${err.name}: ` : '';
  return `${code}: ${name}${message}${suffix}`;
}

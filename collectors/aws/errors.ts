import type { FailureCode } from '../../core/errors.ts';
import { errorMessage } from '../../core/errors.ts';

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
const UNREACHABLE = new Set([...NETWORK_ERROR_CODES, 'TimeoutError']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Maps an AWS SDK (or network) error to the scanner's failure codes. */
export function classifyAwsError(e: unknown): FailureCode {
  const err = (e ?? {}) as SdkLikeError;
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (THROTTLED.has(name) || status === 429) return 'Throttled';
  if (DENIED.has(name) || status === 403) return 'AccessDenied';
  if (NOT_FOUND.has(name) || status === 404) return 'NotFound';
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
  const name = err.name && err.name !== 'Error' && err.name !== code ? `${err.name}: ` : '';
  const suffix = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return `${code}: ${name}${errorMessage(e)}${suffix}`;
}

import { CollectorError, errorMessage, type FailureCode } from '../../core/errors.ts';

const DENIED = new Set([
  'AuthorizationFailed',
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'InvalidAuthenticationTokenTenant',
  'LinkedAuthorizationFailed',
  'SubscriptionNotRegistered',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AuthenticationError',
]);
const NOT_FOUND = new Set(['ResourceNotFound', 'NotFound', 'ResourceGroupNotFound', 'SubscriptionNotFound']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** What the connect and per-attempt timeouts (clients.ts) raise, after every attempt. */
const TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Maps an Azure SDK (`RestError`, `@azure/identity`) or network error to the scanner's failure codes. */
export function classifyAzureError(e: unknown): FailureCode {
  // The collector's own verdicts: a malformed answer, a walk that did not end, the target's deadline.
  if (e instanceof CollectorError) return e.code;
  const err = (e ?? {}) as RestErrorLike;
  const code = err.code ?? '';
  const status = err.statusCode;
  if (status === 429 || code === 'TooManyRequests') return 'Throttled';
  if (status === 401 || status === 403 || DENIED.has(code) || DENIED.has(err.name ?? '')) return 'AccessDenied';
  if (status === 404 || NOT_FOUND.has(code)) return 'NotFound';
  if (TIMEOUT.has(code)) return 'Timeout';
  if (UNREACHABLE.has(code) || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(err.message ?? '')) return 'Unreachable';
  if (code === 'PARSE_ERROR' || /Unexpected token|JSON/.test(err.message ?? '')) return 'Malformed';
  return 'Unknown';
}

/** `AccessDenied: AuthorizationFailed: The client ... does not have authorization ...`: no token, no secret. */
export function describeAzureError(e: unknown): string {
  if (e instanceof CollectorError) return errorMessage(e).split('\n')[0]!;
  const err = (e ?? {}) as RestErrorLike;
  const failure = classifyAzureError(e);
  const code =
    err.code && err.code !== failure && !UNREACHABLE.has(err.code) && !TIMEOUT.has(err.code) ? `${err.code}: ` : '';
  return `${failure}: ${code}${errorMessage(e).split('\n')[0]}`;
}

import type { FailureCode } from '../../core/errors.ts';
import { errorMessage } from '../../core/errors.ts';

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
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

interface RestErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Maps an Azure SDK (`RestError`, `@azure/identity`) or network error to the scanner's failure codes. */
export function classifyAzureError(e: unknown): FailureCode {
  const err = (e ?? {}) as RestErrorLike;
  const code = err.code ?? '';
  const status = err.statusCode;
  if (status === 429 || code === 'TooManyRequests') return 'Throttled';
  if (status === 401 || status === 403 || DENIED.has(code) || DENIED.has(err.name ?? '')) return 'AccessDenied';
  if (status === 404 || NOT_FOUND.has(code)) return 'NotFound';
  if (UNREACHABLE.has(code) || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(err.message ?? '')) return 'Unreachable';
  if (code === 'PARSE_ERROR' || /Unexpected token|JSON/.test(err.message ?? '')) return 'Malformed';
  return 'Unknown';
}

/** `AccessDenied: AuthorizationFailed: The client ... does not have authorization ...`: no token, no secret. */
export function describeAzureError(e: unknown): string {
  const err = (e ?? {}) as RestErrorLike;
  const failure = classifyAzureError(e);
  const code = err.code && err.code !== failure && !UNREACHABLE.has(err.code) ? `${err.code}: ` : '';
  return `${failure}: ${code}${errorMessage(e).split('\n')[0]}`;
}

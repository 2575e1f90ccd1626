import { AwsError } from './protocol.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items`. The token is opaque to clients (base64, so it exercises URL encoding) and
 * bound to the list it came from: a token from another list, or garbage, is InvalidParameterException.
 */
export function paginate<T>(
  items: readonly T[],
  listKey: string,
  request: { maxResults: string | null; nextToken: string | null },
  limits: { max: number; cap: number },
): Page<T> {
  let size = limits.max;
  if (request.maxResults !== null) {
    const n = Number(request.maxResults);
    if (!Number.isInteger(n) || n < 1 || n > limits.max) {
      throw new AwsError(400, 'InvalidParameterException', `maxResults must be between 1 and ${limits.max}.`);
    }
    size = n;
  }
  size = Math.min(size, limits.cap);
  let offset = 0;
  if (request.nextToken !== null && request.nextToken !== '') offset = decodeToken(request.nextToken, listKey);
  const end = offset + size;
  const page: Page<T> = { items: items.slice(offset, end) };
  if (end < items.length) page.nextToken = Buffer.from(JSON.stringify({ l: listKey, o: end })).toString('base64');
  return page;
}

function decodeToken(token: string, listKey: string): number {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { l?: unknown; o?: unknown };
    if (t.l === listKey && typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0) return t.o;
  } catch {
    // fall through
  }
  throw new AwsError(400, 'InvalidParameterException', 'The nextToken provided is invalid.');
}

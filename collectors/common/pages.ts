import { MalformedResponseError } from './response.ts';

/** Default cap on pages of one list walk: 1,000 pages of 100 is far beyond any real cluster, account or project. */
export const DEFAULT_MAX_PAGES = 1_000;

export interface PageGuardOptions {
  /** The action being walked (`eks:ListClusters`), named by the gap when the walk is cut. */
  action: string;
  /** The token that fetches the page after `page`; undefined or empty on the last page. */
  nextToken: (page: unknown) => string | undefined | null;
  maxPages?: number;
}

/**
 * Follows a paginated walk and proves it ends: a token seen before (a loop, whether A→A or A→B→A) or more pages
 * than `maxPages` throws `MalformedResponseError` ("pagination did not terminate") instead of yielding data forever
 * or truncating silently. Works over any async iterable of pages: AWS paginators, ARM `byPage()`, GKE page loops.
 */
export async function* guardPages<P>(pages: AsyncIterable<P>, options: PageGuardOptions): AsyncGenerator<P> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const seen = new Set<string>();
  let count = 0;
  for await (const page of pages) {
    count += 1;
    if (count > maxPages) {
      throw new MalformedResponseError(options.action, `more than ${maxPages} pages: pagination did not terminate`);
    }
    const token = options.nextToken(page);
    if (token) {
      if (seen.has(token)) {
        throw new MalformedResponseError(
          options.action,
          `a page token it had already sent (page ${count}): pagination did not terminate`,
        );
      }
      seen.add(token);
    }
    yield page;
  }
}

/** Every item of a guarded walk, in order. */
export async function collectPages<P, T>(
  pages: AsyncIterable<P>,
  pick: (page: P) => readonly T[] | undefined,
  options: PageGuardOptions,
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of guardPages(pages, options)) out.push(...(pick(page) ?? []));
  return out;
}

import * as z from 'zod';
import { RESULT_STATUSES } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import { SEVERITIES } from '../core/severity.ts';
import { PROVIDERS } from './scan-request.ts';

const list = <T extends z.ZodType<string, string>>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()) : v), z.array(item).min(1).max(50));

/** `GET /findings` query string: each filter a comma-separated list; a finding must match every filter given. */
export const FindingsQuerySchema = z
  .object({
    status: list(z.enum(RESULT_STATUSES)).optional(),
    severity: list(z.enum(SEVERITIES)).optional(),
    provider: list(z.enum(PROVIDERS)).optional(),
    account: list(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an account, subscription or project id')).optional(),
    cluster: list(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'a cluster name')).optional(),
    check: list(z.string().regex(/^(EKS|AKS|GKE)\.[A-Z]+\.\d+$/, 'a check id like EKS.ENDPOINT.1')).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    nextToken: z.string().max(512).optional(),
  })
  .strict();

export type FindingsFilter = z.infer<typeof FindingsQuerySchema>;

export interface FindingsPage {
  /** The scan the findings come from. */
  scanId: string;
  items: Finding[];
  nextToken?: string;
}

/**
 * The read side of `GET /findings`. On this branch it reads the newest finished scan's report
 * (`latestReportFindings`); with issue #6 merged, the archived report is the reconciled one, so
 * `lifecycle` (new, regressed, persisting, first/last seen) comes with every finding.
 */
export interface FindingsQuery {
  list(filter: FindingsFilter): Promise<FindingsPage | undefined>;
}

/**
 * A page token is bound to the scan it started on, so paging never mixes two scans. `o` is an offset into the
 * matching findings (a report read whole), or with `p` a line within page `p` of the scan's findings index.
 */
interface Cursor {
  s: string;
  o: number;
  p?: number;
}

export class BadPageTokenError extends Error {
  override name = 'BadPageTokenError';
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    const page = c.p === undefined || (Number.isInteger(c.p) && c.p >= 0);
    if (typeof c.s === 'string' && Number.isInteger(c.o) && (c.o as number) >= 0 && page) return c as Cursor;
  } catch {
    // fall through
  }
  throw new BadPageTokenError('nextToken is not a token this API returned');
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function matches(f: Finding, q: FindingsFilter): boolean {
  return (
    (!q.status || q.status.includes(f.status)) &&
    (!q.severity || q.severity.includes(f.severity)) &&
    (!q.provider || q.provider.includes(f.provider)) &&
    (!q.account || q.account.includes(f.accountId)) &&
    (!q.cluster || q.cluster.includes(f.clusterName)) &&
    (!q.check || q.check.includes(f.checkId))
  );
}

/**
 * Findings of a scan's report, filtered and paged in the report's order (worst first).
 * `latestScanId` names the newest finished scan; `findingsOf` reads one scan's findings.
 */
export function reportFindingsQuery(deps: {
  latestScanId(): Promise<string | undefined>;
  findingsOf(scanId: string): Promise<readonly Finding[] | undefined>;
}): FindingsQuery {
  return {
    async list(q) {
      const cursor = q.nextToken ? decodeCursor(q.nextToken) : undefined;
      const scanId = cursor?.s ?? (await deps.latestScanId());
      if (!scanId) return undefined;
      const all = await deps.findingsOf(scanId);
      if (!all) {
        if (cursor) throw new BadPageTokenError('nextToken names a scan whose report is gone');
        return undefined;
      }
      const matching = all.filter((f) => matches(f, q));
      const offset = cursor?.o ?? 0;
      const items = matching.slice(offset, offset + q.limit);
      const end = offset + items.length;
      return { scanId, items, ...(end < matching.length ? { nextToken: encodeCursor({ s: scanId, o: end }) } : {}) };
    },
  };
}

/** The parts of a findings index page (publish/artifacts.ts `FindingsIndexPage`) a query reads. */
export interface IndexPage {
  start: number;
  end: number;
  count: number;
  status: readonly string[];
  severity: readonly string[];
  provider: readonly string[];
  account: readonly string[];
  cluster: readonly string[];
  check: readonly string[];
}

/** Whether a page can hold a finding matching every filter (its value lists say what it holds). */
function pageCanMatch(p: IndexPage, q: FindingsFilter): boolean {
  const any = (values: readonly string[] | undefined, held: readonly string[]) =>
    !values || values.some((v) => held.includes(v));
  return (
    any(q.status, p.status) &&
    any(q.severity, p.severity) &&
    any(q.provider, p.provider) &&
    any(q.account, p.account) &&
    any(q.cluster, p.cluster) &&
    any(q.check, p.check)
  );
}

/** Pages of findings one request reads at most: a rare filter answers fewer items, with a token to go on. */
export const MAX_PAGES_PER_REQUEST = 8;

/**
 * Findings of a scan served page by page from its findings index (`report.findings.index.json`) and ranged reads of
 * `report.findings.jsonl`, never by reading the whole report: a request reads the index and at most
 * `MAX_PAGES_PER_REQUEST` pages of about a megabyte, skipping pages the filters cannot match. Findings come in the
 * file's order (target by target). A scan archived before the index existed is served by `fallback`.
 */
export function indexedFindingsQuery(deps: {
  latestScanId(): Promise<string | undefined>;
  index(scanId: string): Promise<{ pages: readonly IndexPage[] } | undefined>;
  /** Bytes `[start, end)` of the scan's findings file. */
  read(scanId: string, start: number, end: number): Promise<string | undefined>;
  fallback?: FindingsQuery;
  maxPages?: number;
}): FindingsQuery {
  const maxPages = deps.maxPages ?? MAX_PAGES_PER_REQUEST;
  return {
    async list(q) {
      const cursor = q.nextToken ? decodeCursor(q.nextToken) : undefined;
      const scanId = cursor?.s ?? (await deps.latestScanId());
      if (!scanId) return undefined;
      const index = cursor && cursor.p === undefined ? undefined : await deps.index(scanId);
      if (!index) {
        if (deps.fallback && cursor?.p === undefined) return deps.fallback.list(q);
        if (cursor) throw new BadPageTokenError('nextToken names a scan whose findings index is gone');
        return undefined;
      }
      let page = cursor?.p ?? 0;
      let line = cursor?.o ?? 0;
      if (page > index.pages.length || (page < index.pages.length && line > index.pages[page]!.count)) {
        throw new BadPageTokenError('nextToken points past the findings of its scan');
      }
      const items: Finding[] = [];
      let read = 0;
      for (; page < index.pages.length; page++, line = 0) {
        const meta = index.pages[page]!;
        if (!pageCanMatch(meta, q)) continue;
        if (read === maxPages) break;
        read++;
        const text = await deps.read(scanId, meta.start, meta.end);
        if (text === undefined) throw new Error(`The findings file of scan ${scanId} is missing (its index exists)`);
        const lines = text.split('\n');
        for (let i = line; i < lines.length; i++) {
          if (!lines[i]) continue;
          const f = JSON.parse(lines[i]!) as Finding;
          if (!matches(f, q)) continue;
          items.push(f);
          if (items.length === q.limit) {
            const rest = i + 1 < meta.count ? { p: page, o: i + 1 } : { p: page + 1, o: 0 };
            const more = rest.p < index.pages.length;
            return { scanId, items, ...(more ? { nextToken: encodeCursor({ s: scanId, ...rest }) } : {}) };
          }
        }
      }
      const more = page < index.pages.length;
      return { scanId, items, ...(more ? { nextToken: encodeCursor({ s: scanId, p: page, o: 0 }) } : {}) };
    },
  };
}

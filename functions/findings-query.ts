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

/** A page token is bound to the scan it started on, so paging never mixes two scans. */
interface Cursor {
  s: string;
  o: number;
}

export class BadPageTokenError extends Error {
  override name = 'BadPageTokenError';
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof c.s === 'string' && Number.isInteger(c.o) && (c.o as number) >= 0) return c as Cursor;
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

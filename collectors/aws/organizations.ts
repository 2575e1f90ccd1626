import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import type { AwsConfig } from '../../core/config.ts';
import { guardPages } from '../common/pages.ts';

export interface OrganizationAccount {
  id: string;
  name?: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE (the Organizations `Status`). */
  status: string;
}

/**
 * Every account of the organization, one paginated ListAccounts walk. Called once per scan, by the
 * plan step only: Organizations publishes no rate limit and throttles concurrent callers.
 */
export async function listOrganizationAccounts(
  client: OrganizationsClient,
  options: { maxPages?: number } = {},
): Promise<OrganizationAccount[]> {
  const out: OrganizationAccount[] = [];
  // Guarded: a NextToken that repeats rejects (Malformed) instead of listing the same accounts forever.
  const pages = guardPages(paginateListAccounts({ client, pageSize: 20 }, {}), {
    action: 'organizations:ListAccounts',
    nextToken: (p) => (p as { NextToken?: string }).NextToken,
    maxPages: options.maxPages,
  });
  for await (const page of pages) {
    for (const a of page.Accounts ?? []) {
      if (!a.Id) continue;
      out.push({ id: a.Id, ...(a.Name ? { name: a.Name } : {}), status: a.Status ?? 'UNKNOWN' });
    }
  }
  return out;
}

/** The accounts a scan covers: active members only, then `include`, then `exclude`; sorted, so plans diff cleanly. */
export function selectAccounts(
  accounts: readonly OrganizationAccount[],
  organization: NonNullable<AwsConfig['organization']>,
): string[] {
  const include = organization.include ? new Set(organization.include) : undefined;
  const exclude = new Set(organization.exclude);
  return accounts
    .filter((a) => a.status === 'ACTIVE' && (!include || include.has(a.id)) && !exclude.has(a.id))
    .map((a) => a.id)
    .sort();
}

import * as z from 'zod';
import { ClusterRefError, clusterIdKey, parseClusterRef } from '../core/cluster-ref.ts';
import {
  AWS_ACCOUNT_ID,
  AWS_REGION,
  AZURE_SUBSCRIPTION_ID,
  boundedList,
  GCP_PROJECT_ID,
  LIMITS,
} from '../core/config.ts';
import type { Target } from '../core/target.ts';

/** Scan ids become S3 prefixes, DynamoDB keys and Step Functions execution names: a safe alphabet only. */
export const SCAN_ID = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'up to 80 letters, digits, dot, dash or underscore');

export const PROVIDERS = ['aws', 'azure', 'gcp'] as const;

// The account, subscription, project and region rules are the configuration's own, so the two never disagree.
const AZURE_SUBSCRIPTION = AZURE_SUBSCRIPTION_ID;
const GCP_PROJECT = GCP_PROJECT_ID;
/** Azure and GCP targets are a whole subscription / project: every location in one call. */
const ALL_LOCATIONS = z.literal('*');
const GCP_LOCATION = z.string().regex(/^[a-z]+-[a-z]+\d+(?:-[a-z])?$/, 'a Google Cloud region or zone');

/** One unit of the fan-out, checked per cloud, so a scan-target event can name only a real target shape. */
export const TargetSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('aws'), accountId: AWS_ACCOUNT_ID, region: AWS_REGION }).strict(),
  z.object({ provider: z.literal('azure'), accountId: AZURE_SUBSCRIPTION, region: ALL_LOCATIONS }).strict(),
  // A GKE cluster target (a cluster scan) is located: two clusters of a project may share a name across locations.
  z
    .object({ provider: z.literal('gcp'), accountId: GCP_PROJECT, region: z.union([ALL_LOCATIONS, GCP_LOCATION]) })
    .strict(),
]);

/**
 * One cluster by its cloud's own id: an EKS ARN, an AKS resource id or a GKE cluster path, kept in its canonical form
 * (`ClusterRef.id`). A bad one names the accepted forms, never echoing more than the start of the value.
 */
export const CLUSTER_REF = z
  .string()
  .max(1024, 'at most 1024 characters')
  .transform((v, ctx) => {
    try {
      return parseClusterRef(v).id;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof ClusterRefError ? e.message : String(e) });
      return z.NEVER;
    }
  });

/** Clusters one on-demand scan may name: each is one scan-target invocation; a larger change is a full scan. */
export const MAX_SCAN_CLUSTERS = 100;
const ACCOUNT = z.union([AWS_ACCOUNT_ID, AZURE_SUBSCRIPTION, GCP_PROJECT], {
  error: 'an AWS account id, Azure subscription id or Google Cloud project id',
});

/**
 * Narrows one scan (an on-demand `POST /scans`). Each list is optional; a target is scanned when it
 * matches every list given. `clusters` is a scan of its own: those clusters only, each read by name, and only their
 * findings reconciled (a rescan); it names cloud, account and region itself, so it takes no other list.
 */
export const ScanFilterSchema = z
  .object({
    providers: boundedList(z.enum(PROVIDERS), { min: 1, max: 3, noun: 'providers' }).optional(),
    accounts: boundedList(ACCOUNT, { min: 1, max: 1000, noun: 'accounts' }).optional(),
    regions: boundedList(AWS_REGION, { min: 1, max: LIMITS.regions, noun: 'regions' }).optional(),
    clusters: boundedList(CLUSTER_REF, {
      min: 1,
      max: MAX_SCAN_CLUSTERS,
      noun: 'clusters',
      key: clusterIdKey,
    }).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.clusters && (f.providers || f.accounts || f.regions))
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message:
          'cannot be combined with providers, accounts or regions: each cluster id names its cloud, account and region',
      });
  });

export type ScanFilter = z.infer<typeof ScanFilterSchema>;

/** Whether a planned target (or a planning error about one) is inside the filter. `*` regions always are. */
export function inFilter(
  t: Pick<Target, 'provider' | 'accountId' | 'region'>,
  filter: ScanFilter | undefined,
): boolean {
  if (!filter) return true;
  if (filter.providers && !filter.providers.includes(t.provider)) return false;
  if (filter.accounts && t.accountId !== '*' && !filter.accounts.includes(t.accountId)) return false;
  if (filter.regions && t.provider === 'aws' && t.region !== '*' && !filter.regions.includes(t.region)) return false;
  return true;
}

/** The cloud an account id belongs to: the three id formats never overlap. */
function providerOfAccount(id: string): (typeof PROVIDERS)[number] | undefined {
  if (AWS_ACCOUNT_ID.safeParse(id).success) return 'aws';
  if (AZURE_SUBSCRIPTION.safeParse(id).success) return 'azure';
  if (GCP_PROJECT.safeParse(id).success) return 'gcp';
  return undefined;
}

/** The accounts of one cloud a filter scans: undefined = all of them, [] = none. */
function accountsOf(filter: ScanFilter | undefined, provider: (typeof PROVIDERS)[number]): string[] | undefined {
  if (!filter?.accounts) return undefined;
  return filter.accounts.filter((id) => providerOfAccount(id) === provider).map((id) => id.toLowerCase());
}

/** undefined = everything, [] = nothing. */
function intersect(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a?.length === 0 || b?.length === 0) return false;
  return !a || !b || a.some((v) => b.includes(v));
}

/**
 * Whether two scans (undefined = the whole configured fleet) would read a common target: some cloud both include,
 * a common account of it (or no account list), and for AWS a common region (or no region list). Cluster names do not
 * make scopes disjoint: a target is collected whole whatever the cluster filter, so both scans would call the same
 * account and region APIs.
 */
export function scopesOverlap(a: ScanFilter | undefined, b: ScanFilter | undefined): boolean {
  // A cluster scan reconciles only its clusters, and its commits are safe against any other scan's (conditional
  // writes, retried on fresh state; an older view never undoes a newer one): it waits only for a scan of the same
  // cluster, so a day-long full scan never holds back a change-driven rescan.
  if (a?.clusters || b?.clusters) {
    if (!a?.clusters || !b?.clusters) return false;
    const keys = new Set(a.clusters.map(clusterIdKey));
    return b.clusters.some((c) => keys.has(clusterIdKey(c)));
  }
  return PROVIDERS.some(
    (p) =>
      (!a?.providers || a.providers.includes(p)) &&
      (!b?.providers || b.providers.includes(p)) &&
      intersect(accountsOf(a, p), accountsOf(b, p)) &&
      (p !== 'aws' || intersect(a?.regions, b?.regions)),
  );
}

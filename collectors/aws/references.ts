import {
  type AddonInfo,
  type EKSClient,
  paginateDescribeAddonVersions,
  paginateDescribeClusterVersions,
} from '@aws-sdk/client-eks';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ClusterVersionsReference, RecommendedRelease } from '../../core/snapshot.ts';
import { collectPages } from '../common/pages.ts';
import { eksNextToken } from './eks.ts';
import { describeAwsError } from './errors.ts';
import { fallbackVersions } from './versions.ts';

/**
 * Public reference data: the EKS version calendar, recommended node releases (SSM public
 * parameters) and add-on versions. It is the same for every account, so it is read once per
 * region per scan and attached to every snapshot of that region (SSM GetParameter is limited to
 * 40 TPS per account and region). It is read through the target account's reader role, like
 * everything else; when one account may not read it, the next account asking tries with its own.
 */
export interface ReferenceScope {
  accountId: string;
  region: string;
  /** Clients with the target account's credentials, in `region`. */
  eks: EKSClient;
  ssm: SSMClient;
}

export interface ReferenceSource {
  /** DescribeClusterVersions, or the dated fallback calendar (saying why) when it cannot be read. Never rejects. */
  versions(scope: ReferenceScope): Promise<ClusterVersionsReference>;
  /** One SSM public parameter; `releaseVersion` undefined when AWS has none (ParameterNotFound). Rejects on other errors. */
  parameter(scope: ReferenceScope, name: string): Promise<RecommendedRelease>;
  /** DescribeAddonVersions for one Kubernetes version, by add-on name. Rejects on errors. */
  addonVersions(scope: ReferenceScope, kubernetesVersion: string): Promise<Record<string, AddonInfo>>;
}

/**
 * One answer per key shared by all accounts. A success (or a read in flight) serves everyone; a
 * failure stays with the account that got it, and the next account asking reads with its own
 * credentials, so one account's denial never becomes another account's gap.
 */
export class SharedAcrossAccounts<T> {
  private readonly shared = new Map<string, Promise<T>>();
  private readonly own = new Map<string, Promise<T>>();

  get(key: string, accountId: string, load: () => Promise<T>): Promise<T> {
    const ownKey = `${accountId}\u0000${key}`;
    let mine = this.own.get(ownKey);
    if (!mine) {
      mine = (async () => {
        const existing = this.shared.get(key);
        if (existing) {
          try {
            return await existing;
          } catch {
            // Another account could not read it: try with ours.
          }
        }
        const attempt = load();
        this.shared.set(key, attempt);
        attempt.catch(() => {
          if (this.shared.get(key) === attempt) this.shared.delete(key);
        });
        return attempt;
      })();
      this.own.set(ownKey, mine);
    }
    return mine;
  }
}

/** `maxPages`: the cap of each reference walk (`collection.maxPages`). */
export function createReferenceSource(maxPages?: number): ReferenceSource {
  const versions = new SharedAcrossAccounts<ClusterVersionsReference>();
  const parameters = new SharedAcrossAccounts<RecommendedRelease>();
  const addons = new SharedAcrossAccounts<Record<string, AddonInfo>>();

  return {
    versions: (scope) =>
      versions
        .get(scope.region, scope.accountId, async () => {
          // includeAll: versions past extended support too, so a cluster still on one is judged, not skipped.
          const versions = await collectPages(
            paginateDescribeClusterVersions({ client: scope.eks }, { includeAll: true }),
            (p) => p.clusterVersions,
            { action: 'eks:DescribeClusterVersions', nextToken: eksNextToken, maxPages },
          );
          if (versions.length === 0) throw new Error('DescribeClusterVersions returned no versions');
          return { source: 'api', versions };
        })
        .catch((e: unknown) => fallbackVersions(`eks:DescribeClusterVersions: ${describeAwsError(e)}`)),

    parameter: (scope, name) =>
      parameters.get(`${scope.region} ${name}`, scope.accountId, async () => {
        try {
          const out = await scope.ssm.send(new GetParameterCommand({ Name: name }));
          return {
            parameter: name,
            ...(out.Parameter?.Value ? { releaseVersion: out.Parameter.Value } : {}),
            ...(out.Parameter?.LastModifiedDate ? { lastModifiedDate: out.Parameter.LastModifiedDate } : {}),
          };
        } catch (e) {
          // AWS publishes no such parameter (e.g. AL2 on 1.33+): a fact, not a failure.
          if ((e as { name?: string }).name === 'ParameterNotFound') return { parameter: name };
          throw e;
        }
      }),

    addonVersions: (scope, kubernetesVersion) =>
      addons.get(`${scope.region} ${kubernetesVersion}`, scope.accountId, async () => {
        const out: Record<string, AddonInfo> = {};
        const addons = await collectPages(
          paginateDescribeAddonVersions({ client: scope.eks }, { kubernetesVersion }),
          (p) => p.addons,
          { action: 'eks:DescribeAddonVersions', nextToken: eksNextToken, maxPages },
        );
        for (const a of addons) if (a.addonName) out[a.addonName] = a;
        return out;
      }),
  };
}

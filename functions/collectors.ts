import { createCollector } from '../collectors/index.ts';
import type { ScanConfig } from '../core/config.ts';
import type { Provider } from '../core/snapshot.ts';
import type { Collector, Target } from '../core/target.ts';

/** Builds one cloud's collector for one invocation; tests give one pointed at the simulated fleet. */
export type CollectorFactory = (provider: Provider, config: ScanConfig) => Collector;

/**
 * Production collectors. In Lambda: the function's role for AWS; for Azure, a ClientAssertionCredential fed by
 * sts:GetWebIdentityToken (KUBEPOSTURE_AZURE_FEDERATION, AZURE_TENANT_ID, AZURE_CLIENT_ID); for GCP, the workload identity
 * federation config in KUBEPOSTURE_GCP_CREDENTIAL_CONFIG. The stack sets these from `kubeposture.federation`
 * (docs/deploy.md §5); unset, each SDK's default chain applies, as on a workstation.
 */
export const defaultCollectors: CollectorFactory = (provider, config) => createCollector(provider, config);

/** AWS always; Azure and Google Cloud when their config section exists (the CLI's rule). */
export function configuredProviders(config: ScanConfig): Provider[] {
  return ['aws', ...(config.azure ? (['azure'] as const) : []), ...(config.gcp ? (['gcp'] as const) : [])];
}

/**
 * The configuration narrowed to one target, so its collector touches that account or project
 * only: one AssumeRole (with the account's own role name and external id, if configured), no
 * Organizations call, no subscription or project listing.
 */
export function configForTarget(config: ScanConfig, target: Target): ScanConfig {
  if (target.provider === 'azure') {
    return { ...config, azure: { maxAttempts: 4, ...config.azure, subscriptions: [target.accountId] } };
  }
  if (target.provider === 'gcp')
    return { ...config, gcp: { maxAttempts: 4, ...config.gcp, projects: [target.accountId] } };
  const { organization, ...aws } = config.aws;
  // Neither a list nor an organization: the scanner's own account, with its own credentials.
  if (!organization && !aws.accounts) return config;
  const account = aws.accounts?.find((a) => a.id === target.accountId) ?? { id: target.accountId };
  // SCPs are read by the CLI only: Organizations throttles concurrent callers, so fan-out workers never call it.
  return { ...config, aws: { ...aws, accounts: [account], serviceControlPolicies: false } };
}

/** Evaluates only the named clusters of a target (an on-demand scan's `clusters` filter). */
export function onlyClusters(collector: Collector, names: readonly string[] | undefined): Collector {
  if (!names) return collector;
  const wanted = new Set(names);
  return {
    ...collector,
    async collect(target, options) {
      const c = await collector.collect(target, options);
      return { ...c, snapshots: c.snapshots.filter((s) => wanted.has(s.name)) };
    },
  };
}

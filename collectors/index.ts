import type { ScanConfig } from '../core/config.ts';
import type { Provider } from '../core/snapshot.ts';
import type { Collector } from '../core/target.ts';
import { type AwsCollectorDeps, createAwsCollector } from './aws/index.ts';
import type { AzureCollectorDeps } from './azure/index.ts';
import type { GcpCollectorDeps } from './gcp/index.ts';

/** Each cloud's injected dependencies (endpoints and credentials of the simulator, in tests and `--sample`). */
export interface CollectorDeps {
  aws?: AwsCollectorDeps;
  azure?: AzureCollectorDeps;
  gcp?: GcpCollectorDeps;
}

/**
 * One cloud's collector, for the CLI and the functions alike. The Azure and Google collectors load on first use, by
 * `import()`: their SDKs are large (gRPC, protobuf definitions, MSAL), an AWS-only scan should neither pay for them
 * at start nor fail on them, and a function bundle keeps them in chunks of their own (stacks/bundling.ts).
 */
export function createCollector(provider: Provider, config: ScanConfig, deps: CollectorDeps = {}): Collector {
  if (provider === 'azure') {
    return deferred('azure', async () => (await import('./azure/index.ts')).createAzureCollector(config, deps.azure));
  }
  if (provider === 'gcp') {
    return deferred('gcp', async () => (await import('./gcp/index.ts')).createGcpCollector(config, deps.gcp));
  }
  return createAwsCollector(config, deps.aws);
}

/** A collector whose module loads on the first call; a failed load fails that call (and the next ones) alike. */
function deferred(provider: Provider, load: () => Promise<Collector>): Collector {
  let collector: Promise<Collector> | undefined;
  const get = () => {
    collector ??= load();
    return collector;
  };
  return {
    provider,
    plan: async () => (await get()).plan(),
    collect: async (target, options) => (await get()).collect(target, options),
  };
}

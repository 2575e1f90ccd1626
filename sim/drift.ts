import type { FleetSpec } from './spec.ts';

/** The scan trigger of a `--sample` run on the drifted fleet; the next run goes back to the base fleet. */
export const SAMPLE_DRIFT_TRIGGER = 'cli-sample-drift';

/**
 * The sample fleet "a day later", so a second `npm start` shows a delta: every other `--sample` run with state
 * (the one after a run on the base fleet) scans this variant, and the run after it scans the base fleet again.
 * Two scripted changes, both in the prod account:
 * - ml-training's public endpoint is narrowed from 0.0.0.0/0 to 203.0.113.0/24: EKS.ENDPOINT.1 resolved;
 * - payments-prod stops sending audit logs: EKS.LOGGING.1 new.
 * Back on the base fleet, the first is regressed and the second resolved.
 */
export function sampleDrift(spec: FleetSpec): FleetSpec {
  const accounts = spec.accounts.map((a) => ({
    ...a,
    clusters: a.clusters.map((c) => {
      if (a.id !== '111111111111') return c;
      if (c.name === 'ml-training') {
        return { ...c, resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } };
      }
      if (c.name === 'payments-prod') {
        return {
          ...c,
          logging: {
            clusterLogging: [
              {
                types: ['api' as const, 'authenticator' as const, 'controllerManager' as const, 'scheduler' as const],
                enabled: true,
              },
              { types: ['audit' as const], enabled: false },
            ],
          },
        };
      }
      return c;
    }),
  }));
  return { ...spec, accounts };
}

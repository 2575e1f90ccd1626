import type { GkeCluster } from '../../core/snapshot-gke.ts';

/**
 * How a GKE control plane is reachable, read from the newest API fields first.
 *
 * Since 2024 GKE describes endpoints in `controlPlaneEndpointsConfig` (`ipEndpointsConfig`, `dnsEndpointConfig`);
 * `privateClusterConfig.enablePrivateEndpoint` and the top-level `masterAuthorizedNetworksConfig` are deprecated and
 * are not kept in step for every change (IP endpoints disabled has no deprecated equivalent at all). So when the new
 * block is present it decides, and the deprecated fields are only a fallback for answers that lack it.
 */

/** proto3 `optional bool`: absent arrives as undefined or null depending on the decoder; only a real bool counts. */
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export interface AuthorizedNetworks {
  enabled: boolean;
  cidrBlocks: string[];
  gcpPublicCidrsAccessEnabled: boolean | null;
  privateEndpointEnforcementEnabled: boolean | null;
}

export type IpExposure =
  /** The fields that decide were not in the answer: the check must say ERROR, never guess. */
  | { kind: 'unknown'; source: string; reason: string; fields: string[] }
  | { kind: 'ip-disabled'; source: string; fields: string[] }
  | { kind: 'private-only'; source: string; fields: string[]; networks: AuthorizedNetworks }
  | { kind: 'public'; source: string; fields: string[]; networks: AuthorizedNetworks };

export const NEW = 'controlPlaneEndpointsConfig.ipEndpointsConfig';

function networks(
  man: NonNullable<GkeCluster['masterAuthorizedNetworksConfig']> | null | undefined,
): AuthorizedNetworks {
  return {
    enabled: man?.enabled === true,
    cidrBlocks: (man?.cidrBlocks ?? []).map((b) => b.cidrBlock ?? '').filter(Boolean),
    gcpPublicCidrsAccessEnabled: bool(man?.gcpPublicCidrsAccessEnabled) ?? null,
    privateEndpointEnforcementEnabled: bool(man?.privateEndpointEnforcementEnabled) ?? null,
  };
}

export function ipExposure(c: GkeCluster): IpExposure {
  const ip = c.controlPlaneEndpointsConfig?.ipEndpointsConfig;
  if (ip) {
    const fields = [`${NEW}.enabled`, `${NEW}.enablePublicEndpoint`, `${NEW}.authorizedNetworksConfig`];
    const enabled = bool(ip.enabled);
    if (enabled === false) return { kind: 'ip-disabled', source: NEW, fields };
    if (enabled === undefined)
      return { kind: 'unknown', source: NEW, fields, reason: `${NEW}.enabled was not in the GKE answer` };
    const pub = bool(ip.enablePublicEndpoint);
    if (pub === undefined)
      return { kind: 'unknown', source: NEW, fields, reason: `${NEW}.enablePublicEndpoint was not in the GKE answer` };
    return {
      kind: pub ? 'public' : 'private-only',
      source: NEW,
      fields,
      networks: networks(ip.authorizedNetworksConfig),
    };
  }
  const source = 'privateClusterConfig/masterAuthorizedNetworksConfig (deprecated)';
  const fields = ['privateClusterConfig.enablePrivateEndpoint', 'masterAuthorizedNetworksConfig'];
  // Neither the new block nor the deprecated ones: nothing says the endpoint is public or private.
  if (!c.privateClusterConfig && !c.masterAuthorizedNetworksConfig)
    return {
      kind: 'unknown',
      source,
      fields,
      reason:
        'the GKE answer has neither controlPlaneEndpointsConfig nor privateClusterConfig/masterAuthorizedNetworksConfig',
    };
  const privateOnly = c.privateClusterConfig?.enablePrivateEndpoint === true;
  return {
    kind: privateOnly ? 'private-only' : 'public',
    source,
    fields,
    networks: networks(c.masterAuthorizedNetworksConfig),
  };
}

/** What the deprecated fields say, for evidence when they disagree with the new block. */
export function deprecatedSaysPrivate(c: GkeCluster): boolean | null {
  return c.privateClusterConfig ? c.privateClusterConfig.enablePrivateEndpoint === true : null;
}

export const DNS = 'controlPlaneEndpointsConfig.dnsEndpointConfig';

export type DnsExposure =
  | { kind: 'unknown'; reason: string }
  | { kind: 'none' }
  | { kind: 'internal' | 'external'; endpoint: string };

export function dnsExposure(c: GkeCluster): DnsExposure {
  const cfg = c.controlPlaneEndpointsConfig;
  if (!cfg)
    return {
      kind: 'unknown',
      reason: 'the GKE answer has no controlPlaneEndpointsConfig, so whether a DNS endpoint exists is not known',
    };
  const dns = cfg.dnsEndpointConfig;
  if (!dns?.endpoint) return { kind: 'none' };
  const external = bool(dns.allowExternalTraffic);
  if (external === undefined)
    return { kind: 'unknown', reason: `${DNS}.allowExternalTraffic was not in the GKE answer` };
  return { kind: external ? 'external' : 'internal', endpoint: dns.endpoint };
}

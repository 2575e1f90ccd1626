import type { Cluster } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { resolveFleet } from '../fleet.ts';
import { loadSampleFleet } from '../index.ts';

const spec = await loadSampleFleet();
const fleet = resolveFleet(spec);
const clusters = fleet.allClusters();
const reachable = clusters.filter((c) => !fleet.account(c.accountId)!.denyAssumeRole);

const WORLD = ['0.0.0.0/0', '::/0'];
const worldOpen = (c: Cluster) =>
  c.resourcesVpcConfig?.endpointPublicAccess === true &&
  (c.resourcesVpcConfig.publicAccessCidrs ?? []).some((cidr) => WORLD.includes(cidr));
const encryptsSecrets = (c: Cluster) =>
  (c.encryptionConfig ?? []).some((e) => e.resources?.includes('secrets') && e.provider?.keyArn);
const enabledLogTypes = (c: Cluster) =>
  new Set((c.logging?.clusterLogging ?? []).filter((l) => l.enabled).flatMap((l) => l.types ?? []));
const logsAuditAndAuthn = (c: Cluster) => ['audit', 'authenticator'].every((t) => enabledLogTypes(c).has(t as never));

describe('the sample fleet', () => {
  it('has at least two scannable accounts, each with clusters in two regions', () => {
    const byAccount = new Map<string, Set<string>>();
    for (const c of reachable) byAccount.set(c.accountId, (byAccount.get(c.accountId) ?? new Set()).add(c.region));
    expect(byAccount.size).toBeGreaterThanOrEqual(2);
    for (const regions of byAccount.values()) expect(regions.size).toBeGreaterThanOrEqual(2);
    expect(reachable.length).toBeGreaterThanOrEqual(8);
  });

  it('has a denied account with one cluster', () => {
    const denied = spec.accounts.filter((a) => a.denyAssumeRole);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.clusters).toHaveLength(1);
  });

  it('gives every cluster one or two node groups and some add-ons', () => {
    for (const c of clusters) {
      expect(c.nodegroups.length, c.cluster.name).toBeGreaterThanOrEqual(1);
      expect(c.nodegroups.length, c.cluster.name).toBeLessThanOrEqual(2);
      expect(c.addons.length, c.cluster.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('shows every endpoint posture: world-open v4, v6-only, public+private, restricted, private-only', () => {
    const vpc = reachable.map((c) => c.cluster.resourcesVpcConfig!);
    const has = (p: (v: (typeof vpc)[number]) => boolean) => expect(vpc.some(p)).toBe(true);
    has((v) => !!v.endpointPublicAccess && !v.endpointPrivateAccess && v.publicAccessCidrs!.includes('0.0.0.0/0'));
    has((v) => !!v.endpointPublicAccess && v.publicAccessCidrs!.join() === '::/0');
    has((v) => !!v.endpointPublicAccess && !!v.endpointPrivateAccess && v.publicAccessCidrs!.includes('0.0.0.0/0'));
    has((v) => !!v.endpointPublicAccess && v.publicAccessCidrs!.every((cidr) => !WORLD.includes(cidr)));
    has((v) => !v.endpointPublicAccess && !!v.endpointPrivateAccess);
  });

  it('makes the endpoint, encryption and logging checks each pass and fail somewhere', () => {
    for (const p of [worldOpen, encryptsSecrets, logsAuditAndAuthn]) {
      expect(
        reachable.some((c) => p(c.cluster)),
        p.name,
      ).toBe(true);
      expect(
        reachable.some((c) => !p(c.cluster)),
        p.name,
      ).toBe(true);
    }
  });

  it('covers the logging shapes: all five, split entries, none, api only', () => {
    const entries = reachable.map((c) => c.cluster.logging?.clusterLogging ?? []);
    expect(reachable.some((c) => enabledLogTypes(c.cluster).size === 5)).toBe(true);
    expect(reachable.some((c) => enabledLogTypes(c.cluster).size === 0)).toBe(true);
    expect(reachable.some((c) => [...enabledLogTypes(c.cluster)].join() === 'api')).toBe(true);
    expect(
      reachable.some(
        (c) =>
          logsAuditAndAuthn(c.cluster) &&
          (c.cluster.logging?.clusterLogging ?? []).filter((l) => l.enabled && l.types?.length).length > 1,
      ),
    ).toBe(true);
    expect(entries.length).toBe(reachable.length);
  });
});

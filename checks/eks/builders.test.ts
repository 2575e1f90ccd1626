import { describe, expect, it } from 'vitest';
import { aContext, anEksCluster, deepMerge, TEST_NOW } from './builders.ts';

describe('anEksCluster', () => {
  it('builds a private, KMS-encrypted, fully logged cluster by default', () => {
    const s = anEksCluster();
    expect(s.arn).toBe('arn:aws:eks:eu-west-1:111122223333:cluster/payments-prod');
    expect(s.id).toBe(s.arn);
    expect(s.cluster?.arn).toBe(s.arn);
    expect(s.cluster?.resourcesVpcConfig).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });
    expect(s.cluster?.encryptionConfig?.[0]?.provider?.keyArn).toMatch(/^arn:aws:kms:/);
    expect(s.cluster?.logging?.clusterLogging).toEqual([
      { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true },
    ]);
    expect(s.gaps).toEqual([]);
  });

  it('deep-merges cluster overrides and keeps the untouched siblings', () => {
    const s = anEksCluster({ cluster: { resourcesVpcConfig: { endpointPublicAccess: true } } });
    expect(s.cluster?.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
    });
  });

  it('replaces arrays instead of merging them', () => {
    const s = anEksCluster({ cluster: { resourcesVpcConfig: { publicAccessCidrs: ['::/0'] } } });
    expect(s.cluster?.resourcesVpcConfig?.publicAccessCidrs).toEqual(['::/0']);
  });

  it('removes a field given as undefined, and the whole cluster when cluster is undefined', () => {
    expect(anEksCluster({ cluster: { logging: undefined } }).cluster).not.toHaveProperty('logging');
    expect(anEksCluster({ cluster: undefined }).cluster).toBeUndefined();
  });

  it('derives the ARN from name, account and region overrides', () => {
    const s = anEksCluster({ name: 'edge', accountId: '444455556666', region: 'us-east-2' });
    expect(s.arn).toBe('arn:aws:eks:us-east-2:444455556666:cluster/edge');
    expect(s.cluster?.name).toBe('edge');
  });

  it('never shares state between snapshots', () => {
    const a = anEksCluster();
    a.cluster?.resourcesVpcConfig?.publicAccessCidrs?.push('::/0');
    expect(anEksCluster().cluster?.resourcesVpcConfig?.publicAccessCidrs).toEqual(['0.0.0.0/0']);
  });
});

describe('deepMerge', () => {
  it('keeps Dates as values', () => {
    const d = new Date('2020-01-01T00:00:00Z');
    expect(deepMerge({ at: new Date(0), n: 1 }, { at: d })).toEqual({ at: d, n: 1 });
  });
});

describe('aContext', () => {
  it('has a fixed clock and the default settings', () => {
    const ctx = aContext();
    expect(ctx.now).toEqual(TEST_NOW);
    expect(ctx.settings.logging.requiredTypes).toEqual(['audit', 'authenticator']);
  });

  it('validates settings overrides', () => {
    expect(aContext({ logging: { requiredTypes: ['api'] } }).settings.logging.requiredTypes).toEqual(['api']);
    expect(() => aContext({ logging: { requiredTypes: ['nope' as 'api'] } })).toThrow();
  });
});

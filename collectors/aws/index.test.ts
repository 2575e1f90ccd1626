import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { ClusterSnapshot, EksClusterSnapshot } from '../../core/snapshot.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { createAwsCollector } from './index.ts';

const eksOnly = (all: ClusterSnapshot[]) => all.filter((s): s is EksClusterSnapshot => s.provider === 'aws');

describe('createAwsCollector against the simulated fleet', () => {
  let sim: SimulatedCloud;
  let deps: Parameters<typeof createAwsCollector>[1];

  beforeAll(async () => {
    // Pages of one: every list call must follow nextToken to see everything.
    sim = await startSimulatedCloud(await loadSampleFleet(), { maxPageSize: 1 });
    deps = { endpoint: sim.aws.endpoint, credentials: sim.callerCredentials, homeRegion: 'us-east-1' };
  });
  afterAll(() => sim?.close());

  it("plans the caller's own account over every region it has enabled when no accounts are configured", async () => {
    const collector = createAwsCollector(parseConfig({}), deps);
    const plan = await collector.plan();
    expect(plan.errors).toEqual([]);
    expect(new Set(plan.targets.map((t) => t.accountId))).toEqual(new Set([sim.spec.caller.accountId]));
    expect(plan.targets.map((t) => t.region)).toContain('us-east-1');
    expect(plan.targets.length).toBeGreaterThan(10);
    expect(collector.assumeRoleCalls()).toEqual({});
  });

  it('assumes each account role once however many regions it scans', async () => {
    const before = sim.count({ service: 'sts', action: 'AssumeRole' });
    const config = parseConfig({ aws: { accounts: [{ id: '111111111111' }], roleName: sim.spec.readerRoleName } });
    const collector = createAwsCollector(config, deps);
    const plan = await collector.plan();
    expect(plan.targets.map((t) => t.region)).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    await Promise.all(plan.targets.map((t) => collector.collect(t)));
    expect(collector.assumeRoleCalls()).toEqual({ '111111111111': 1 });
    expect(sim.count({ service: 'sts', action: 'AssumeRole' }) - before).toBe(1);
  });

  it('collects every cluster, node group and add-on across pages of one', async () => {
    const config = parseConfig({ aws: { accounts: [{ id: '111111111111' }], regions: ['us-east-1'] } });
    const collector = createAwsCollector(config, deps);
    const { snapshots, errors } = await collector.collect({
      provider: 'aws',
      accountId: '111111111111',
      region: 'us-east-1',
    });
    expect(errors).toEqual([]);
    // What the simulator serves, defaults applied: the collector must see all of it.
    const expected = sim.fleet.clusters('111111111111', 'us-east-1');
    expect(expected.length).toBeGreaterThan(1);
    expect(snapshots.map((s) => s.name).sort()).toEqual(expected.map((c) => c.cluster.name).sort());
    for (const s of snapshots) {
      if (s.provider !== 'aws') throw new Error(`expected an EKS snapshot, got ${s.provider}`);
      const spec = expected.find((c) => c.cluster.name === s.name)!;
      expect(s.gaps).toEqual([]);
      expect(s.id).toBe(s.cluster?.arn);
      expect(s.cluster?.createdAt).toBeInstanceOf(Date);
      expect(s.nodegroups.map((n) => n.nodegroupName).sort()).toEqual(
        spec.nodegroups.map((n) => n.nodegroupName).sort(),
      );
      expect(s.addons.map((a) => a.addonName).sort()).toEqual(spec.addons.map((a) => a.addonName).sort());
    }
  });

  it('walks ListRoles once per account per scan, however many regions and clusters share it', async () => {
    const iamCalls = (action: string) => sim.count({ service: 'iam', action, accountId: '111111111111' });
    const [roles, providers] = [iamCalls('ListRoles'), iamCalls('ListOpenIDConnectProviders')];
    const config = parseConfig({ aws: { accounts: [{ id: '111111111111' }], roleName: sim.spec.readerRoleName } });
    const collector = createAwsCollector(config, deps);
    const plan = await collector.plan();
    const collected = await Promise.all(plan.targets.map((t) => collector.collect(t)));
    const clusters = collected.flatMap((c) => c.snapshots);
    expect(new Set(clusters.map((s) => s.region)).size).toBeGreaterThanOrEqual(2);
    expect(clusters.length).toBeGreaterThanOrEqual(4);
    // Pages of one: one walk is exactly one call per role.
    const roleCount = sim.fleet.account('111111111111')!.iam.roles.length;
    expect(iamCalls('ListRoles') - roles).toBe(roleCount);
    expect(iamCalls('ListOpenIDConnectProviders') - providers).toBe(1);
  });

  it('collects access entries with their policies, Pod Identity, aws-auth, IAM facts and IRSA roles', async () => {
    const config = parseConfig({ aws: { accounts: [{ id: '111111111111' }], regions: ['us-east-1'] } });
    const { snapshots } = await createAwsCollector(config, deps).collect({
      provider: 'aws',
      accountId: '111111111111',
      region: 'us-east-1',
    });
    const prod = eksOnly(snapshots).find((s) => s.name === 'payments-prod')!;
    expect(prod.awsAuth).toBeUndefined(); // API mode: aws-auth is not read
    expect(prod.accessEntries.map((e) => [e.entry.principalArn, e.policies.map((p) => p.accessScope?.type)])).toEqual([
      ['arn:aws:iam::111111111111:role/platform-admin', ['cluster']],
      ['arn:aws:iam::111111111111:role/break-glass', ['cluster']],
      ['arn:aws:iam::111111111111:role/payments-developers', ['namespace']],
    ]);
    expect(prod.podIdentityAssociations).toEqual([
      expect.objectContaining({
        namespace: 'payments',
        serviceAccount: 'api',
        roleArn: 'arn:aws:iam::111111111111:role/payments-api',
      }),
    ]);
    expect(prod.iam['arn:aws:iam::111111111111:role/payments-api']).toMatchObject({
      exists: true,
      trustPolicy: { Statement: [expect.objectContaining({ Principal: { Service: 'pods.eks.amazonaws.com' } })] },
    });
    const checkout = eksOnly(snapshots).find((s) => s.name === 'checkout-api')!;
    expect(checkout.gaps).toEqual([]);
    expect(checkout.awsAuth?.mapUsers).toEqual([
      { userarn: 'arn:aws:iam::111111111111:user/alice', username: 'alice', groups: ['system:masters'] },
    ]);
    expect(checkout.iam['arn:aws:iam::111111111111:role/legacy-admin']).toMatchObject({ exists: false });
    expect(checkout.iam['arn:aws:iam::111111111111:user/alice']).toMatchObject({ kind: 'user', exists: true });
    expect(checkout.irsaRoles.map((r) => r.roleName)).toEqual(['checkout-s3']);
    expect(checkout.oidcProviders).toContain(
      'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5E1C0DE0CAFE4B1D9A7F2C3B8E6D4A01',
    );
  });

  it('turns an aws-auth that cannot be read into a k8s:aws-auth gap naming why, and keeps the rest', async () => {
    const config = parseConfig({
      aws: { accounts: [{ id: '222222222222' }], regions: ['us-east-1'], kubernetesApiTimeoutMs: 1_000 },
    });
    const { snapshots } = await createAwsCollector(config, deps).collect({
      provider: 'aws',
      accountId: '222222222222',
      region: 'us-east-1',
    });
    const internal = eksOnly(snapshots).find((s) => s.name === 'internal-tools')!;
    expect(internal.awsAuth).toBeUndefined();
    expect(internal.gaps).toEqual([
      { need: 'k8s:aws-auth', code: 'Unreachable', error: expect.stringContaining('private-only') },
    ]);
    expect(internal.cluster?.name).toBe('internal-tools');
  });

  it('reports a denied account once, as an assume-role error, for planning and for each of its targets', async () => {
    const config = parseConfig({ aws: { accounts: [{ id: '333333333333' }], regions: ['us-east-1', 'eu-west-1'] } });
    const collector = createAwsCollector(config, deps);
    const plan = await collector.plan();
    expect(plan.targets).toEqual([]);
    expect(plan.errors).toEqual([
      expect.objectContaining({ accountId: '333333333333', stage: 'assume-role', code: 'AccessDenied' }),
    ]);
    const direct = await collector.collect({ provider: 'aws', accountId: '333333333333', region: 'us-east-1' });
    expect(direct.snapshots).toEqual([]);
    expect(direct.errors).toEqual([expect.objectContaining({ region: 'us-east-1', code: 'AccessDenied' })]);
    expect(collector.assumeRoleCalls()).toEqual({ '333333333333': 1 });
  });

  it('names the role it could not assume when the role name is wrong', async () => {
    const config = parseConfig({ aws: { accounts: [{ id: '111111111111', roleName: 'NoSuchRole' }] } });
    const plan = await createAwsCollector(config, deps).plan();
    expect(plan.errors[0]?.message).toContain('arn:aws:iam::111111111111:role/NoSuchRole');
  });

  it('fails a target whose region cannot be listed, without throwing', async () => {
    const config = parseConfig({ aws: { maxAttempts: 1 } });
    const collector = createAwsCollector(config, { ...deps, endpoint: 'http://127.0.0.1:9' });
    const out = await collector.collect({ provider: 'aws', accountId: sim.spec.caller.accountId, region: 'us-east-1' });
    expect(out.snapshots).toEqual([]);
    expect(out.errors).toEqual([expect.objectContaining({ stage: 'list-clusters', code: 'Unreachable' })]);
  });
});

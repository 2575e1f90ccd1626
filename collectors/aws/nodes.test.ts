import {
  type DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { parseClusterRef } from '../../core/cluster-ref.ts';
import { CheckSettingsSchema, parseConfig } from '../../core/config.ts';
import { evaluateSnapshots } from '../../core/engine.ts';
import { type EksClusterSnapshot, recommendedReleaseKey } from '../../core/snapshot.ts';
import type { Target } from '../../core/target.ts';
import { type FleetSpecInput, parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { type ProxiedRequest, startFaultProxy } from './fault-proxy.ts';
import { createAwsCollector } from './index.ts';
import { instanceLookup } from './nodes.ts';

const NOW = new Date('2026-11-24T12:00:00Z');
const A = '111111111111';
const B = '222222222222';
const AMI = 'ami-0123456789abcdef0';

/** Two accounts with a cluster each in us-east-1, one more in eu-west-1; every kind of node. */
function fleet(extra: Partial<Record<'a' | 'b', Record<string, unknown>>> = {}): FleetSpecInput {
  const cluster = (name: string, region: string) => ({
    name,
    region,
    version: '1.33',
    launchTemplates: [
      {
        launchTemplateName: 'golden',
        imageId: AMI,
        metadataOptions: { httpTokens: 'optional' as const, httpPutResponseHopLimit: 2 },
      },
    ],
    selfManagedNodes: [{ imageId: AMI }],
    nodegroups: [
      { nodegroupName: 'al2023' },
      { nodegroupName: 'legacy', amiType: 'AL2_x86_64', version: '1.32' },
      { nodegroupName: 'bottlerocket', amiType: 'BOTTLEROCKET_ARM_64', releaseVersion: '1.46.0-1a2b3c4d' },
      { nodegroupName: 'custom', launchTemplate: { name: 'golden' } },
    ],
    addons: [{ addonName: 'vpc-cni', addonVersion: 'v1.16.0-eksbuild.1' }, { addonName: 'coredns' }],
  });
  return {
    caller: { accountId: '999999999999' },
    accounts: [
      {
        id: A,
        enabledRegions: ['us-east-1', 'eu-west-1'],
        images: [{ imageId: AMI, region: 'us-east-1', name: 'golden-2026-04', creationDate: 'now-200d' }],
        guardDuty: { regions: ['us-east-1'], runtimeMonitoring: false },
        clusters: [cluster('alpha', 'us-east-1'), cluster('bravo', 'us-east-1'), cluster('euro', 'eu-west-1')],
        ...extra.a,
      },
      { id: B, enabledRegions: ['us-east-1'], clusters: [cluster('other', 'us-east-1')], ...extra.b },
    ],
  };
}

let sim: SimulatedCloud | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function collectAll(spec: FleetSpecInput): Promise<EksClusterSnapshot[]> {
  sim = await startSimulatedCloud(parseFleetSpec(spec), { now: NOW });
  const config = parseConfig({
    aws: { accounts: [{ id: A }, { id: B }], regions: ['us-east-1', 'eu-west-1'], maxAttempts: 1 },
  });
  const collector = createAwsCollector(config, {
    endpoint: sim.aws.endpoint,
    credentials: sim.callerCredentials,
    homeRegion: 'us-east-1',
    clock: () => NOW,
  });
  const plan = await collector.plan();
  const out = await Promise.all(plan.targets.map((t) => collector.collect(t)));
  return out
    .flatMap((c) => c.snapshots)
    .filter((x): x is EksClusterSnapshot => x.provider === 'aws')
    .sort((x, y) => x.name.localeCompare(y.name));
}

const byName = (snaps: EksClusterSnapshot[], name: string) => snaps.find((s) => s.name === name)!;

describe('node, version and GuardDuty collection against the simulated fleet', () => {
  it('collects launch templates, custom AMIs, self-managed nodes, recommended releases, add-on versions and GuardDuty', async () => {
    const s = byName(await collectAll(fleet()), 'alpha');
    expect(s.gaps).toEqual([]);
    const lt = s.nodegroups.find((n) => n.nodegroupName === 'custom')!.launchTemplate!;
    expect(s.launchTemplates[`${lt.id}:${lt.version}`]?.LaunchTemplateData).toMatchObject({
      ImageId: AMI,
      MetadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2 },
    });
    expect(s.images[AMI]).toMatchObject({ Name: 'golden-2026-04', CreationDate: expect.any(String) });
    expect(s.selfManagedNodes.map((i) => i.ImageId)).toEqual([AMI]);
    expect(s.references.versions.source).toBe('api');
    expect(s.references.versions.versions.map((v) => v.clusterVersion)).toContain('1.29');
    expect(s.references.recommendedReleases[recommendedReleaseKey('1.33', 'AL2023_x86_64_STANDARD')]).toMatchObject({
      parameter: '/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/release_version',
      releaseVersion: '1.33.1-20261110',
    });
    expect(s.references.recommendedReleases[recommendedReleaseKey('1.33', 'BOTTLEROCKET_ARM_64')]?.parameter).toBe(
      '/aws/service/bottlerocket/aws-k8s-1.33/arm64/latest/image_version',
    );
    // AWS publishes no AL2 AMIs for 1.33 and later; this group is on 1.32, which has them.
    expect(s.references.recommendedReleases[recommendedReleaseKey('1.32', 'AL2_x86_64')]?.releaseVersion).toBe(
      '1.32.3-20251208',
    );
    expect(s.references.addonVersions['vpc-cni']?.addonVersions?.[0]?.addonVersion).toBe('v1.19.2-eksbuild.1');
    expect(s.guardDuty?.detectors).toHaveLength(1);
  });

  it('reads the reference data once per region, however many clusters and accounts share it', async () => {
    await collectAll(fleet());
    const count = (service: string, action: string, region: string) =>
      sim!.count({ service, action, region, status: 200 });
    expect(count('eks', 'DescribeClusterVersions', 'us-east-1')).toBe(1);
    expect(count('eks', 'DescribeClusterVersions', 'eu-west-1')).toBe(1);
    expect(count('eks', 'DescribeAddonVersions', 'us-east-1')).toBe(1);
    // Three parameters (AL2023 1.33, AL2 1.32, Bottlerocket 1.33 arm64), for three clusters in two accounts.
    expect(count('ssm', 'GetParameter', 'us-east-1')).toBe(3);
    // GuardDuty is per account and region.
    expect(sim!.count({ service: 'guardduty', action: 'ListDetectors', region: 'us-east-1' })).toBe(2);
  });

  it('falls back to the dated calendar when DescribeClusterVersions is denied, and says why', async () => {
    const snaps = await collectAll(
      fleet({
        a: { deniedActions: ['eks:DescribeClusterVersions'] },
        b: { deniedActions: ['eks:DescribeClusterVersions'] },
      }),
    );
    const v = byName(snaps, 'alpha').references.versions;
    expect(v).toMatchObject({ source: 'fallback', retrieved: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(v.error).toMatch(/eks:DescribeClusterVersions: AccessDenied/);
    const findings = evaluateSnapshots([byName(snaps, 'alpha')], checks, {
      now: NOW,
      settings: CheckSettingsSchema.parse({}),
    });
    const version = findings.find((f) => f.checkId === 'EKS.VERSIONS.1')!;
    expect(version.status).toBe('FAIL');
    expect(version.message).toContain("kubeposture's fallback calendar retrieved");
    expect(version.evidence).toMatchObject({ calendarSource: 'fallback' });
  });

  it("does not let one account's denial become another account's gap", async () => {
    const snaps = await collectAll(
      fleet({ b: { deniedActions: ['eks:DescribeClusterVersions', 'ssm:GetParameter'] } }),
    );
    expect(byName(snaps, 'alpha').references.versions.source).toBe('api');
    expect(byName(snaps, 'alpha').gaps).toEqual([]);
    // B reads what A already read (shared per region); denial only bites where B is first.
    expect(byName(snaps, 'other').gaps.map((g) => g.need)).not.toContain('eks:DescribeClusterVersions');
  });

  it('turns a denied ssm:GetParameter into ERROR for the release check, never PASS', async () => {
    const deny = { deniedActions: ['ssm:GetParameter'] };
    const snaps = await collectAll(fleet({ a: deny, b: deny }));
    const s = byName(snaps, 'alpha');
    expect(s.gaps).toContainEqual(expect.objectContaining({ need: 'ssm:GetParameter', code: 'AccessDenied' }));
    const findings = evaluateSnapshots([s], checks, { now: NOW, settings: CheckSettingsSchema.parse({}) });
    const release = findings.filter((f) => f.checkId === 'EKS.NODES.2');
    expect(release.map((f) => f.status)).toEqual(['ERROR']);
    expect(release[0]?.message).toContain('ssm:GetParameter: AccessDenied');
    // Checks that do not read SSM still judge the cluster.
    expect(findings.find((f) => f.checkId === 'EKS.NODES.1' && f.status === 'FAIL')).toBeDefined();
  });

  it('records denied EC2 and GuardDuty reads as gaps named after the IAM action', async () => {
    const deny = { deniedActions: ['ec2:DescribeImages', 'ec2:DescribeInstances', 'guardduty:ListDetectors'] };
    const s = byName(await collectAll(fleet({ a: deny })), 'alpha');
    expect(s.gaps.map((g) => g.need).sort()).toEqual([
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
      'guardduty:ListDetectors',
    ]);
    expect(s.guardDuty).toBeUndefined();
  });

  it('changes findings when the simulated calendar changes, with no code change', async () => {
    const snaps = await collectAll(fleet());
    const judge = (s: EksClusterSnapshot) =>
      evaluateSnapshots([s], checks, { now: NOW, settings: CheckSettingsSchema.parse({}) }).find(
        (f) => f.checkId === 'EKS.VERSIONS.1',
      )!;
    // 1.33 leaves standard support on 2026-07-29: in extended support on 2026-11-24.
    expect(judge(byName(snaps, 'alpha'))).toMatchObject({ status: 'FAIL', severity: 'high' });

    const v133 = sim!.fleet.references.clusterVersions.find((v) => v.clusterVersion === '1.33')!;
    v133.endOfStandardSupportDate = new Date('2027-06-01T00:00:00Z');
    v133.endOfExtendedSupportDate = new Date('2028-06-01T00:00:00Z');
    const config = parseConfig({ aws: { accounts: [{ id: A }], regions: ['us-east-1'] } });
    const again = await createAwsCollector(config, {
      endpoint: sim!.aws.endpoint,
      credentials: sim!.callerCredentials,
      homeRegion: 'us-east-1',
      clock: () => NOW,
    }).collect({ provider: 'aws', accountId: A, region: 'us-east-1' });
    const moved = judge(
      again.snapshots.find((s): s is EksClusterSnapshot => s.name === 'alpha' && s.provider === 'aws')!,
    );
    expect(moved).toMatchObject({ status: 'PASS' });
    expect(moved.message).toContain('in standard support until 2027-06-01');
  });
});

describe('self-managed nodes: DescribeInstances once per target, for all its clusters', () => {
  const node = (instanceId: string, extra: Record<string, unknown> = {}) => ({ instanceId, imageId: AMI, ...extra });
  /** Account A, us-east-1: nodes of several clusters, tagged either way, shared, managed, in every state. */
  const nodesFleet: FleetSpecInput = {
    caller: { accountId: '999999999999' },
    accounts: [
      {
        id: A,
        enabledRegions: ['us-east-1', 'eu-west-1'],
        clusters: [
          {
            name: 'alpha',
            region: 'us-east-1',
            selfManagedNodes: [
              node('i-0a000001'),
              node('i-0a000002', { state: 'stopped' }),
              node('i-0a000003', { state: 'terminated' }),
              // A managed node group's instance carries the cluster tag too: not a self-managed node.
              node('i-0a000004', { tags: { 'eks:nodegroup-name': 'ng' } }),
            ],
          },
          {
            name: 'bravo',
            region: 'us-east-1',
            selfManagedNodes: [
              // Tagged for alpha as well: a node of both clusters.
              node('i-0b000001', { tags: { 'kubernetes.io/cluster/alpha': 'shared' } }),
              // The EKS convention only.
              node('i-0b000002', { clusterTag: false, tags: { 'eks:cluster-name': 'bravo' } }),
            ],
          },
          { name: 'charlie', region: 'us-east-1' },
          // Another region: its target's walk, not us-east-1's, even though it names alpha.
          {
            name: 'euro',
            region: 'eu-west-1',
            selfManagedNodes: [node('i-0e000001', { tags: { 'kubernetes.io/cluster/alpha': 'shared' } })],
          },
        ],
      },
    ],
  };

  /** Collects `targets` through a proxy that records each DescribeInstances request's filters. */
  async function collectNodes(targets: Target[], spec = nodesFleet) {
    sim = await startSimulatedCloud(parseFleetSpec(spec), { now: NOW });
    const asked: Record<string, string[]>[] = [];
    const recordFilters = (r: ProxiedRequest) => {
      if (r.params.get('Action') !== 'DescribeInstances') return false;
      const filters: Record<string, string[]> = {};
      for (let i = 1; r.params.has(`Filter.${i}.Name`); i++)
        filters[r.params.get(`Filter.${i}.Name`)!] = [...r.params.entries()]
          .filter(([k]) => k.startsWith(`Filter.${i}.Value.`))
          .map(([, v]) => v);
      asked.push(filters);
      return false; // forwarded
    };
    const proxy = await startFaultProxy(sim.aws.endpoint, [{ match: recordFilters, answer: { delayMs: 0 } }]);
    try {
      const config = parseConfig({ aws: { accounts: [{ id: A }], regions: ['us-east-1'], maxAttempts: 1 } });
      const collector = createAwsCollector(config, {
        endpoint: proxy.endpoint,
        credentials: sim.callerCredentials,
        homeRegion: 'us-east-1',
        clock: () => NOW,
      });
      const collected = await Promise.all(targets.map((t) => collector.collect(t)));
      const snapshots = collected.flatMap((c) => c.snapshots) as EksClusterSnapshot[];
      const nodes = Object.fromEntries(snapshots.map((s) => [s.name, s.selfManagedNodes.map((i) => i.InstanceId)]));
      return { collected, snapshots, nodes, asked };
    } finally {
      await proxy.close();
    }
  }
  const US: Target = { provider: 'aws', accountId: A, region: 'us-east-1' };
  const LIVE = ['pending', 'running', 'stopping', 'stopped'];

  it('reads the instances of every cluster of the target in one walk per tag convention, and gives each its own', async () => {
    const { snapshots, nodes, asked } = await collectNodes([US]);
    for (const s of snapshots) expect(s.gaps, s.name).toEqual([]);
    expect(nodes).toEqual({
      alpha: ['i-0a000001', 'i-0a000002', 'i-0b000001'],
      bravo: ['i-0b000001', 'i-0b000002'],
      charlie: [],
    });
    expect(sim!.count({ service: 'ec2', action: 'DescribeInstances' })).toBe(2);
    expect(asked).toEqual(
      expect.arrayContaining([
        {
          'tag-key': ['kubernetes.io/cluster/alpha', 'kubernetes.io/cluster/bravo', 'kubernetes.io/cluster/charlie'],
          'instance-state-name': LIVE,
        },
        { 'tag:eks:cluster-name': ['alpha', 'bravo', 'charlie'], 'instance-state-name': LIVE },
      ]),
    );
  });

  it('a target of one named cluster (a rescan) asks for that cluster only', async () => {
    const bravo = parseClusterRef(`arn:aws:eks:us-east-1:${A}:cluster/bravo`);
    const { nodes, asked } = await collectNodes([{ ...US, cluster: bravo }]);
    expect(nodes).toEqual({ bravo: ['i-0b000001', 'i-0b000002'] });
    expect(asked).toEqual(
      expect.arrayContaining([
        { 'tag-key': ['kubernetes.io/cluster/bravo'], 'instance-state-name': LIVE },
        { 'tag:eks:cluster-name': ['bravo'], 'instance-state-name': LIVE },
      ]),
    );
    expect(asked).toHaveLength(2);
  });

  it('a denied walk is a gap on every cluster of the target, and the node checks say ERROR, never PASS', async () => {
    const denied = structuredClone(nodesFleet);
    denied.accounts![0]!.deniedActions = ['ec2:DescribeInstances'];
    const { snapshots, asked } = await collectNodes([US], denied);
    expect(snapshots.map((s) => s.name).sort()).toEqual(['alpha', 'bravo', 'charlie']);
    // Denied is not retried: one answer per tag convention, shared by the three clusters.
    expect(asked).toHaveLength(2);
    const findings = evaluateSnapshots(snapshots, checks, { now: NOW, settings: CheckSettingsSchema.parse({}) });
    for (const s of snapshots) {
      expect(s.gaps, s.name).toContainEqual(
        expect.objectContaining({ need: 'ec2:DescribeInstances', code: 'AccessDenied' }),
      );
      expect(s.selfManagedNodes).toEqual([]);
      const imds = findings.filter((f) => f.checkId === 'EKS.NODES.6' && f.clusterName === s.name);
      expect(imds.map((f) => f.status)).toEqual(['ERROR']);
    }
  });
});

describe('instanceLookup batches and bounds its walks', () => {
  /** A real EC2Client (the paginator wants one) whose send is answered here; no request leaves the process. */
  function fakeEc2(answer: (input: DescribeInstancesCommandInput, call: number) => DescribeInstancesCommandOutput) {
    const ec2 = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    const inputs: DescribeInstancesCommandInput[] = [];
    ec2.send = (async (command: DescribeInstancesCommand) => {
      inputs.push(command.input);
      return answer(command.input, inputs.length);
    }) as unknown as EC2Client['send'];
    return { ec2, inputs };
  }
  const instance = (id: string, ...tags: [string, string][]) => ({
    InstanceId: id,
    Tags: tags.map(([Key, Value]) => ({ Key, Value })),
  });
  const page = (instances: ReturnType<typeof instance>[], NextToken?: string) =>
    ({
      Reservations: instances.map((i) => ({ Instances: [i] })),
      NextToken,
      $metadata: {},
    }) as DescribeInstancesCommandOutput;

  it('asks for at most 200 clusters per request, every cluster exactly once per convention', async () => {
    const names = Array.from({ length: 450 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const { ec2, inputs } = fakeEc2((input) => {
      const filter = input.Filters![0]!;
      // Each cluster has one node, tagged the way this request asks about (c007 is found by both).
      return page(
        filter.Values!.map((v) =>
          filter.Name === 'tag-key'
            ? instance(`i-k${v.slice(-3)}`, [v, 'owned'])
            : instance(`i-e${v.slice(-3)}`, ['eks:cluster-name', v]),
        ),
      );
    });
    const lookup = instanceLookup(ec2, names);
    expect((await lookup('c007')).map((i) => i.InstanceId)).toEqual(['i-e007', 'i-k007']);
    expect((await lookup('c449')).map((i) => i.InstanceId)).toEqual(['i-e449', 'i-k449']);
    await Promise.all(names.map((n) => lookup(n)));
    expect(inputs).toHaveLength(6);
    for (const name of ['tag-key', 'tag:eks:cluster-name']) {
      const values = inputs.flatMap((i) => (i.Filters![0]!.Name === name ? i.Filters![0]!.Values! : []));
      expect(values.map((v) => v.replace('kubernetes.io/cluster/', ''))).toEqual(names);
    }
    expect(Math.max(...inputs.map((i) => i.Filters![0]!.Values!.length))).toBe(200);
    expect(inputs.every((i) => i.Filters![1]?.Name === 'instance-state-name')).toBe(true);
  });

  it('cuts a walk at maxPages and fails every cluster that needed it', async () => {
    const { ec2, inputs } = fakeEc2((_input, call) => page([], `t${call}`));
    const lookup = instanceLookup(ec2, ['alpha', 'bravo'], 3);
    for (const name of ['alpha', 'bravo'])
      await expect(lookup(name)).rejects.toMatchObject({
        code: 'Malformed',
        message: expect.stringContaining('3 pages'),
      });
    // Two walks of 3 pages and the 4th that proves the cap; nothing asked again for bravo.
    expect(inputs).toHaveLength(8);
  });

  it('a failed read fails every cluster of it, once, and is not read again per cluster', async () => {
    const { ec2, inputs } = fakeEc2(() => {
      throw Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' });
    });
    const lookup = instanceLookup(ec2, ['alpha', 'bravo', 'charlie']);
    for (const name of ['alpha', 'bravo', 'charlie']) await expect(lookup(name)).rejects.toThrow('not authorized');
    expect(inputs).toHaveLength(2);
  });

  it('a cluster not named up front gets a walk of its own', async () => {
    const { ec2, inputs } = fakeEc2((input) =>
      page(input.Filters![0]!.Name === 'tag-key' ? [instance('i-1', ['kubernetes.io/cluster/late', 'owned'])] : []),
    );
    const lookup = instanceLookup(ec2, []);
    expect(inputs).toHaveLength(0);
    expect((await lookup('late')).map((i) => i.InstanceId)).toEqual(['i-1']);
    expect(inputs.map((i) => i.Filters![0]!.Values)).toEqual([['kubernetes.io/cluster/late'], ['late']]);
  });
});

import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client, type Filter } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { DEFAULT_REGIONS } from '../fleet.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { parseFleetSpec } from '../spec.ts';
import { testFleet } from './fixture.ts';

let cloud: SimulatedCloud;
beforeAll(async () => {
  cloud = await startSimulatedCloud(testFleet());
});
afterAll(() => cloud.close());

const ec2 = (accountId?: string) =>
  new EC2Client({
    ...simClientConfig(cloud, accountId ? { credentials: readerCredentials(cloud, accountId) } : {}),
    maxAttempts: 1,
  });

describe('EC2 DescribeRegions', () => {
  it('returns the regions the account has enabled', async () => {
    const { Regions } = await ec2('111111111111').send(new DescribeRegionsCommand({}));
    expect(Regions).toEqual([
      { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
    ]);
  });

  it('marks enabled opt-in regions as opted-in', async () => {
    const { Regions } = await ec2('222222222222').send(new DescribeRegionsCommand({}));
    expect(Regions?.map((r) => [r.RegionName, r.OptInStatus])).toEqual([
      ['us-east-1', 'opt-in-not-required'],
      ['ap-east-1', 'opted-in'],
    ]);
  });

  it('lists every region with AllRegions, the ones not enabled as not-opted-in, and applies filters', async () => {
    const client = ec2('111111111111');
    const all = await client.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions!.length).toBeGreaterThan(20);
    expect(all.Regions!.find((r) => r.RegionName === 'ap-east-1')?.OptInStatus).toBe('not-opted-in');
    const filtered = await client.send(
      new DescribeRegionsCommand({
        AllRegions: true,
        Filters: [{ Name: 'opt-in-status', Values: ['opt-in-not-required'] }],
      }),
    );
    expect(filtered.Regions?.map((r) => r.RegionName)).toEqual(['us-east-1', 'eu-west-1']);
    const named = await client.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] }));
    expect(named.Regions?.map((r) => r.RegionName)).toEqual(['eu-west-1']);
  });

  it('gives an account the spec does not list (the caller’s own) the default regions', async () => {
    const { Regions } = await ec2().send(new DescribeRegionsCommand({}));
    expect(Regions?.map((r) => r.RegionName)).toEqual([...DEFAULT_REGIONS]);
    expect(cloud.count({ service: 'ec2', action: 'DescribeRegions', accountId: '999999999999' })).toBe(1);
  });

  it('rejects an unknown filter in the EC2 error format', async () => {
    await expect(
      ec2().send(new DescribeRegionsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
  });
});

describe('EC2 DescribeInstances filters', () => {
  const AMI = 'ami-0123456789abcdef0';
  let nodes: SimulatedCloud;
  beforeAll(async () => {
    nodes = await startSimulatedCloud(
      parseFleetSpec({
        accounts: [
          {
            id: '111111111111',
            enabledRegions: ['us-east-1'],
            clusters: [
              {
                name: 'alpha',
                region: 'us-east-1',
                selfManagedNodes: [
                  { instanceId: 'i-0a000001', imageId: AMI },
                  { instanceId: 'i-0a000002', imageId: AMI, state: 'stopped' },
                  { instanceId: 'i-0a000003', imageId: AMI, state: 'terminated' },
                ],
              },
              {
                name: 'bravo',
                region: 'us-east-1',
                selfManagedNodes: [
                  // Tagged for alpha too (a node two clusters share), and one tagged the EKS way only.
                  { instanceId: 'i-0b000001', imageId: AMI, tags: { 'kubernetes.io/cluster/alpha': 'shared' } },
                  { instanceId: 'i-0b000002', imageId: AMI, clusterTag: false, tags: { 'eks:cluster-name': 'bravo' } },
                ],
              },
            ],
          },
        ],
      }),
    );
  });
  afterAll(() => nodes.close());

  const LIVE: Filter = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };
  const ids = async (...Filters: Filter[]) => {
    const client = new EC2Client({
      ...simClientConfig(nodes, { credentials: readerCredentials(nodes, '111111111111') }),
      maxAttempts: 1,
    });
    const out = await client.send(new DescribeInstancesCommand({ Filters }));
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.State?.Name]);
  };

  it('ORs the values of a tag-key filter', async () => {
    expect(
      await ids({ Name: 'tag-key', Values: ['kubernetes.io/cluster/alpha', 'kubernetes.io/cluster/bravo'] }),
    ).toEqual([
      ['i-0a000001', 'running'],
      ['i-0a000002', 'stopped'],
      ['i-0a000003', 'terminated'],
      ['i-0b000001', 'running'],
    ]);
    expect(await ids({ Name: 'tag-key', Values: ['kubernetes.io/cluster/bravo'] })).toEqual([
      ['i-0b000001', 'running'],
    ]);
  });

  it('ORs the values of a tag:<key> filter and matches the tag value exactly', async () => {
    expect(await ids({ Name: 'tag:eks:cluster-name', Values: ['alpha', 'bravo'] })).toEqual([
      ['i-0b000002', 'running'],
    ]);
    expect(await ids({ Name: 'tag:eks:cluster-name', Values: ['brav'] })).toEqual([]);
  });

  it('ANDs the filters: the state filter leaves out the instances in other states', async () => {
    expect(await ids({ Name: 'tag-key', Values: ['kubernetes.io/cluster/alpha'] }, LIVE)).toEqual([
      ['i-0a000001', 'running'],
      ['i-0a000002', 'stopped'],
      ['i-0b000001', 'running'],
    ]);
    expect(
      await ids(
        { Name: 'tag-key', Values: ['kubernetes.io/cluster/alpha'] },
        { Name: 'instance-state-name', Values: ['terminated'] },
      ),
    ).toEqual([['i-0a000003', 'terminated']]);
  });
});

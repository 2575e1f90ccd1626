import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { DEFAULT_REGIONS } from '../fleet.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
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

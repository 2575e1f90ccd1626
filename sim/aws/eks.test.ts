import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  InvalidParameterException,
  ListClustersCommand,
  ListFargateProfilesCommand,
  paginateListAddons,
  paginateListClusters,
  paginateListNodegroups,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { testFleet } from './fixture.ts';

let cloud: SimulatedCloud;
beforeAll(async () => {
  cloud = await startSimulatedCloud(testFleet(), { maxPageSize: 2 });
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.calls.length = 0;
});

const creds = new Map<string, ReturnType<typeof readerCredentials>>();
function eks(accountId: string, region = 'us-east-1') {
  if (!creds.has(accountId)) creds.set(accountId, readerCredentials(cloud, accountId));
  return new EKSClient({ ...simClientConfig(cloud, { region, credentials: creds.get(accountId) }), maxAttempts: 1 });
}

async function allClusters(client: EKSClient, pageSize?: number): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListClusters({ client, ...(pageSize ? { pageSize } : {}) }, {})) {
    names.push(...(page.clusters ?? []));
  }
  return names;
}

describe('EKS', () => {
  it('serves the assumed account’s clusters in the region of the signing scope', async () => {
    expect(await allClusters(eks('111111111111', 'us-east-1'))).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(await allClusters(eks('111111111111', 'eu-west-1'))).toEqual(['euro']);
    expect(await allClusters(eks('222222222222', 'us-east-1'))).toEqual(['other']);
    expect(await allClusters(eks('222222222222', 'eu-west-1'))).toEqual([]);
    expect(
      cloud.count({ service: 'eks', action: 'ListClusters', accountId: '222222222222', region: 'eu-west-1' }),
    ).toBe(1);
  });

  it('pages by maxPageSize and follows nextToken to the end', async () => {
    expect(await allClusters(eks('111111111111'))).toHaveLength(5);
    expect(cloud.count({ service: 'eks', action: 'ListClusters', accountId: '111111111111' })).toBe(3);
  });

  it('uses the smaller of maxResults and maxPageSize', async () => {
    const client = eks('111111111111');
    const first = await client.send(new ListClustersCommand({ maxResults: 1 }));
    expect(first.clusters).toEqual(['alpha']);
    const second = await client.send(new ListClustersCommand({ maxResults: 50, nextToken: first.nextToken }));
    expect(second.clusters).toEqual(['bravo', 'charlie']);
    expect(second.nextToken).toBeTruthy();
  });

  it('rejects a nextToken it did not issue, and maxResults over 100', async () => {
    const client = eks('111111111111');
    await expect(client.send(new ListClustersCommand({ nextToken: 'bogus+/=' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(client.send(new ListClustersCommand({ maxResults: 101 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('describes a cluster with timestamps the SDK turns into Dates', async () => {
    const { cluster } = await eks('111111111111', 'eu-west-1').send(new DescribeClusterCommand({ name: 'euro' }));
    expect(cluster?.createdAt).toBeInstanceOf(Date);
    expect(cluster?.createdAt?.toISOString()).toBe('2024-05-06T07:08:09.123Z');
    expect(cluster).toMatchObject({
      name: 'euro',
      arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/euro',
      status: 'ACTIVE',
      resourcesVpcConfig: {
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
        publicAccessCidrs: ['0.0.0.0/0'],
      },
    });
    expect(cluster).toEqual(cloud.fleet.cluster('111111111111', 'eu-west-1', 'euro')!.cluster);
  });

  it('lists and describes node groups and add-ons', async () => {
    const client = eks('111111111111', 'eu-west-1');
    const ngs: string[] = [];
    for await (const p of paginateListNodegroups({ client }, { clusterName: 'euro' }))
      ngs.push(...(p.nodegroups ?? []));
    expect(ngs).toEqual(['ng-a', 'ng-b', 'ng-c']);
    const addons: string[] = [];
    for await (const p of paginateListAddons({ client }, { clusterName: 'euro' })) addons.push(...(p.addons ?? []));
    expect(addons).toEqual(['vpc-cni', 'coredns', 'kube-proxy']);

    const { nodegroup } = await client.send(
      new DescribeNodegroupCommand({ clusterName: 'euro', nodegroupName: 'ng-b' }),
    );
    expect(nodegroup).toMatchObject({ nodegroupName: 'ng-b', clusterName: 'euro', status: 'ACTIVE' });
    expect(nodegroup?.createdAt).toBeInstanceOf(Date);
    expect(nodegroup?.modifiedAt).toBeInstanceOf(Date);
    const { addon } = await client.send(new DescribeAddonCommand({ clusterName: 'euro', addonName: 'coredns' }));
    expect(addon).toMatchObject({ addonName: 'coredns', clusterName: 'euro', status: 'ACTIVE' });
    expect(addon?.createdAt).toBeInstanceOf(Date);
  });

  it('answers 404 ResourceNotFoundException for unknown clusters, node groups and add-ons', async () => {
    const client = eks('111111111111', 'eu-west-1');
    const missingCluster = client.send(new DescribeClusterCommand({ name: 'no such' }));
    await expect(missingCluster).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missingCluster).rejects.toMatchObject({
      message: 'No cluster found for name: no such.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client.send(new DescribeNodegroupCommand({ clusterName: 'euro', nodegroupName: 'ng-z' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DescribeAddonCommand({ clusterName: 'euro', addonName: 'aws-ebs-csi-driver' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    // A cluster in another region of the same account is not found here.
    await expect(client.send(new DescribeClusterCommand({ name: 'alpha' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('refuses a disabled opt-in region and serves an enabled one', async () => {
    await expect(eks('111111111111', 'ap-east-1').send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect(await allClusters(eks('222222222222', 'ap-east-1'))).toEqual([]);
  });

  it('answers an operation it does not simulate with a 400 that names it', async () => {
    const e = await eks('111111111111')
      .send(new ListFargateProfilesCommand({ clusterName: 'alpha' }))
      .catch((err: Error) => err);
    expect(e).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect((e as Error).message).toContain('does not implement EKS GET /clusters/alpha/fargate-profiles');
    expect(cloud.count({ action: 'GET /clusters/alpha/fargate-profiles', status: 400 })).toBe(1);
  });

  it('shows changes to the live fleet in the next response', async () => {
    const sim = cloud.fleet.cluster('111111111111', 'us-east-1', 'echo')!;
    sim.cluster.version = '1.33';
    const { cluster } = await eks('111111111111').send(new DescribeClusterCommand({ name: 'echo' }));
    expect(cluster?.version).toBe('1.33');
  });
});

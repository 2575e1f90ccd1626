import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListNodegroupsCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { collectEksCluster, eksClusterArn } from './eks.ts';

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name}: simulated`), { name, $metadata: { httpStatusCode: status, attempts: 3 } });

/** A client whose answers are chosen per command, to reach the failure paths deterministically. */
function fakeEks(answers: Map<unknown, (input: Record<string, string>) => unknown>): EKSClient {
  // A real client (the SDK paginators insist on one) that never reaches the network.
  const client = new EKSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  client.send = (async (command: { constructor: unknown; input: Record<string, string> }) => {
    const answer = answers.get(command.constructor);
    if (!answer) throw new Error(`unexpected ${String(command.constructor)}`);
    return answer(command.input);
  }) as EKSClient['send'];
  return client;
}

const healthy = () =>
  new Map<unknown, (input: Record<string, string>) => unknown>([
    [
      DescribeClusterCommand,
      (i) => ({ cluster: { name: i.name, arn: eksClusterArn('111111111111', 'us-east-1', i.name!) } }),
    ],
    [ListNodegroupsCommand, () => ({ nodegroups: ['a', 'b'] })],
    [DescribeNodegroupCommand, (i) => ({ nodegroup: { nodegroupName: i.nodegroupName } })],
    [ListAddonsCommand, () => ({ addons: ['vpc-cni'] })],
    [DescribeAddonCommand, (i) => ({ addon: { addonName: i.addonName } })],
    [ListPodIdentityAssociationsCommand, () => ({ associations: [] })],
  ]);

const scope = (eks: EKSClient) => ({
  eks,
  accountId: '111111111111',
  region: 'us-east-1',
  concurrency: 2,
  now: () => new Date('2026-11-24T00:00:00Z'),
  // The access paths have their own tests (access.test.ts); here they find nothing and never fail.
  access: {
    iam: { roles: async () => new Map(), oidcProviders: async () => [], userExists: async () => true },
    readAwsAuth: async () => ({ exists: false, mapRoles: [], mapUsers: [], mapAccounts: [] }),
  },
});

describe('collectEksCluster', () => {
  it('records a throttled DescribeCluster as a gap and keeps the cluster, with an ARN it builds itself', async () => {
    const answers = healthy();
    answers.set(DescribeClusterCommand, () => {
      throw sdkError('ThrottlingException', 429);
    });
    const s = await collectEksCluster(scope(fakeEks(answers)), 'alpha');
    expect(s?.cluster).toBeUndefined();
    expect(s?.id).toBe('arn:aws:eks:us-east-1:111111111111:cluster/alpha');
    expect(s?.gaps).toEqual([
      { need: 'eks:DescribeCluster', code: 'Throttled', error: expect.stringContaining('after 3 attempts') },
    ]);
  });

  it('names the node groups it could not describe and keeps the ones it could', async () => {
    const answers = healthy();
    answers.set(DescribeNodegroupCommand, (i) => {
      if (i.nodegroupName === 'b') throw sdkError('AccessDeniedException', 403);
      return { nodegroup: { nodegroupName: i.nodegroupName } };
    });
    const s = await collectEksCluster(scope(fakeEks(answers)), 'alpha');
    expect(s?.nodegroups.map((n) => n.nodegroupName)).toEqual(['a']);
    expect(s?.gaps).toEqual([
      { need: 'eks:DescribeNodegroup', code: 'AccessDenied', error: expect.stringContaining('could not describe: b') },
    ]);
  });

  it('records a failed ListAddons as a gap and still returns the cluster and node groups', async () => {
    const answers = healthy();
    answers.set(ListAddonsCommand, () => {
      throw sdkError('AccessDeniedException', 403);
    });
    const s = await collectEksCluster(scope(fakeEks(answers)), 'alpha');
    expect(s?.cluster?.name).toBe('alpha');
    expect(s?.nodegroups).toHaveLength(2);
    expect(s?.gaps.map((g) => g.need)).toEqual(['eks:ListAddons']);
  });

  it('drops a cluster deleted between ListClusters and DescribeCluster', async () => {
    const answers = healthy();
    answers.set(DescribeClusterCommand, () => {
      throw sdkError('ResourceNotFoundException', 404);
    });
    expect(await collectEksCluster(scope(fakeEks(answers)), 'gone')).toBeUndefined();
  });

  it('treats a node group deleted since the list as gone, not as a gap', async () => {
    const answers = healthy();
    answers.set(DescribeNodegroupCommand, (i) => {
      if (i.nodegroupName === 'b') throw sdkError('ResourceNotFoundException', 404);
      return { nodegroup: { nodegroupName: i.nodegroupName } };
    });
    const s = await collectEksCluster(scope(fakeEks(answers)), 'alpha');
    expect(s?.nodegroups).toHaveLength(1);
    expect(s?.gaps).toEqual([]);
  });
});

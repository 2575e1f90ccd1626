/**
 * The simulated services behind the node and version checks, through the real SDK clients:
 * EKS DescribeClusterVersions / DescribeAddonVersions, SSM public parameters, EC2 launch
 * templates, images and instances, GuardDuty, and the spec's `deniedActions` knob.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeAddonVersionsCommand, DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { parseFleetSpec } from '../spec.ts';

const NOW = new Date('2026-11-24T00:00:00Z');
const PROD = '111111111111';
const OTHER = '222222222222';
const AMI = 'ami-0123456789abcdef0';

let cloud: SimulatedCloud;
beforeAll(async () => {
  const spec = parseFleetSpec({
    references: {
      clusterVersions: [
        {
          clusterVersion: '1.34',
          releaseDate: 'now-400d',
          endOfStandardSupportDate: 'now+20d',
          endOfExtendedSupportDate: 'now+385d',
        },
        {
          clusterVersion: '1.29',
          releaseDate: '2024-01-23',
          endOfStandardSupportDate: '2025-03-23',
          endOfExtendedSupportDate: '2026-03-23',
        },
      ],
      releases: { bottlerocket: '1.51.0-0a1b2c3d' },
      addonVersions: { 'vpc-cni': ['v1.20.0-eksbuild.1', 'v1.19.2-eksbuild.1'] },
    },
    accounts: [
      {
        id: PROD,
        enabledRegions: ['us-east-1'],
        images: [{ imageId: AMI, region: 'us-east-1', name: 'golden', creationDate: 'now-10d' }],
        guardDuty: { regions: ['us-east-1'], eksAuditLogs: false },
        clusters: [
          {
            name: 'alpha',
            region: 'us-east-1',
            version: '1.34',
            launchTemplates: [{ launchTemplateName: 'golden', versionNumber: 4, imageId: AMI }],
            nodegroups: [
              { nodegroupName: 'custom', launchTemplate: { name: 'golden' }, remoteAccess: { ec2SshKey: 'x' } },
            ],
            selfManagedNodes: [{ imageId: AMI, tags: { team: 'ml' } }],
          },
        ],
      },
      {
        id: OTHER,
        enabledRegions: ['us-east-1'],
        deniedActions: ['ssm:GetParameter', 'eks:DescribeClusterVersions', 'ec2:DescribeImages'],
      },
    ],
  });
  cloud = await startSimulatedCloud(spec, { now: NOW });
});
afterAll(() => cloud.close());

const config = (accountId: string) => ({
  ...simClientConfig(cloud, { credentials: readerCredentials(cloud, accountId) }),
  maxAttempts: 1,
});

describe('EKS reference routes', () => {
  it('describes supported versions with epoch dates the SDK parses, and all of them with includeAll', async () => {
    const eks = new EKSClient(config(PROD));
    const some = await eks.send(new DescribeClusterVersionsCommand({}));
    expect(some.clusterVersions?.map((v) => v.clusterVersion)).toEqual(['1.34']);
    const all = await eks.send(new DescribeClusterVersionsCommand({ includeAll: true }));
    expect(all.clusterVersions?.map((v) => [v.clusterVersion, v.versionStatus])).toEqual([
      ['1.34', 'STANDARD_SUPPORT'],
      ['1.29', 'UNSUPPORTED'],
    ]);
    expect(all.clusterVersions?.[0]?.endOfStandardSupportDate).toEqual(new Date('2026-12-14T00:00:00Z'));
  });

  it('lists add-on versions compatible with a Kubernetes version, newest first', async () => {
    const out = await new EKSClient(config(PROD)).send(
      new DescribeAddonVersionsCommand({ kubernetesVersion: '1.34', addonName: 'vpc-cni' }),
    );
    expect(out.addons?.[0]?.addonVersions?.map((v) => v.addonVersion)).toEqual([
      'v1.20.0-eksbuild.1',
      'v1.19.2-eksbuild.1',
    ]);
    expect(out.addons?.[0]?.addonVersions?.[0]?.compatibilities).toEqual([
      { clusterVersion: '1.34', platformVersions: ['*'], defaultVersion: true },
    ]);
  });
});

describe('SSM public parameters', () => {
  const get = (Name: string, accountId = PROD) =>
    new SSMClient(config(accountId)).send(new GetParameterCommand({ Name }));

  it('serves the recommended AL2023 and Bottlerocket releases', async () => {
    const al2023 = await get(
      '/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/arm64/standard/recommended/release_version',
    );
    expect(al2023.Parameter).toMatchObject({
      Value: '1.34.0-20261110',
      LastModifiedDate: new Date('2026-11-10T00:00:00Z'),
    });
    const br = await get('/aws/service/bottlerocket/aws-k8s-1.34-nvidia/x86_64/latest/image_version');
    expect(br.Parameter?.Value).toBe('1.51.0-0a1b2c3d');
  });

  it('answers ParameterNotFound for AL2 past 1.32 and for unknown versions, as AWS does', async () => {
    await expect(
      get('/aws/service/eks/optimized-ami/1.34/amazon-linux-2/recommended/release_version'),
    ).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    await expect(
      get('/aws/service/eks/optimized-ami/1.99/amazon-linux-2023/x86_64/standard/recommended/release_version'),
    ).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });

  it('refuses an action the spec denies to the account, with the service own error', async () => {
    await expect(
      get('/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_version', OTHER),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('ssm:GetParameter'),
    });
    await expect(new EKSClient(config(OTHER)).send(new DescribeClusterVersionsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      new EC2Client(config(OTHER)).send(new DescribeImagesCommand({ ImageIds: [AMI] })),
    ).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
  });
});

describe('EC2 node resources', () => {
  const ec2 = () => new EC2Client(config(PROD));

  it('describes the launch template version a node group names, with its AMI and metadata options', async () => {
    const ng = cloud.fleet.cluster(PROD, 'us-east-1', 'alpha')!.nodegroups[0]!;
    expect(ng).toMatchObject({
      amiType: 'CUSTOM',
      releaseVersion: AMI,
      launchTemplate: { name: 'golden', version: '4' },
    });
    expect(ng.remoteAccess).toBeUndefined();
    const out = await ec2().send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ng.launchTemplate!.id!, Versions: ['4'] }),
    );
    expect(out.LaunchTemplateVersions?.[0]).toMatchObject({
      VersionNumber: 4,
      LaunchTemplateData: { ImageId: AMI, MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } },
    });
    await expect(
      ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-0000000000000000a' })),
    ).rejects.toMatchObject({
      name: 'InvalidLaunchTemplateId.NotFound',
    });
  });

  it('describes images with ISO creation dates, relative to the start time', async () => {
    const out = await ec2().send(new DescribeImagesCommand({ ImageIds: [AMI, 'ami-0ffffffffffffffff'] }));
    expect(out.Images?.map((i) => [i.ImageId, i.Name, i.CreationDate])).toEqual([
      [AMI, 'golden', '2026-11-14T00:00:00.000Z'],
    ]);
  });

  it('finds self-managed nodes by the cluster tag, and nothing for another cluster', async () => {
    const tagged = await ec2().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/alpha'] }] }),
    );
    const instances = tagged.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => [i.ImageId, i.MetadataOptions?.HttpTokens])).toEqual([[AMI, 'required']]);
    expect(instances[0]?.Tags).toContainEqual({ Key: 'team', Value: 'ml' });
    const none = await ec2().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:eks:cluster-name', Values: ['bravo'] }] }),
    );
    expect(none.Reservations).toEqual([]);
  });
});

describe('GuardDuty', () => {
  it('lists the region detector and reports its EKS features', async () => {
    const gd = new GuardDutyClient(config(PROD));
    const { DetectorIds } = await gd.send(new ListDetectorsCommand({}));
    expect(DetectorIds).toHaveLength(1);
    const d = await gd.send(new GetDetectorCommand({ DetectorId: DetectorIds![0]! }));
    expect(d.Status).toBe('ENABLED');
    expect(d.Features?.map((f) => [f.Name, f.Status])).toEqual([
      ['CLOUD_TRAIL', 'ENABLED'],
      ['EKS_AUDIT_LOGS', 'DISABLED'],
      ['RUNTIME_MONITORING', 'ENABLED'],
    ]);
  });

  it('has no detector where the spec enables none', async () => {
    const { DetectorIds } = await new GuardDutyClient(config(OTHER)).send(new ListDetectorsCommand({}));
    expect(DetectorIds).toEqual([]);
  });
});

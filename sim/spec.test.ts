import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.ts';
import { resolveFleet } from './fleet.ts';
import { loadFleetSpec, parseFleetSpec } from './spec.ts';

const account = (over: Record<string, unknown> = {}) => ({
  id: '111111111111',
  enabledRegions: ['us-east-1', 'eu-west-1'],
  clusters: [{ name: 'alpha', region: 'us-east-1' }],
  ...over,
});

function issuesOf(raw: unknown): string[] {
  try {
    parseFleetSpec(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the spec to be rejected');
}

describe('fleet spec validation', () => {
  it('accepts a minimal spec and fills the caller and reader role defaults', () => {
    const spec = parseFleetSpec({ accounts: [account()] });
    expect(spec.caller.accountId).toBe('999999999999');
    expect(spec.readerRoleName).toBe('KubepostureReader');
    expect(spec.accounts[0]!.denyAssumeRole).toBe(false);
  });

  it('names the cluster whose region is not among its account enabledRegions', () => {
    const issues = issuesOf({
      accounts: [account(), account({ id: '222222222222', clusters: [{ name: 'beta', region: 'eu-central-1' }] })],
    });
    expect(issues).toEqual([
      'accounts[1].clusters[0].region: eu-central-1 is not in enabledRegions (us-east-1, eu-west-1)',
    ]);
  });

  it('rejects account ids that are not 12 digits, naming the field', () => {
    const issues = issuesOf({ accounts: [account({ id: '12345' })] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^accounts\[0\]\.id: an AWS account id is 12 digits/);
  });

  it('rejects two clusters with one name in the same account and region', () => {
    const issues = issuesOf({
      accounts: [
        account({
          clusters: [
            { name: 'alpha', region: 'us-east-1' },
            { name: 'alpha', region: 'eu-west-1' },
            { name: 'alpha', region: 'us-east-1' },
          ],
        }),
      ],
    });
    expect(issues).toEqual(['accounts[0].clusters[2].name: alpha is already accounts[0].clusters[0] in us-east-1']);
  });

  it('rejects duplicate accounts', () => {
    expect(issuesOf({ accounts: [account(), account()] })).toEqual([
      'accounts[1].id: 111111111111 is already accounts[0]',
    ]);
  });

  it('names bad access, identity and IAM fields where they are written', () => {
    const issues = issuesOf({
      accounts: [
        account({
          clusters: [
            {
              name: 'alpha',
              region: 'us-east-1',
              accessEntries: [{ principalArn: 'admin', policies: [{ policyArn: 'AmazonEKSClusterAdminPolicy' }] }],
              podIdentityAssociations: [
                { namespace: 'Payments', serviceAccount: 'api', roleArn: 'arn:aws:iam::111111111111:user/x' },
              ],
              kubernetesApi: 'down',
              awsAuth: { mapRoles: [{ roleArn: 'x' }] },
            },
          ],
          iam: {
            roles: [
              { roleName: 'a', assumeRolePolicyDocument: '{not json' },
              { roleName: 'a', assumeRolePolicyDocument: {} },
            ],
          },
        }),
      ],
    });
    const paths = issues.map((i) => i.split(':')[0]);
    for (const path of [
      'accounts[0].clusters[0].accessEntries[0].principalArn',
      'accounts[0].clusters[0].accessEntries[0].policies[0].policyArn',
      'accounts[0].clusters[0].podIdentityAssociations[0].namespace',
      'accounts[0].clusters[0].podIdentityAssociations[0].roleArn',
      'accounts[0].clusters[0].kubernetesApi',
    ]) {
      expect(paths).toContain(path);
    }
    expect(issues.some((i) => i.startsWith('accounts[0].clusters[0].awsAuth.mapRoles'))).toBe(true);
    const iamIssues = issuesOf({
      accounts: [
        account({
          iam: {
            roles: [
              { roleName: 'a', assumeRolePolicyDocument: '{not json' },
              { roleName: 'a', assumeRolePolicyDocument: {} },
            ],
          },
        }),
      ],
    });
    expect(iamIssues).toEqual([
      'accounts[0].iam.roles[1].roleName: a is already iam.roles[0]',
      'accounts[0].iam.roles[0].assumeRolePolicyDocument: not valid JSON',
    ]);
  });

  it('checks the IAM authorization fields: unknown fields, policies and groups are errors naming the field', () => {
    const withIam = (inline: object[]) =>
      issuesOf({
        accounts: [
          account({
            iam: {
              users: [{ userName: 'u', groups: ['nope'], attachedPolicies: ['arn:aws:iam::aws:policy/MadeUpAccess'] }],
              groups: [{ groupName: 'g', attachedPolicies: ['arn:aws:iam::111111111111:policy/missing'] }],
              roles: [
                {
                  roleName: 'r',
                  assumeRolePolicyDocument: {},
                  permissionsBoundary: 'arn:aws:iam::111111111111:policy/missing',
                  inlinePolicies: inline,
                },
              ],
              policies: [
                { policyName: 'dup', document: {} },
                { policyName: 'dup', document: {} },
              ],
            },
          }),
        ],
      });
    // A field the schema lacks stops at the shape; the references are checked once the shape is right.
    expect(withIam([{ policyName: 'p', policyDocument: {}, effect: 'Allow' }])).toEqual([
      'accounts[0].iam.roles[0].inlinePolicies[0].effect: unknown field',
    ]);
    const refs = withIam([]);
    expect(refs).toEqual(
      expect.arrayContaining([
        'accounts[0].iam.policies[1].policyName: dup is already iam.policies[0]',
        "accounts[0].iam.roles[0].permissionsBoundary: arn:aws:iam::111111111111:policy/missing is not one of this account's iam.policies",
        "accounts[0].iam.groups[0].attachedPolicies[0]: arn:aws:iam::111111111111:policy/missing is not one of this account's iam.policies",
        expect.stringMatching(
          /^accounts\[0\]\.iam\.users\[0\]\.attachedPolicies\[0\]: arn:aws:iam::aws:policy\/MadeUpAccess is not an AWS managed policy the sim knows \(AdministratorAccess, /,
        ),
        'accounts[0].iam.users[0].groups[0]: nope is not in iam.groups',
      ]),
    );
  });

  it('makes private-only clusters unreachable from the scanner by default, and gives each account its implied roles', () => {
    const fleet = resolveFleet(
      parseFleetSpec({
        accounts: [
          account({
            clusters: [
              { name: 'alpha', region: 'us-east-1' },
              {
                name: 'hidden',
                region: 'us-east-1',
                resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
              },
            ],
          }),
        ],
      }),
    );
    expect(fleet.allClusters().map((c) => c.kubernetesApi)).toEqual(['authorized', 'unreachable']);
    expect(new Set(fleet.account('111111111111')!.iam.roles.map((r) => r.RoleName))).toEqual(
      new Set(['KubepostureReader', 'alpha-eks-cluster-role', 'hidden-eks-cluster-role']),
    );
  });

  it('names unknown fields, so a typo never silently becomes a default', () => {
    const issues = issuesOf({
      accounts: [account({ clusters: [{ name: 'alpha', region: 'us-east-1', encryptionConfigs: [] }] })],
    });
    expect(issues).toEqual(['accounts[0].clusters[0].encryptionConfigs: unknown field']);
  });

  it('checks log types, CIDRs and KMS key ARNs where they are written', () => {
    const issues = issuesOf({
      accounts: [
        account({
          clusters: [
            {
              name: 'alpha',
              region: 'us-east-1',
              logging: { clusterLogging: [{ types: ['audit', 'kubelet'], enabled: true }] },
              resourcesVpcConfig: { publicAccessCidrs: ['10.0.0.0/33'] },
              encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: 'my-key' } }],
            },
          ],
        }),
      ],
    });
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'accounts[0].clusters[0].resourcesVpcConfig.publicAccessCidrs[0]',
      'accounts[0].clusters[0].logging.clusterLogging[0].types[1]',
      'accounts[0].clusters[0].encryptionConfig[0].provider.keyArn',
    ]);
  });

  it('refuses an endpoint that is neither public nor private, as EKS does', () => {
    const issues = issuesOf({
      accounts: [
        account({
          clusters: [{ name: 'alpha', region: 'us-east-1', resourcesVpcConfig: { endpointPublicAccess: false } }],
        }),
      ],
    });
    expect(issues).toEqual([
      'accounts[0].clusters[0].resourcesVpcConfig: endpointPublicAccess and endpointPrivateAccess cannot both be false (EKS refuses it)',
    ]);
  });

  it('checks the node, version and GuardDuty fields, naming each', () => {
    const issues = issuesOf({
      references: {
        clusterVersions: [
          {
            clusterVersion: '1.3x',
            releaseDate: 'yesterday',
            endOfStandardSupportDate: 'now+5d',
            endOfExtendedSupportDate: 'now-5w',
          },
        ],
        releases: { al2023: '2026-11-10' },
        addonVersions: { 'vpc-cni': ['1.19.2'] },
      },
      accounts: [
        account({
          deniedActions: ['DescribeClusterVersions'],
          images: [{ imageId: 'ami-xyz', region: 'ap-east-1', name: 'golden', creationDate: 'now-10d' }],
          guardDuty: { regions: ['eu-central-1'] },
          clusters: [
            {
              name: 'alpha',
              region: 'us-east-1',
              launchTemplates: [{ launchTemplateName: 'golden', metadataOptions: { httpTokens: 'maybe' } }],
              nodegroups: [{ nodegroupName: 'ng', launchTemplate: { name: 'other' } }],
            },
          ],
        }),
      ],
    });
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(
      [
        'references.clusterVersions[0].clusterVersion',
        'references.clusterVersions[0].releaseDate',
        'references.clusterVersions[0].endOfExtendedSupportDate',
        'references.releases.al2023',
        'references.addonVersions.vpc-cni[0]',
        'accounts[0].deniedActions[0]',
        'accounts[0].images[0].imageId',
        'accounts[0].clusters[0].launchTemplates[0].metadataOptions.httpTokens',
      ].sort(),
    );
  });

  it('names a launch template, image region or GuardDuty region that does not fit the account', () => {
    const issues = issuesOf({
      accounts: [
        account({
          images: [{ imageId: 'ami-0123456789abcdef0', region: 'ap-east-1', name: 'golden', creationDate: 'now-10d' }],
          guardDuty: { regions: ['eu-central-1'] },
          clusters: [
            {
              name: 'alpha',
              region: 'us-east-1',
              nodegroups: [{ nodegroupName: 'ng', launchTemplate: { name: 'other' } }],
            },
          ],
        }),
      ],
    });
    expect(issues).toEqual([
      'accounts[0].guardDuty.regions[0]: eu-central-1 is not in enabledRegions',
      'accounts[0].images[0].region: ap-east-1 is not in enabledRegions',
      "accounts[0].clusters[0].nodegroups[0].launchTemplate.name: other is not in this cluster's launchTemplates (none)",
    ]);
  });

  it('lists every problem at once in the error message', () => {
    expect(() => parseFleetSpec({ caller: { accountId: 'x' }, accounts: [account({ enabledRegions: [] })] })).toThrow(
      /caller\.accountId: .*\n.*accounts\[0\]\.enabledRegions/,
    );
  });

  it('loads YAML from a file and names the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kp-sim-'));
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, 'accounts:\n  - id: "111111111111"\n    enabledRegions: [us-east-1]\n');
    await writeFile(bad, 'accounts:\n  - id: 111111111111\n    enabledRegions: [us-east-1]\n');
    expect((await loadFleetSpec(good)).accounts[0]!.id).toBe('111111111111');
    await expect(loadFleetSpec(bad)).rejects.toThrow(`fleet spec ${bad}`);
  });
});

describe('fleet defaults', () => {
  const spec = parseFleetSpec({
    defaults: {
      cluster: {
        version: '1.30',
        tags: { owner: 'platform' },
        encryptionConfig: [
          { resources: ['secrets'], provider: { keyArn: 'arn:aws:kms:us-east-1:111111111111:key/abc' } },
        ],
        nodegroups: [{ nodegroupName: 'general' }],
      },
      addon: { tags: { team: 'platform' } },
    },
    accounts: [
      account({
        clusters: [
          { name: 'alpha', region: 'us-east-1', tags: { env: 'prod' }, addons: [{ addonName: 'vpc-cni' }] },
          {
            name: 'beta',
            region: 'eu-west-1',
            encryptionConfig: null,
            resourcesVpcConfig: { publicAccessCidrs: ['::/0'] },
          },
        ],
      }),
    ],
  });
  const fleet = resolveFleet(spec);
  const alpha = fleet.cluster('111111111111', 'us-east-1', 'alpha')!;
  const beta = fleet.cluster('111111111111', 'eu-west-1', 'beta')!;

  it('fills what a real DescribeCluster returns', () => {
    const c = alpha.cluster;
    expect(c.arn).toBe('arn:aws:eks:us-east-1:111111111111:cluster/alpha');
    expect(c.status).toBe('ACTIVE');
    expect(c.createdAt).toBeInstanceOf(Date);
    expect(c.endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
    expect(c.identity?.oidc?.issuer).toBe(`https://oidc.eks.us-east-1.amazonaws.com/id/${c.endpoint!.slice(8, 40)}`);
    expect(c.roleArn).toMatch(/^arn:aws:iam::111111111111:role\//);
    expect(c.platformVersion).toMatch(/^eks\.\d+$/);
    expect(Buffer.from(c.certificateAuthority!.data!, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(c.logging?.clusterLogging).toEqual([
      { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]);
    expect(c.accessConfig).toEqual({
      authenticationMode: 'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions: true,
    });
    expect(c.upgradePolicy).toEqual({ supportType: 'EXTENDED' });
    expect(c.deletionProtection).toBe(false);
    expect(c.kubernetesNetworkConfig?.serviceIpv4Cidr).toBe('10.100.0.0/16');
  });

  it('creates the endpoint as AWS does: public, not private, open to 0.0.0.0/0', () => {
    expect(alpha.cluster.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    expect(alpha.cluster.resourcesVpcConfig?.vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
  });

  it('merges objects, replaces lists and lets null remove a default', () => {
    expect(alpha.cluster.version).toBe('1.30');
    expect(alpha.cluster.tags).toEqual({ owner: 'platform', env: 'prod' });
    expect(alpha.cluster.encryptionConfig).toHaveLength(1);
    expect(beta.cluster.encryptionConfig).toBeUndefined();
    expect(beta.cluster.resourcesVpcConfig?.publicAccessCidrs).toEqual(['::/0']);
    expect(beta.cluster.resourcesVpcConfig?.endpointPublicAccess).toBe(true);
  });

  it('has no encryptionConfig unless the spec gives one', () => {
    const plain = resolveFleet(parseFleetSpec({ accounts: [account()] })).cluster('111111111111', 'us-east-1', 'alpha');
    expect(plain?.cluster).not.toHaveProperty('encryptionConfig');
  });

  it('describes node groups and add-ons with ARNs, status and times', () => {
    const [ng] = alpha.nodegroups;
    expect(ng).toMatchObject({ nodegroupName: 'general', clusterName: 'alpha', status: 'ACTIVE', version: '1.30' });
    expect(ng!.nodegroupArn).toMatch(/^arn:aws:eks:us-east-1:111111111111:nodegroup\/alpha\/general\/[0-9a-f-]{36}$/);
    expect(ng!.createdAt!.getTime()).toBeGreaterThan(alpha.cluster.createdAt!.getTime());
    expect(ng!.modifiedAt!.getTime()).toBeGreaterThanOrEqual(ng!.createdAt!.getTime());
    const [addon] = alpha.addons;
    expect(addon).toMatchObject({
      addonName: 'vpc-cni',
      clusterName: 'alpha',
      status: 'ACTIVE',
      tags: { team: 'platform' },
    });
    expect(addon!.addonVersion).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    expect(addon!.addonArn).toMatch(/^arn:aws:eks:us-east-1:111111111111:addon\/alpha\/vpc-cni\//);
  });

  it('gives the same ids and times on every run', () => {
    const again = resolveFleet(spec).cluster('111111111111', 'us-east-1', 'alpha')!;
    expect(again.cluster).toEqual(alpha.cluster);
    expect(again.nodegroups).toEqual(alpha.nodegroups);
  });
});

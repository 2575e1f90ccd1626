import { describe, expect, it } from 'vitest';
import {
  anAccessEntry,
  anEksCluster,
  roleArn,
  TEST_ADMIN_ROLE,
  userArn,
  withSelfManagedNode,
} from '../eks/builders.ts';
import {
  allowStmt,
  anIamAuthorization,
  anIamGroup,
  anIamRole,
  anIamUser,
  aPodRole,
  aPolicyDocument,
  awsPolicy,
  denyStmt,
  extendIam,
  trustFor,
} from '../eks/iam-builders.ts';
import {
  AccountIam,
  accountIamOf,
  clusterAdminPaths,
  imdsReach,
  isNodeBaseline,
  MAX_ASSUME_DEPTH,
  nodeRolePaths,
  podIdentityHandover,
  podRolePaths,
} from './iam-paths.ts';

const ROOT = { AWS: 'arn:aws:iam::111122223333:root' };

/** The default cluster with break-glass holding cluster-admin, and the account's principals extended. */
function cluster(extra: Parameters<typeof extendIam>[1], holders: string[] = []) {
  const s = anEksCluster({
    accessEntries: [TEST_ADMIN_ROLE, ...holders].map((a) =>
      anAccessEntry(a, { policies: ['AmazonEKSClusterAdminPolicy'] }),
    ),
  });
  s.iamAuthorization = extendIam(s.iamAuthorization!, extra);
  return s;
}

describe('who can become cluster-admin', () => {
  it('finds a user who can grant access through the EKS API, hop by hop with the statement', () => {
    const s = cluster({
      users: [
        anIamUser('ci', {
          inline: { eks: aPolicyDocument(allowStmt(['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'])) },
        }),
      ],
    });
    const grants = clusterAdminPaths(s)!.grants;
    expect(grants).toEqual([
      {
        subject: userArn('ci'),
        subjectKind: 'iam-user',
        reaches: 'cluster-admin',
        hops: [
          { principal: userArn('ci'), via: 'inline:eks#0', action: 'eks:CreateAccessEntry', resource: s.arn },
          {
            principal: userArn('ci'),
            via: 'inline:eks#0',
            action: 'eks:AssociateAccessPolicy',
            resource: `${s.arn.replace(':cluster/', ':access-entry/')}/*`,
          },
        ],
        conditions: [],
      },
    ]);
  });

  it('needs both CreateAccessEntry and AssociateAccessPolicy for the admin route', () => {
    const s = cluster({
      users: [anIamUser('ci', { inline: { eks: aPolicyDocument(allowStmt('eks:CreateAccessEntry')) } })],
    });
    expect(clusterAdminPaths(s)!.grants).toEqual([]);
  });

  it('reads group policies for users', () => {
    const s = cluster({
      users: [anIamUser('bob', { groups: ['ops'] })],
      groups: [anIamGroup('ops', { attached: [awsPolicy('AdministratorAccess')] })],
    });
    const g = clusterAdminPaths(s)!.grants.find((p) => p.reaches === 'cluster-admin');
    expect(g?.subject).toBe(userArn('bob'));
    expect(g?.hops[0]?.via).toBe(`${awsPolicy('AdministratorAccess')}#0`);
  });

  it('keeps a conditional grant, with its condition', () => {
    const condition = {
      StringEquals: { 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' },
    };
    const s = cluster({
      roles: [
        anIamRole('deployer', undefined, {
          inline: {
            eks: aPolicyDocument(
              allowStmt('eks:CreateAccessEntry'),
              allowStmt('eks:AssociateAccessPolicy', '*', { Condition: condition }),
            ),
          },
        }),
      ],
    });
    const g = clusterAdminPaths(s)!.grants[0];
    expect(g?.conditions).toEqual([JSON.stringify(condition)]);
  });

  it('does not report holders as able to grant', () => {
    const s = cluster({ roles: [anIamRole('ops', trustFor(ROOT), { attached: [awsPolicy('AdministratorAccess')] })] }, [
      roleArn('ops'),
    ]);
    expect(clusterAdminPaths(s)!.grants.map((g) => g.subject)).toEqual([]);
  });

  it('an SCP that denies the access-entry actions removes the path', () => {
    const s = cluster({
      users: [anIamUser('ci', { attached: [awsPolicy('AdministratorAccess')] })],
      serviceControlPolicies: [
        {
          id: 'p-1',
          name: 'guardrails',
          target: 'r-root',
          document: aPolicyDocument(
            allowStmt('*'),
            denyStmt(['eks:*AccessEntry', 'eks:AssociateAccessPolicy', 'eks:UpdateClusterConfig']),
          ),
        },
      ],
    });
    expect(clusterAdminPaths(s)!.grants).toEqual([]);
  });

  it('follows sts:AssumeRole chains back from a holder, shortest first, through cycles', () => {
    // alice → a → b → break-glass; b and a trust each other (a cycle).
    const s = cluster(
      {
        roles: [
          anIamRole('break-glass', trustFor(ROOT)),
          anIamRole('b', trustFor(ROOT), {
            inline: { hop: aPolicyDocument(allowStmt('sts:AssumeRole', [roleArn('break-glass'), roleArn('a')])) },
          }),
          anIamRole('a', trustFor(ROOT), {
            inline: { hop: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn('b'))) },
          }),
        ],
        users: [anIamUser('alice', { inline: { hop: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn('a'))) } })],
      },
      [roleArn('break-glass')],
    );
    const paths = clusterAdminPaths(s)!.assumes;
    expect(paths.map((p) => [p.subject, p.hops.length])).toEqual([
      [roleArn('b'), 2],
      [roleArn('a'), 3],
      [userArn('alice'), 4],
    ]);
    const alice = paths.find((p) => p.subject === userArn('alice'))!;
    expect(
      alice.hops.map((h) => `${h.principal.split('/').at(-1)} ${h.action} ${h.resource.split('/').at(-1)}`),
    ).toEqual([
      'alice sts:AssumeRole a',
      'a sts:AssumeRole b',
      'b sts:AssumeRole break-glass',
      `break-glass eks:AccessKubernetesApi ${s.name}`,
    ]);
    expect(alice.hops[0]?.via).toBe('inline:hop#0 + trust:a#0');
  });

  it(`stops ${MAX_ASSUME_DEPTH} roles deep`, () => {
    const chain = Array.from({ length: MAX_ASSUME_DEPTH + 2 }, (_, i) => `r${i}`);
    const roles = chain.map((name, i) =>
      anIamRole(name, trustFor(ROOT), {
        inline: i > 0 ? { hop: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn(chain[i - 1]!))) } : {},
      }),
    );
    const s = cluster({ roles }, [roleArn('r0')]);
    const subjects = clusterAdminPaths(s)!.assumes.map((p) => p.subject);
    expect(subjects).toEqual(chain.slice(1, MAX_ASSUME_DEPTH + 1).map((n) => roleArn(n)));
  });

  it('reports another account and anyone trusted by a holder; `*` lets in every principal of the account by the trust alone', () => {
    const s = cluster(
      {
        roles: [
          anIamRole(
            'break-glass',
            aPolicyDocument({ Effect: 'Allow', Principal: { AWS: ['444455556666', '*'] }, Action: 'sts:AssumeRole' }),
          ),
        ],
      },
      [roleArn('break-glass')],
    );
    expect(clusterAdminPaths(s)!.assumes.map((p) => [p.subject, p.subjectKind])).toEqual([
      [roleArn('payments-api-pod'), 'iam-role'],
      [roleArn('payments-prod-node-role'), 'iam-role'],
      ['444455556666', 'external-account'],
      ['*', 'anyone'],
    ]);
  });

  it('names an unparseable policy instead of deciding without it', () => {
    const s = cluster({ users: [anIamUser('ci', { inline: { broken: undefined } })] });
    expect(clusterAdminPaths(s)!.grantUnknown).toContain(`${userArn('ci')} inline:broken`);
  });

  it('names a managed policy missing from the account data', () => {
    const s = cluster({ users: [anIamUser('ci', { attached: ['arn:aws:iam::111122223333:policy/gone'] })] });
    expect(clusterAdminPaths(s)!.grantUnknown).toContain(`${userArn('ci')} arn:aws:iam::111122223333:policy/gone`);
  });
});

describe('what a pod can become', () => {
  const withPodPolicy = (statements: Record<string, unknown>[], extra: Parameters<typeof extendIam>[1] = {}) => {
    const s = anEksCluster();
    s.iamAuthorization = extendIam(s.iamAuthorization!, {
      ...extra,
      roles: [aPodRole('payments-api-pod', { inline: { p: aPolicyDocument(...statements) } }), ...(extra.roles ?? [])],
    });
    return s;
  };

  it.each([
    ['iam:* is admin-equivalent', [allowStmt('iam:*')], 'admin-equivalent', 'iam:* on *'],
    [
      'iam:PassRole with ec2:RunInstances escalates',
      [allowStmt(['iam:PassRole', 'ec2:RunInstances'])],
      'privilege-escalation',
      'iam:PassRole + ec2:RunInstances',
    ],
    [
      'iam:AttachRolePolicy on one role escalates',
      [allowStmt('iam:AttachRolePolicy', roleArn('x'))],
      'privilege-escalation',
      'iam:AttachRolePolicy',
    ],
    ['ssm:GetParameter* on * reads data', [allowStmt('ssm:GetParameter*')], 'data-access', 'ssm:GetParameter on *'],
    ['s3:GetObject on one bucket is fine', [allowStmt('s3:GetObject', 'arn:aws:s3:::b/*')], 'none', undefined],
    ['iam:PassRole alone is fine', [allowStmt('iam:PassRole')], 'none', undefined],
  ])('%s', (_name, statements, level, what) => {
    const p = podRolePaths(withPodPolicy(statements))!;
    expect(p.roles[0]?.level).toBe(level);
    if (what) expect(p.roles[0]?.found).toContain(what);
    else expect(p.paths).toEqual([]);
  });

  it('counts sts:AssumeRole into a stronger role as escalation, with both hops', () => {
    const s = withPodPolicy([allowStmt('sts:AssumeRole', roleArn('admin'))], {
      roles: [anIamRole('admin', trustFor(ROOT), { attached: [awsPolicy('AdministratorAccess')] })],
    });
    const p = podRolePaths(s)!;
    expect(p.roles[0]?.level).toBe('privilege-escalation');
    expect(p.paths[0]?.hops.map((h) => h.action)).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      'sts:AssumeRole',
      'iam:*',
    ]);
  });

  it('starts at the pod (namespace/serviceaccount)', () => {
    const p = podRolePaths(withPodPolicy([allowStmt('kms:Decrypt')]))!;
    expect(p.paths[0]).toMatchObject({ subject: 'payments/api', subjectKind: 'pod', reaches: 'data-access' });
  });

  it('says a role of another account cannot be evaluated', () => {
    const s = anEksCluster({
      podIdentityAssociations: [
        {
          ...anEksCluster().podIdentityAssociations[0]!,
          targetRoleArn: 'arn:aws:iam::444455556666:role/data',
        },
      ],
    });
    expect(podRolePaths(s)!.unknown.join()).toContain('arn:aws:iam::444455556666:role/data');
  });

  it('finds principals that can hand roles to pods', () => {
    const s = anEksCluster();
    s.iamAuthorization = extendIam(s.iamAuthorization!, {
      users: [
        anIamUser('ci', {
          inline: { p: aPolicyDocument(allowStmt(['eks:CreatePodIdentityAssociation', 'iam:PassRole'])) },
        }),
      ],
    });
    expect(podIdentityHandover(s)!.paths.map((p) => p.subject)).toEqual([userArn('ci')]);
  });
});

describe('node roles', () => {
  it.each([
    [undefined, true],
    [{ HttpEndpoint: 'disabled' }, false],
    [{ HttpTokens: 'optional', HttpPutResponseHopLimit: 1 }, true],
    [{ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }, false],
    [{ HttpTokens: 'required', HttpPutResponseHopLimit: 2 }, true],
    [{ HttpTokens: 'required' }, true],
  ])('pods reach IMDS with %j: %s', (o, reachable) => {
    expect(imdsReach(o, 'default').reachable).toBe(reachable);
  });

  it('knows the node baseline policies', () => {
    expect(isNodeBaseline(awsPolicy('AmazonEC2ContainerRegistryPullOnly'))).toBe(true);
    expect(isNodeBaseline(awsPolicy('AmazonS3ReadOnlyAccess'))).toBe(false);
    expect(isNodeBaseline('arn:aws:iam::111122223333:policy/AmazonEKS_CNI_Policy')).toBe(false);
  });

  it("finds a self-managed node's role by its instance profile", () => {
    const s = anEksCluster(
      withSelfManagedNode({
        metadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      }),
    );
    s.selfManagedNodes[0]!.IamInstanceProfile = { Arn: 'arn:aws:iam::111122223333:instance-profile/nodes-profile' };
    s.iamAuthorization = extendIam(s.iamAuthorization!, {
      roles: [
        anIamRole('self-nodes', trustFor({ Service: 'ec2.amazonaws.com' }), {
          attached: [awsPolicy('AmazonS3ReadOnlyAccess')],
          instanceProfileArns: ['arn:aws:iam::111122223333:instance-profile/nodes-profile'],
        }),
      ],
    });
    const p = nodeRolePaths(s)!;
    expect(p.extras).toEqual([
      {
        roleArn: roleArn('self-nodes'),
        nodes: ['self-managed node i-0123456789abcdef0'],
        policies: [awsPolicy('AmazonS3ReadOnlyAccess')],
      },
    ]);
  });
});

describe('memoization', () => {
  it('analyses an account once for all its clusters', () => {
    const auth = anIamAuthorization({ nodeRoles: ['payments-prod-node-role'] });
    const a = anEksCluster({ name: 'a', iamAuthorization: auth });
    const b = anEksCluster({ name: 'b', iamAuthorization: auth });
    expect(accountIamOf(a.iamAuthorization!)).toBe(accountIamOf(b.iamAuthorization!));
    expect(accountIamOf(a.iamAuthorization!)).toBeInstanceOf(AccountIam);
    expect(clusterAdminPaths(a)).toBe(clusterAdminPaths(a));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { iamClient, organizationsClient } from './clients.ts';
import { readAccountAuthorization, serviceControlPolicyReader } from './iam-authorization.ts';

/** The real IAM and Organizations clients against a small simulated account, pages of 2 items. */
const ACCOUNT = '123456789012';
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const spec = parseFleetSpec({
  accounts: [
    {
      id: ACCOUNT,
      enabledRegions: ['us-east-1'],
      serviceControlPolicies: [
        {
          name: 'no-leaving',
          document: doc({ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }),
        },
      ],
      iam: {
        users: [
          {
            userName: 'dev',
            groups: ['ops'],
            inlinePolicies: [{ policyName: 'broken', policyDocument: '{"Version": "2012-10-17", "Statement": [' }],
            permissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
          },
        ],
        groups: [{ groupName: 'ops', attachedPolicies: [`arn:aws:iam::${ACCOUNT}:policy/team/ops-eks`] }],
        policies: [
          { policyName: 'ops-eks', path: '/team/', document: doc({ Effect: 'Allow', Action: 'eks:*', Resource: '*' }) },
          { policyName: 'unused', document: doc({ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }) },
        ],
        roles: [
          {
            roleName: 'admin',
            assumeRolePolicyDocument: doc({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            }),
            attachedPolicies: [
              'arn:aws:iam::aws:policy/AdministratorAccess',
              'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
            ],
            inlinePolicies: [
              {
                policyName: 'deploy+ops@team',
                policyDocument: doc({
                  Effect: 'Allow',
                  Action: 'kms:Decrypt',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a "b"&c 100%' } },
                }),
              },
            ],
          },
        ],
      },
    },
  ],
});

let sim: SimulatedCloud;
beforeAll(async () => {
  sim = await startSimulatedCloud(spec, { maxPageSize: 2 });
});
afterAll(() => sim?.close());

const options = { maxAttempts: 1, retryBaseDelayMs: 1, connectTimeoutMs: 2_000, requestTimeoutMs: 5_000 };

describe('readAccountAuthorization', () => {
  it('reads every principal and policy across pages, decoded, with default versions and group memberships', async () => {
    const auth = await readAccountAuthorization(
      iamClient('us-east-1', readerKeys(), { ...options, endpoint: sim.aws.endpoint }),
      ACCOUNT,
    );
    expect(auth.accountId).toBe(ACCOUNT);
    expect(auth.users.map((u) => [u.name, u.groups, u.permissionsBoundaryArn])).toEqual([
      ['dev', ['ops'], 'arn:aws:iam::aws:policy/IAMReadOnlyAccess'],
    ]);
    expect(auth.groups[0]).toMatchObject({
      name: 'ops',
      attachedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/team/ops-eks`],
    });
    const admin = auth.roles.find((r) => r.name === 'admin')!;
    expect(admin.trustPolicy).toEqual(
      doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }),
    );
    // URL-encoded on the wire, with characters that need it, decoded here.
    expect(admin.inlinePolicies[0]!.name).toBe('deploy+ops@team');
    expect(admin.inlinePolicies[0]!.document).toMatchObject({
      Statement: [{ Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a "b"&c 100%' } } }],
    });
    // The default version (v3), not the first one listed.
    const worker = auth.managedPolicies['arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy']!;
    expect(JSON.stringify(worker.document)).toContain('eks-auth:AssumeRoleForPodIdentity');
    expect(auth.managedPolicies['arn:aws:iam::aws:policy/AdministratorAccess']!.document).toEqual(
      doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
    );
    // Customer managed ones are listed whether attached or not.
    expect(auth.managedPolicies[`arn:aws:iam::${ACCOUNT}:policy/unused`]).toBeDefined();
    // A boundary-only AWS managed policy is not in the listing: read with GetPolicy + GetPolicyVersion.
    expect(auth.managedPolicies['arn:aws:iam::aws:policy/IAMReadOnlyAccess']!.document).toMatchObject({
      Statement: [{ Action: expect.arrayContaining(['iam:Get*']) }],
    });
    // The unparseable inline policy is named, never dropped silently.
    expect(auth.users[0]!.inlinePolicies).toEqual([{ name: 'broken', document: undefined }]);
    expect(auth.problems).toEqual([
      {
        policy: `arn:aws:iam::${ACCOUNT}:user/dev inline policy broken`,
        error: expect.stringContaining('not a JSON object'),
      },
    ]);
    const calls = sim.calls.filter((c) => c.service === 'iam' && c.accountId === ACCOUNT).map((c) => c.action);
    expect(calls.filter((a) => a === 'GetAccountAuthorizationDetails').length).toBeGreaterThan(3); // paged by 2
    expect(calls).toContain('GetPolicyVersion');
  });

  it('rejects when IAM refuses the walk (the collector makes it a gap), never an empty authorization', async () => {
    sim.fleet.account(ACCOUNT)!.deniedActions.add('iam:GetAccountAuthorizationDetails');
    try {
      await expect(
        readAccountAuthorization(
          iamClient('us-east-1', readerKeys(), { ...options, endpoint: sim.aws.endpoint }),
          ACCOUNT,
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      sim.fleet.account(ACCOUNT)!.deniedActions.delete('iam:GetAccountAuthorizationDetails');
    }
  });
});

describe('serviceControlPolicyReader', () => {
  it("reads the account's and the root's SCPs from the management account, each target listed once", async () => {
    const read = serviceControlPolicyReader(
      organizationsClient('us-east-1', sim.callerCredentials, { ...options, endpoint: sim.aws.endpoint }),
    );
    const [a, b] = [await read(ACCOUNT), await read(ACCOUNT)];
    expect(a.serviceControlPolicies?.map((p) => [p.name, p.target])).toEqual([
      ['FullAWSAccess', ACCOUNT],
      ['no-leaving', ACCOUNT],
      ['FullAWSAccess', 'r-kp01'],
    ]);
    expect(a.serviceControlPolicies?.[1]?.document).toEqual(
      doc({ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }),
    );
    expect(b).toEqual(a);
    expect(sim.calls.filter((c) => c.action === 'ListPoliciesForTarget')).toHaveLength(2);
  });

  it('says why SCPs were not applied when Organizations cannot be read, instead of failing', async () => {
    // A member account's credentials: not the management account.
    const read = serviceControlPolicyReader(
      organizationsClient('us-east-1', readerKeys(), { ...options, endpoint: sim.aws.endpoint }),
    );
    const r = await read(ACCOUNT);
    expect(r.serviceControlPolicies).toBeUndefined();
    expect(r.serviceControlPoliciesNote).toMatch(
      /^SCPs not applied: the scanner's credentials cannot read AWS Organizations/,
    );
  });
});

function readerKeys() {
  return async () => {
    const { readerCredentials } = await import('../../sim/clients.ts');
    return readerCredentials(sim, ACCOUNT)();
  };
}

/**
 * The evaluator against AWS's documented policy evaluation logic (IAM User Guide: "Policy evaluation logic",
 * "Determining whether a request is allowed or denied within an account", "IAM JSON policy elements: NotAction /
 * NotResource", "Permissions boundaries", "Service control policies", "Cross-account policy evaluation logic").
 */
import { describe, expect, it } from 'vitest';
import type { IamPolicyDocument } from '../../core/snapshot.ts';
import {
  ALL,
  type Ceiling,
  canAssume,
  coversAll,
  type Decision,
  evaluate,
  type Policy,
  parsePolicy,
  type ResourceQuery,
  SOME,
  trustGrants,
  wildcardMatch,
} from './iam-policy.ts';

const ACCOUNT = '111122223333';
const BUCKET = 'arn:aws:s3:::amzn-s3-demo-bucket';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;

const doc = (...Statement: Record<string, unknown>[]): IamPolicyDocument => ({ Version: '2012-10-17', Statement });
const policy = (name: string, ...statements: Record<string, unknown>[]): Policy =>
  parsePolicy(name, doc(...statements));
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});
/** An IAM policy variable, as a policy writes it (not a template placeholder). */
const USERNAME = ['$', '{aws:username}'].join('');
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };

interface Case {
  name: string;
  identity: Policy[];
  ceilings?: Ceiling[];
  action: string;
  resource: ResourceQuery;
  decision: Decision;
  /** Substrings of the recorded conditions. */
  conditions?: string[];
  /** The policy whose statement decided. */
  by?: string;
}

const boundary = (...statements: Record<string, unknown>[]): Ceiling => ({
  kind: 'permissions-boundary',
  name: 'arn:aws:iam::111122223333:policy/boundary',
  policies: [policy('arn:aws:iam::111122223333:policy/boundary', ...statements)],
});
const scp = (target: string, ...statements: Record<string, unknown>[]): Ceiling => ({
  kind: 'scp',
  name: target,
  policies: [policy(`scp:${target}`, ...statements)],
});
const FULL_ACCESS = allow('*');

const cases: Case[] = [
  {
    name: 'no statement applies: implicit deny',
    identity: [policy('inline:s3', allow('s3:ListBucket', BUCKET))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'implicit-deny',
  },
  {
    name: 'an Allow grants',
    identity: [policy('inline:s3', allow('s3:GetObject', `${BUCKET}/*`))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'allow',
    by: 'inline:s3',
  },
  {
    name: 'an explicit Deny in any policy overrides an Allow in another',
    identity: [policy('inline:all', allow('*')), policy('inline:no-s3', deny('s3:*', `${BUCKET}/*`))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'deny',
    by: 'inline:no-s3',
  },
  {
    name: 'a Deny on another resource leaves the Allow',
    identity: [policy('inline:all', allow('*')), policy('inline:no-s3', deny('s3:*', 'arn:aws:s3:::other/*'))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'allow',
  },
  {
    name: 'actions match case-insensitively, with * and ? wildcards',
    identity: [policy('inline:x', allow(['IAM:get*', 'ec2:Describe?nstances']))],
    action: 'iam:GetRole',
    resource: ROLE,
    decision: 'allow',
  },
  {
    name: '? matches exactly one character',
    identity: [policy('inline:x', allow('ec2:Describe?nstances'))],
    action: 'ec2:DescribeInstances',
    resource: '*',
    decision: 'allow',
  },
  {
    name: 'resources match case-sensitively',
    identity: [policy('inline:x', allow('s3:GetObject', 'arn:aws:s3:::AMZN-S3-DEMO-BUCKET/*'))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'implicit-deny',
  },
  {
    name: 'NotAction with Allow grants every action but those listed (the IAM docs example: all but IAM)',
    identity: [policy('inline:not-iam', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'allow',
  },
  {
    name: 'NotAction with Allow does not grant the actions listed',
    identity: [policy('inline:not-iam', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })],
    action: 'iam:CreateUser',
    resource: '*',
    decision: 'implicit-deny',
  },
  {
    name: 'NotAction with Deny refuses everything but the listed actions (deny all but IAM without MFA)',
    identity: [
      policy('inline:admin', FULL_ACCESS),
      policy('inline:only-iam', { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }),
    ],
    action: 'ec2:RunInstances',
    resource: '*',
    decision: 'deny',
  },
  {
    name: 'NotResource with Allow grants every resource but those listed',
    identity: [policy('inline:x', { Effect: 'Allow', Action: 's3:*', NotResource: `${BUCKET}/secret/*` })],
    action: 's3:GetObject',
    resource: `${BUCKET}/public/a.txt`,
    decision: 'allow',
  },
  {
    name: 'NotResource with Allow does not grant the listed resources',
    identity: [policy('inline:x', { Effect: 'Allow', Action: 's3:*', NotResource: `${BUCKET}/secret/*` })],
    action: 's3:GetObject',
    resource: `${BUCKET}/secret/a.txt`,
    decision: 'implicit-deny',
  },
  {
    name: 'NotResource with Deny refuses everything outside the listed resources',
    identity: [
      policy('inline:admin', FULL_ACCESS),
      policy('inline:only-bucket', { Effect: 'Deny', Action: 's3:*', NotResource: [BUCKET, `${BUCKET}/*`] }),
    ],
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::other/a.txt',
    decision: 'deny',
  },
  {
    name: 'an Allow under a condition is conditional, the condition recorded',
    identity: [policy('inline:mfa', allow('ec2:StopInstances', '*', { Condition: MFA }))],
    action: 'ec2:StopInstances',
    resource: '*',
    decision: 'conditional',
    conditions: ['aws:MultiFactorAuthPresent'],
  },
  {
    name: 'an unconditional Allow beside a conditional one is unconditional',
    identity: [policy('inline:mfa', allow('ec2:StopInstances', '*', { Condition: MFA }), allow('ec2:*'))],
    action: 'ec2:StopInstances',
    resource: '*',
    decision: 'allow',
  },
  {
    name: 'a Deny under a condition does not remove the Allow: conditional, the Deny recorded',
    identity: [
      policy('inline:admin', FULL_ACCESS),
      policy(
        'inline:no-mfa',
        deny('*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }),
      ),
    ],
    action: 'iam:CreateUser',
    resource: '*',
    decision: 'conditional',
    conditions: ['unless Deny inline:no-mfa#0', 'BoolIfExists'],
  },
  {
    name: 'a permissions boundary caps the identity policy: allowed only where both allow',
    identity: [policy('inline:admin', FULL_ACCESS)],
    ceilings: [boundary(allow(['s3:*', 'cloudwatch:*']))],
    action: 'iam:CreateUser',
    resource: '*',
    decision: 'implicit-deny',
  },
  {
    name: 'a permissions boundary grants nothing by itself',
    identity: [policy('inline:s3', allow('s3:ListBucket', BUCKET))],
    ceilings: [boundary(FULL_ACCESS)],
    action: 'ec2:RunInstances',
    resource: '*',
    decision: 'implicit-deny',
  },
  {
    name: 'within the boundary the identity Allow stands',
    identity: [policy('inline:admin', FULL_ACCESS)],
    ceilings: [boundary(allow(['s3:*', 'cloudwatch:*']))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'allow',
  },
  {
    name: 'an explicit Deny in the boundary refuses',
    identity: [policy('inline:admin', FULL_ACCESS)],
    ceilings: [boundary(FULL_ACCESS, deny('iam:*'))],
    action: 'iam:PutRolePolicy',
    resource: ROLE,
    decision: 'deny',
  },
  {
    name: 'SCPs: each level (root, OU, account) must allow',
    identity: [policy('inline:admin', FULL_ACCESS)],
    ceilings: [scp('r-root', FULL_ACCESS), scp('ou-prod', allow('ec2:*')), scp(ACCOUNT, FULL_ACCESS)],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'implicit-deny',
  },
  {
    name: 'SCPs that all allow leave the identity Allow',
    identity: [policy('inline:admin', FULL_ACCESS)],
    ceilings: [scp('r-root', FULL_ACCESS), scp('ou-prod', allow('s3:*'))],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'allow',
  },
  {
    name: 'an SCP Deny refuses even an administrator',
    identity: [policy('arn:aws:iam::aws:policy/AdministratorAccess', FULL_ACCESS)],
    ceilings: [scp('r-root', FULL_ACCESS, deny('eks:UpdateClusterConfig'))],
    action: 'eks:UpdateClusterConfig',
    resource: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
    decision: 'deny',
    by: 'scp:r-root',
  },
  {
    name: 'ALL: only a statement on every resource grants broad access',
    identity: [policy('inline:x', allow('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:*:secret:app/*'))],
    action: 'secretsmanager:GetSecretValue',
    resource: ALL,
    decision: 'implicit-deny',
  },
  {
    name: 'ALL: a service-wide ARN wildcard is every resource',
    identity: [policy('inline:x', allow('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:*:secret:*'))],
    action: 'secretsmanager:GetSecretValue',
    resource: ALL,
    decision: 'allow',
  },
  {
    name: 'SOME: an Allow on one role is some resource',
    identity: [policy('inline:x', allow('iam:PassRole', ROLE))],
    action: 'iam:PassRole',
    resource: SOME,
    decision: 'allow',
  },
  {
    name: 'SOME: a Deny on one role does not remove the others',
    identity: [policy('inline:x', allow('iam:PassRole')), policy('inline:y', deny('iam:PassRole', ROLE))],
    action: 'iam:PassRole',
    resource: SOME,
    decision: 'allow',
  },
  {
    name: 'SOME: a Deny on every resource removes it',
    identity: [policy('inline:x', allow('iam:PassRole')), policy('inline:y', deny('iam:*'))],
    action: 'iam:PassRole',
    resource: SOME,
    decision: 'deny',
  },
  {
    name: 'a policy variable in a resource makes the grant conditional on it',
    identity: [policy('inline:self', allow('iam:CreateAccessKey', `arn:aws:iam::111122223333:user/${USERNAME}`))],
    action: 'iam:CreateAccessKey',
    resource: 'arn:aws:iam::111122223333:user/alice',
    decision: 'conditional',
    conditions: ['policy variable'],
  },
  {
    name: 'an unparseable policy makes the evaluation unknown, naming it',
    identity: [policy('inline:admin', FULL_ACCESS), parsePolicy('inline:broken', undefined)],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'unknown',
  },
  {
    name: 'an unconditional Deny decides even beside an unparseable policy',
    identity: [policy('inline:no', deny('*')), parsePolicy('inline:broken', undefined)],
    action: 's3:GetObject',
    resource: `${BUCKET}/a.txt`,
    decision: 'deny',
  },
];

describe('evaluate', () => {
  it.each(cases)('$name', ({ identity, ceilings, action, resource, decision, conditions, by }) => {
    const e = evaluate({ identity, ceilings: ceilings ?? [] }, { action, resource });
    expect(e.decision).toBe(decision);
    for (const c of conditions ?? []) expect(e.conditions.join(' | ')).toContain(c);
    if (decision === 'allow') expect(e.conditions).toEqual([]);
    if (by) expect(e.statements[0]?.policy).toBe(by);
    if (decision === 'unknown') expect(e.unknown).toEqual(['inline:broken']);
  });

  it('says which ceiling lacked an Allow', () => {
    const e = evaluate(
      { identity: [policy('inline:admin', FULL_ACCESS)], ceilings: [scp('ou-prod', allow('ec2:*'))] },
      { action: 's3:GetObject', resource: BUCKET },
    );
    expect(e).toMatchObject({ decision: 'implicit-deny', missingCeiling: 'ou-prod' });
  });

  it('names the statements that grant, one per layer', () => {
    const e = evaluate(
      { identity: [policy('inline:admin', FULL_ACCESS)], ceilings: [scp('r-root', FULL_ACCESS)] },
      { action: 's3:GetObject', resource: BUCKET },
    );
    expect(e.statements.map((s) => [s.policy, s.layer])).toEqual([
      ['inline:admin', 'identity'],
      ['scp:r-root', 'scp'],
    ]);
  });
});

describe('parsePolicy', () => {
  it.each([
    ['an Effect other than Allow or Deny', { Effect: 'Permit', Action: '*', Resource: '*' }, 'Effect'],
    ['both Action and NotAction', { Effect: 'Allow', Action: '*', NotAction: 'iam:*', Resource: '*' }, 'exactly one'],
    ['an Action that is a number', { Effect: 'Allow', Action: 3, Resource: '*' }, 'Action'],
  ])('refuses %s, naming the statement', (_name, statement, says) => {
    const p = parsePolicy('inline:x', doc(statement));
    expect(p.statements).toBeUndefined();
    expect(p.problem).toContain(says);
    expect(p.problem).toContain('Statement[0]');
  });

  it('takes a single statement object as IAM does', () => {
    const p = parsePolicy('inline:x', { Version: '2012-10-17', Statement: allow('s3:*') });
    expect(p.statements).toHaveLength(1);
  });
});

describe('wildcards', () => {
  it.each([
    ['*', 'anything', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b', true],
    ['arn:aws:s3:::bucket/?', 'arn:aws:s3:::bucket/ab', false],
    ['arn:aws:iam::*:role/a.b', 'arn:aws:iam::1:role/aXb', false],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  it.each([
    ['*', true],
    ['arn:aws:s3:::*', true],
    ['arn:aws:s3:::*/*', true],
    ['arn:aws:ssm:eu-west-1:111122223333:parameter/*', true],
    ['arn:aws:secretsmanager:*:*:secret:*', true],
    ['arn:aws:s3:::bucket/*', false],
    ['arn:aws:secretsmanager:*:*:secret:app-*', false],
  ])('coversAll(%s) is %s', (pattern, expected) => {
    expect(coversAll(pattern)).toBe(expected);
  });
});

describe('trust policies (sts:AssumeRole)', () => {
  const candidate = {
    type: 'principal' as const,
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    accountId: ACCOUNT,
    kind: 'user' as const,
  };
  const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
    parsePolicy('trust:deploy', doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }));
  const mayAssume = policy('inline:assume', allow('sts:AssumeRole', ROLE));
  const noPolicies = { identity: [], ceilings: [] };

  it.each([
    ['the account root', { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
    ['the bare account id', { AWS: ACCOUNT }],
  ])('%s delegates to the identity policies: allowed only with an identity Allow', (_n, principal) => {
    expect(canAssume(noPolicies, candidate, ROLE, trust(principal)).decision).toBe('implicit-deny');
    expect(canAssume({ identity: [mayAssume], ceilings: [] }, candidate, ROLE, trust(principal)).decision).toBe(
      'allow',
    );
  });

  it('naming the principal itself is enough without an identity Allow', () => {
    expect(canAssume(noPolicies, candidate, ROLE, trust({ AWS: candidate.arn })).decision).toBe('allow');
  });

  it('a wildcard principal lets in anyone, the trust alone enough within the account', () => {
    expect(canAssume(noPolicies, candidate, ROLE, trust('*')).decision).toBe('allow');
    expect(trustGrants(trust('*'), { type: 'anyone' }).how).toBe('direct');
  });

  it('another account in the trust is not this account', () => {
    const t = trust({ AWS: 'arn:aws:iam::444455556666:root' });
    expect(canAssume({ identity: [mayAssume], ceilings: [] }, candidate, ROLE, t).decision).toBe('implicit-deny');
    expect(trustGrants(t, { type: 'account', accountId: '444455556666' }).how).toBe('account');
  });

  it('a service principal is no IAM principal', () => {
    expect(
      canAssume({ identity: [mayAssume], ceilings: [] }, candidate, ROLE, trust({ Service: 'ec2.amazonaws.com' }))
        .decision,
    ).toBe('implicit-deny');
  });

  it('a trust condition makes the assumption conditional', () => {
    const e = canAssume(noPolicies, candidate, ROLE, trust({ AWS: candidate.arn }, { Condition: MFA }));
    expect(e.decision).toBe('conditional');
    expect(e.conditions.join()).toContain('aws:MultiFactorAuthPresent');
  });

  it('an explicit Deny in the identity policy refuses even when the trust names the principal', () => {
    const e = canAssume(
      { identity: [policy('inline:no', deny('sts:AssumeRole'))], ceilings: [] },
      candidate,
      ROLE,
      trust({ AWS: candidate.arn }),
    );
    expect(e.decision).toBe('deny');
  });

  it('a boundary limits a grant to a role ARN, not to a user ARN', () => {
    const role = {
      type: 'principal' as const,
      arn: `arn:aws:iam::${ACCOUNT}:role/ci`,
      accountId: ACCOUNT,
      kind: 'role' as const,
    };
    const capped = { identity: [], ceilings: [boundary(allow('s3:*'))] };
    expect(canAssume(capped, role, ROLE, trust({ AWS: role.arn })).decision).toBe('implicit-deny');
    expect(canAssume(capped, candidate, ROLE, trust({ AWS: candidate.arn })).decision).toBe('allow');
  });

  it('an unparseable trust policy is unknown, naming it', () => {
    const e = canAssume(noPolicies, candidate, ROLE, parsePolicy('trust:deploy', undefined));
    expect(e).toMatchObject({ decision: 'unknown', unknown: ['trust:deploy'] });
  });
});

/**
 * Privilege paths in one AWS account (issue 13), pure: who can become cluster-admin of an EKS cluster, and what a pod
 * of it can become in the cloud. Built on the evaluator (iam-policy.ts) and the account's `IamAuthorization`.
 *
 * The account's analysis (its principals' policy sets, who may assume which role, each role's powers) is done once per
 * `IamAuthorization` object, which every cluster of the account shares, and lazily: only what a check asks is
 * evaluated. Per cluster, the answers are memoized per snapshot, since two checks read each.
 */
import type { Nodegroup } from '@aws-sdk/client-eks';
import type { AccessPath, AccessPathHop } from '../../core/access-paths.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import type { IamAuthorization, IamAuthRole, IamAuthUser, IamInlinePolicy } from '../../core/snapshot-iam.ts';
import { clusterAdmins, principalKey } from '../eks/lib/access.ts';
import { irsaRolesOf } from '../eks/lib/irsa.ts';
import { launchTemplateOf } from '../eks/lib/nodes.ts';
import {
  ALL,
  type Ceiling,
  canAssume,
  type Evaluation,
  evaluate,
  grants,
  type MatchedStatement,
  type Policy,
  type PolicySet,
  parsePolicy,
  type ResourceQuery,
  SOME,
  statementLabel,
} from './iam-policy.ts';
import { memoizeByObject } from './memo.ts';

/** How far `sts:AssumeRole` chains are followed (role chaining beyond this is rare, and each hop is reported). */
export const MAX_ASSUME_DEPTH = 5;

export interface AccountPrincipal {
  arn: string;
  name: string;
  kind: 'role' | 'user';
  /** Only AWS services may assume it (`/aws-service-role/`): no IAM principal starts a path from it. */
  serviceLinked: boolean;
  set: PolicySet;
  /** Roles: the trust policy. */
  trust?: Policy;
  /** Roles: the managed policies attached, by ARN; and inline policy names. */
  attachedPolicyArns: readonly string[];
  inlinePolicyNames: readonly string[];
  instanceProfileArns?: readonly string[];
}

/** principalKey's form (`account/kind/name`) for a principal of the account, without its memo (one per principal). */
function ownKey(arn: string, kind: 'role' | 'user', name: string): string {
  return `${/^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1] ?? ''}/${kind}/${name}`;
}

/** Someone who may assume a role: an IAM principal of the account, another account, or anyone. */
export interface Assumer {
  subject: string;
  subjectKind: 'iam-role' | 'iam-user' | 'external-account' | 'anyone';
  hop: AccessPathHop;
  conditions: string[];
}

/** Statements' labels for a hop's `via`: the grant and the trust, not the ceilings that merely let it through. */
function via(statements: readonly MatchedStatement[]): string {
  const own = statements.filter((s) => s.layer === 'identity' || s.layer === 'trust');
  return (own.length > 0 ? own : statements).map(statementLabel).join(' + ');
}

function inlinePolicies(owner: string, list: readonly IamInlinePolicy[]): Policy[] {
  return list.map((p) => parsePolicy(`${owner}inline:${p.name}`, p.document));
}

/** The account's IAM, ready to ask: once per IamAuthorization object, lazily. */
export class AccountIam {
  readonly accountId: string;
  readonly principals: readonly AccountPrincipal[];
  readonly scpApplied: boolean;
  readonly scpNote: string | undefined;
  private readonly byArn = new Map<string, AccountPrincipal>();
  private readonly byKey = new Map<string, AccountPrincipal>();
  private readonly assumerCache = new Map<string, { assumers: Assumer[]; unknown: string[] }>();
  private readonly assumableCache = new Map<
    string,
    { roles: { role: AccountPrincipal; e: Evaluation }[]; unknown: string[] }
  >();
  private readonly powerCache = new Map<string, RolePowers>();
  private readonly candidateCache = new Map<string, Set<AccountPrincipal>>();

  constructor(readonly auth: IamAuthorization) {
    this.accountId = auth.accountId;
    const managed = (arn: string): Policy => {
      const m = auth.managedPolicies[arn];
      if (!m) return { name: arn, statements: undefined, problem: 'not in GetAccountAuthorizationDetails' };
      return parsePolicy(arn, m.document);
    };
    const ceilings: Ceiling[] = [];
    this.scpApplied = auth.serviceControlPolicies !== undefined;
    this.scpNote = auth.serviceControlPoliciesNote;
    const byTarget = new Map<string, Policy[]>();
    for (const scp of auth.serviceControlPolicies ?? []) {
      const list = byTarget.get(scp.target) ?? [];
      list.push(parsePolicy(`scp:${scp.name} (${scp.id})`, scp.document));
      byTarget.set(scp.target, list);
    }
    for (const [target, policies] of byTarget) ceilings.push({ kind: 'scp', name: target, policies });
    const groups = new Map(auth.groups.map((g) => [g.name, g]));
    const principal = (p: IamAuthRole | IamAuthUser, kind: 'role' | 'user'): AccountPrincipal => {
      const identity: Policy[] = [...inlinePolicies('', p.inlinePolicies), ...p.attachedPolicyArns.map(managed)];
      if (kind === 'user') {
        for (const name of (p as IamAuthUser).groups) {
          const g = groups.get(name);
          if (!g) {
            identity.push({
              name: `group:${name}`,
              statements: undefined,
              problem: 'group not in GetAccountAuthorizationDetails',
            });
            continue;
          }
          identity.push(...inlinePolicies(`group:${name}/`, g.inlinePolicies), ...g.attachedPolicyArns.map(managed));
        }
      }
      const own: Ceiling[] = p.permissionsBoundaryArn
        ? [
            {
              kind: 'permissions-boundary',
              name: p.permissionsBoundaryArn,
              policies: [managed(p.permissionsBoundaryArn)],
            },
          ]
        : [];
      const role = kind === 'role' ? (p as IamAuthRole) : undefined;
      return {
        arn: p.arn,
        name: p.name,
        kind,
        serviceLinked: p.path.startsWith('/aws-service-role/'),
        set: { identity, ceilings: [...own, ...ceilings] },
        ...(role ? { trust: parsePolicy(`trust:${p.name}`, role.trustPolicy) } : {}),
        attachedPolicyArns: p.attachedPolicyArns,
        inlinePolicyNames: p.inlinePolicies.map((i) => i.name),
        ...(role?.instanceProfileArns ? { instanceProfileArns: role.instanceProfileArns } : {}),
      };
    };
    this.principals = [...auth.roles.map((r) => principal(r, 'role')), ...auth.users.map((u) => principal(u, 'user'))];
    for (const p of this.principals) {
      this.byArn.set(p.arn, p);
      this.byKey.set(ownKey(p.arn, p.kind, p.name), p);
    }
  }

  /** The principal of an ARN (with or without its IAM path), if the account has it. */
  principal(arn: string): AccountPrincipal | undefined {
    return this.byArn.get(arn) ?? this.byKey.get(principalKey(arn));
  }

  /** The role carried by an instance profile: by the collected profile list, else by the profile's name. */
  roleOfInstanceProfile(profileArn: string): AccountPrincipal | undefined {
    const listed = this.principals.find((p) => p.instanceProfileArns?.includes(profileArn));
    if (listed) return listed;
    const name = profileArn.split('/').at(-1);
    return this.principals.find((p) => p.kind === 'role' && p.name === name);
  }

  /**
   * Whether `p` may perform `action` on `resource`. Not cached: most questions are answered by a scan that allocates
   * nothing, cheaper than a cache key, and the answers that matter are kept in the results built from them.
   */
  can(p: AccountPrincipal, action: string, resource: ResourceQuery): Evaluation {
    return evaluate(p.set, { action, resource });
  }

  /**
   * The principals that may perform `action` on some resource, or whose policies could not be read: a superset of
   * those allowed on any one resource, worked out once per account, so a question about one cluster asks only them.
   */
  mayEver(action: string): ReadonlySet<AccountPrincipal> {
    let set = this.candidateCache.get(action);
    if (!set) {
      set = new Set();
      for (const p of this.principals) {
        if (p.serviceLinked) continue;
        const e = evaluate(p.set, { action, resource: SOME });
        if (grants(e) || e.decision === 'unknown') set.add(p);
      }
      this.candidateCache.set(action, set);
    }
    return set;
  }

  /** Who may assume a role: principals of the account (trust and identity policies), other accounts, anyone. */
  assumersOf(role: AccountPrincipal): { assumers: Assumer[]; unknown: string[] } {
    const hit = this.assumerCache.get(role.arn);
    if (hit) return hit;
    const out: { assumers: Assumer[]; unknown: string[] } = { assumers: [], unknown: [] };
    const trust = role.trust;
    if (!trust?.statements) {
      out.unknown.push(`${role.arn} trust policy`);
    } else {
      for (const p of this.principals) {
        if (p === role || p.serviceLinked) continue;
        const e = canAssume(
          p.set,
          { type: 'principal', arn: p.arn, accountId: this.accountId, kind: p.kind },
          role.arn,
          trust,
        );
        if (e.decision === 'unknown') out.unknown.push(...e.unknown.map((u) => `${p.arn} ${u}`));
        if (!grants(e)) continue;
        out.assumers.push({
          subject: p.arn,
          subjectKind: p.kind === 'user' ? 'iam-user' : 'iam-role',
          hop: { principal: p.arn, via: via(e.statements), action: 'sts:AssumeRole', resource: role.arn },
          conditions: e.conditions,
        });
      }
      out.assumers.push(...outsideAssumers(trust, role.arn, this.accountId));
    }
    this.assumerCache.set(role.arn, out);
    return out;
  }

  /** The roles of the account a principal may assume, directly. */
  assumableBy(p: AccountPrincipal): { roles: { role: AccountPrincipal; e: Evaluation }[]; unknown: string[] } {
    const hit = this.assumableCache.get(p.arn);
    if (hit) return hit;
    const out: { roles: { role: AccountPrincipal; e: Evaluation }[]; unknown: string[] } = { roles: [], unknown: [] };
    for (const role of this.principals) {
      if (role.kind !== 'role' || role === p || !role.trust) continue;
      const e = canAssume(
        p.set,
        { type: 'principal', arn: p.arn, accountId: this.accountId, kind: p.kind },
        role.arn,
        role.trust,
      );
      if (e.decision === 'unknown') out.unknown.push(...e.unknown.map((u) => `${p.arn} ${u}`));
      else if (grants(e)) out.roles.push({ role, e });
    }
    this.assumableCache.set(p.arn, out);
    return out;
  }

  /** What a role can do by itself (no role chaining): admin-equivalent, escalation, broad data access. */
  directPowers(role: AccountPrincipal): RolePowers {
    const hit = this.powerCache.get(role.arn);
    if (hit) return hit;
    const powers = classify(this, role);
    this.powerCache.set(role.arn, powers);
    return powers;
  }

  /**
   * A role's powers including the roles it can assume, transitively (depth-limited, cycles skipped): assuming a role
   * that is admin-equivalent or can escalate is escalation.
   */
  powers(role: AccountPrincipal): RolePowers {
    const own = this.directPowers(role);
    const found: Power[] = [...own.found];
    const unknown = new Set(own.unknown);
    const seen = new Set([role.arn]);
    let frontier: { p: AccountPrincipal; hops: AccessPathHop[]; conditions: string[] }[] = [
      { p: role, hops: [], conditions: [] },
    ];
    for (let depth = 0; depth < MAX_ASSUME_DEPTH && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const f of frontier) {
        const a = this.assumableBy(f.p);
        for (const u of a.unknown) unknown.add(u);
        for (const { role: r, e } of a.roles) {
          if (seen.has(r.arn)) continue;
          seen.add(r.arn);
          const hop: AccessPathHop = {
            principal: f.p.arn,
            via: via(e.statements),
            action: 'sts:AssumeRole',
            resource: r.arn,
          };
          const hops = [...f.hops, hop];
          const conditions = [...f.conditions, ...e.conditions];
          const theirs = this.directPowers(r);
          for (const u of theirs.unknown) unknown.add(u);
          const strong = theirs.found.find(
            (x) => x.reaches === 'admin-equivalent' || x.reaches === 'privilege-escalation',
          );
          if (strong) {
            found.push({
              reaches: 'privilege-escalation',
              what: `sts:AssumeRole into ${r.arn} (${strong.reaches}: ${strong.what})`,
              hops: [...hops, ...strong.hops],
              conditions: [...new Set([...conditions, ...strong.conditions])],
            });
          }
          next.push({ p: r, hops, conditions });
        }
      }
      frontier = next;
    }
    return { role: role.arn, level: levelOf(found), found, unknown: [...unknown] };
  }
}

/** Other accounts and `*` in a trust policy's Allow statements (their own policies are not known here). */
function outsideAssumers(trust: Policy, roleArn: string, accountId: string): Assumer[] {
  const out: Assumer[] = [];
  for (const s of trust.statements ?? []) {
    if (s.effect !== 'Allow' || !s.principal) continue;
    const assumes = s.actions
      ? s.actions.some((a) => /^(sts:\*|\*|sts:assumerole)$/i.test(a))
      : !(s.notActions ?? []).some((a) => /^(sts:\*|\*|sts:assumerole)$/i.test(a));
    if (!assumes) continue;
    for (const p of s.principal.aws) {
      const anyone = p === '*';
      const acct = /^\d{12}$/.test(p) ? p : /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(p)?.[1];
      if (!anyone && (!acct || acct === accountId)) continue;
      const label = `trust:${roleArn.split('/').at(-1)}#${s.index}${s.sid ? ` (${s.sid})` : ''}`;
      out.push({
        subject: anyone ? '*' : p,
        subjectKind: anyone ? 'anyone' : 'external-account',
        hop: { principal: anyone ? '*' : p, via: label, action: 'sts:AssumeRole', resource: roleArn },
        conditions: s.condition ? [s.condition] : [],
      });
    }
  }
  return out;
}

/** The IAM analysis of an account, once per IamAuthorization object (every cluster of the account shares it). */
export const accountIamOf: (auth: IamAuthorization) => AccountIam = memoizeByObject((auth) => new AccountIam(auth));

// --- what a role can do ---------------------------------------------------------------------------------------------

export type PowerLevel = 'admin-equivalent' | 'privilege-escalation' | 'data-access' | 'none';

export interface Power {
  reaches: Exclude<PowerLevel, 'none'>;
  /** One line: `iam:PassRole + lambda:CreateFunction`, `s3:GetObject on *`. */
  what: string;
  hops: AccessPathHop[];
  conditions: string[];
}

export interface RolePowers {
  role: string;
  level: PowerLevel;
  found: Power[];
  /** Policies that could not be read on the way: the answer may be incomplete. */
  unknown: string[];
}

/** Services that run code as a role handed to them with iam:PassRole. */
export const RUNS_CODE_WITH_PASSED_ROLE = [
  'lambda:CreateFunction',
  'ec2:RunInstances',
  'ecs:RunTask',
  'ecs:StartTask',
  'glue:CreateDevEndpoint',
  'glue:CreateJob',
  'cloudformation:CreateStack',
  'sagemaker:CreateNotebookInstance',
  'sagemaker:CreateTrainingJob',
  'codebuild:CreateProject',
  'datapipeline:CreatePipeline',
  'eks:CreatePodIdentityAssociation',
] as const;

/** Actions that change IAM permissions (a principal's own, or a role it can then use): escalation by themselves. */
export const ESCALATING_IAM_ACTIONS = [
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
] as const;

/** Data reads that are broad when granted on every resource. */
export const BROAD_DATA_ACTIONS = [
  's3:GetObject',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
] as const;

function hopOf(p: AccountPrincipal, e: Evaluation, action: string, resource: string): AccessPathHop {
  return { principal: p.arn, via: via(e.statements), action, resource };
}

function resourcesOf(e: Evaluation): string {
  const r = e.statements.find((s) => s.layer === 'identity')?.resources ?? [];
  return r.length > 0 ? r.join(', ') : '*';
}

function classify(account: AccountIam, role: AccountPrincipal): RolePowers {
  const found: Power[] = [];
  const unknown = new Set<string>();
  const ask = (action: string, resource: ResourceQuery): Evaluation | undefined => {
    const e = account.can(role, action, resource);
    if (e.decision === 'unknown') for (const u of e.unknown) unknown.add(`${role.arn} ${u}`);
    return grants(e) ? e : undefined;
  };
  const admin = ask('iam:*', ALL);
  if (admin) {
    found.push({
      reaches: 'admin-equivalent',
      what: 'iam:* on *',
      hops: [hopOf(role, admin, 'iam:*', '*')],
      conditions: admin.conditions,
    });
    // Everything else follows from it; listing each escalation would only bury the one line that matters.
    if (admin.decision === 'allow') return { role: role.arn, level: 'admin-equivalent', found, unknown: [...unknown] };
  }
  for (const action of ESCALATING_IAM_ACTIONS) {
    const e = ask(action, SOME);
    if (e)
      found.push({
        reaches: 'privilege-escalation',
        what: action,
        hops: [hopOf(role, e, action, resourcesOf(e))],
        conditions: e.conditions,
      });
  }
  const pass = ask('iam:PassRole', SOME);
  if (pass) {
    for (const action of RUNS_CODE_WITH_PASSED_ROLE) {
      const e = ask(action, SOME);
      if (!e) continue;
      found.push({
        reaches: 'privilege-escalation',
        what: `iam:PassRole + ${action}`,
        hops: [hopOf(role, pass, 'iam:PassRole', resourcesOf(pass)), hopOf(role, e, action, resourcesOf(e))],
        conditions: [...new Set([...pass.conditions, ...e.conditions])],
      });
    }
  }
  for (const action of BROAD_DATA_ACTIONS) {
    const e = ask(action, ALL);
    if (e)
      found.push({
        reaches: 'data-access',
        what: `${action} on *`,
        hops: [hopOf(role, e, action, '*')],
        conditions: e.conditions,
      });
  }
  return { role: role.arn, level: levelOf(found), found, unknown: [...unknown] };
}

const LEVELS: PowerLevel[] = ['admin-equivalent', 'privilege-escalation', 'data-access'];

function levelOf(found: readonly Power[]): PowerLevel {
  return LEVELS.find((l) => found.some((f) => f.reaches === l)) ?? 'none';
}

// --- who can become cluster-admin -----------------------------------------------------------------------------------

export interface ClusterAdminPaths {
  /** Principals holding cluster-admin now (EKS.ACCESS.3's reading of access entries and aws-auth). */
  holders: { principalArn: string; via: string[] }[];
  /** Principals that can grant cluster access through the EKS API, holders excluded. */
  grants: AccessPath[];
  /** Principals that can assume (transitively) a role that holds or can grant cluster-admin. */
  assumes: AccessPath[];
  /** Policies that could not be read on the way (`principal policy`): a gap in `grants`. */
  grantUnknown: string[];
  /** The same for `assumes` (trust policies, and the grants it builds on). */
  assumeUnknown: string[];
}

/** The ARN of an access entry of this cluster, as IAM policies name it, for a principal that has none yet. */
export function newAccessEntryArn(s: EksClusterSnapshot): string {
  const [, partition = 'aws'] = s.arn.split(':');
  return `arn:${partition}:eks:${s.region}:${s.accountId}:access-entry/${s.name}/role/${s.accountId}/kubeposture-new-entry/00000000-0000-0000-0000-000000000000`;
}

function kindOf(p: AccountPrincipal): 'iam-user' | 'iam-role' {
  return p.kind === 'user' ? 'iam-user' : 'iam-role';
}

/** Who holds, can grant, or can assume their way to cluster-admin of the cluster; once per snapshot. */
export const clusterAdminPaths: (s: EksClusterSnapshot) => ClusterAdminPaths | undefined = memoizeByObject(
  (s: EksClusterSnapshot) => {
    if (!s.iamAuthorization) return undefined;
    const account = accountIamOf(s.iamAuthorization);
    const holders = clusterAdmins(s);
    const holderKeys = new Set(holders.map((h) => principalKey(h.principalArn)));
    const unknown = new Set<string>();
    const entryArn = newAccessEntryArn(s);
    const grantPaths: AccessPath[] = [];
    /** Roles that hold or can grant, with the hops that finish a path from them. */
    const targets = new Map<string, { hops: AccessPathHop[]; conditions: string[]; reaches: string }>();
    for (const h of holders) {
      const p = account.principal(h.principalArn);
      if (p?.kind === 'role') {
        targets.set(p.arn, {
          hops: [{ principal: p.arn, via: h.via.join('; '), action: 'eks:AccessKubernetesApi', resource: s.arn }],
          conditions: [],
          reaches: 'cluster-admin',
        });
      }
    }
    const ask = (p: AccountPrincipal, action: string, resource: string): Evaluation | undefined => {
      const e = account.can(p, action, resource);
      if (e.decision === 'unknown') for (const u of e.unknown) unknown.add(`${p.arn} ${u}`);
      return grants(e) ? e : undefined;
    };
    const mayCreate = account.mayEver('eks:CreateAccessEntry');
    const mayUpdate = account.mayEver('eks:UpdateAccessEntry');
    const mayConfigure = account.mayEver('eks:UpdateClusterConfig');
    for (const p of account.principals) {
      if (!mayCreate.has(p) && !mayUpdate.has(p) && !mayConfigure.has(p)) continue;
      if (holderKeys.has(principalKey(p.arn))) continue;
      const routes: { hops: AccessPathHop[]; conditions: string[]; reaches: string }[] = [];
      const create = ask(p, 'eks:CreateAccessEntry', s.arn);
      const associate = create ? ask(p, 'eks:AssociateAccessPolicy', entryArn) : undefined;
      if (create && associate) {
        routes.push({
          reaches: 'cluster-admin',
          hops: [
            hopOf(p, create, 'eks:CreateAccessEntry', s.arn),
            hopOf(p, associate, 'eks:AssociateAccessPolicy', `${s.arn.replace(':cluster/', ':access-entry/')}/*`),
          ],
          conditions: [...new Set([...create.conditions, ...associate.conditions])],
        });
      }
      const update = ask(p, 'eks:UpdateAccessEntry', entryArn);
      if (update) {
        routes.push({
          reaches: 'cluster-access',
          hops: [hopOf(p, update, 'eks:UpdateAccessEntry', `${s.arn.replace(':cluster/', ':access-entry/')}/*`)],
          conditions: update.conditions,
        });
      }
      const config = ask(p, 'eks:UpdateClusterConfig', s.arn);
      if (config) {
        routes.push({
          reaches: 'cluster-access',
          hops: [hopOf(p, config, 'eks:UpdateClusterConfig', s.arn)],
          conditions: config.conditions,
        });
      }
      for (const r of routes) {
        grantPaths.push({
          subject: p.arn,
          subjectKind: kindOf(p),
          reaches: r.reaches,
          hops: r.hops,
          conditions: r.conditions,
        });
      }
      // A role that can grant itself admin is as good as a holder for whoever can assume it.
      const best = routes.find((r) => r.reaches === 'cluster-admin') ?? routes[0];
      if (best && p.kind === 'role' && !targets.has(p.arn)) targets.set(p.arn, best);
    }
    const grantUnknown = [...unknown];
    const assumes = assumePaths(account, targets, holderKeys, unknown);
    return { holders, grants: grantPaths, assumes, grantUnknown, assumeUnknown: [...unknown] };
  },
);

/** Breadth-first from the target roles back along `sts:AssumeRole`: each subject once, by its shortest chain. */
function assumePaths(
  account: AccountIam,
  targets: Map<string, { hops: AccessPathHop[]; conditions: string[]; reaches: string }>,
  holderKeys: ReadonlySet<string>,
  unknown: Set<string>,
): AccessPath[] {
  const paths: AccessPath[] = [];
  // Holders and the targets themselves already have the power: no path to report from them.
  const reported = new Set<string>([...holderKeys, ...[...targets.keys()].map(principalKey)]);
  let frontier = [...targets].map(([arn, t]) => ({ arn, ...t }));
  for (let depth = 0; depth < MAX_ASSUME_DEPTH && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      const role = account.principal(f.arn);
      if (!role) continue;
      const a = account.assumersOf(role);
      for (const u of a.unknown) unknown.add(u);
      for (const x of a.assumers) {
        const key = principalKey(x.subject);
        if (reported.has(key)) continue;
        reported.add(key);
        const hops = [x.hop, ...f.hops];
        const conditions = [...new Set([...x.conditions, ...f.conditions])];
        paths.push({ subject: x.subject, subjectKind: x.subjectKind, reaches: f.reaches, hops, conditions });
        if (x.subjectKind === 'iam-role') next.push({ arn: x.subject, hops, conditions, reaches: f.reaches });
      }
    }
    frontier = next;
  }
  return paths;
}

/** Principals that can hand any role they may pass to the cluster's pods: eks:CreatePodIdentityAssociation + iam:PassRole. */
export const podIdentityHandover: (s: EksClusterSnapshot) => { paths: AccessPath[]; unknown: string[] } | undefined =
  memoizeByObject((s: EksClusterSnapshot) => {
    if (!s.iamAuthorization) return undefined;
    const account = accountIamOf(s.iamAuthorization);
    const unknown = new Set<string>();
    const paths: AccessPath[] = [];
    const mayCreate = account.mayEver('eks:CreatePodIdentityAssociation');
    const mayPass = account.mayEver('iam:PassRole');
    for (const p of account.principals) {
      if (!mayCreate.has(p) || !mayPass.has(p)) continue;
      const create = account.can(p, 'eks:CreatePodIdentityAssociation', s.arn);
      const pass = account.can(p, 'iam:PassRole', SOME);
      for (const e of [create, pass])
        if (e.decision === 'unknown') for (const u of e.unknown) unknown.add(`${p.arn} ${u}`);
      if (!grants(create) || !grants(pass)) continue;
      paths.push({
        subject: p.arn,
        subjectKind: kindOf(p),
        reaches: 'pod-role-handover',
        hops: [
          hopOf(p, create, 'eks:CreatePodIdentityAssociation', s.arn),
          hopOf(p, pass, 'iam:PassRole', resourcesOf(pass)),
        ],
        conditions: [...new Set([...create.conditions, ...pass.conditions])],
      });
    }
    return { paths, unknown: [...unknown] };
  });

// --- what a pod can become ------------------------------------------------------------------------------------------

export interface PodRole {
  /** The pods: `namespace/serviceaccount` (Pod Identity, IRSA), or `pods on node group x` (node role). */
  subjects: string[];
  subjectKind: 'pod' | 'node';
  roleArn: string;
  /** How the pods get the role: `pod identity association a-123`, `IRSA trust`, `IMDS: hop limit 2`. */
  how: string;
  action: string;
}

/** `system:serviceaccount:ns:sa` → `ns/sa`; wildcards as written. */
function serviceAccountOf(sub: string): string {
  const m = /^system:serviceaccount:([^:]+):(.+)$/.exec(sub);
  return m ? `${m[1]}/${m[2]}` : sub;
}

/** The roles the cluster's pods get through EKS Pod Identity and IRSA. */
export function podRoles(s: EksClusterSnapshot): PodRole[] {
  const out: PodRole[] = [];
  for (const a of s.podIdentityAssociations) {
    if (!a.roleArn) continue;
    const subject = `${a.namespace ?? '?'}/${a.serviceAccount ?? '?'}`;
    out.push({
      subjects: [subject],
      subjectKind: 'pod',
      roleArn: a.roleArn,
      how: `pod identity association ${a.associationId ?? a.associationArn ?? '?'}`,
      action: 'eks-auth:AssumeRoleForPodIdentity',
    });
    if (a.targetRoleArn) {
      out.push({
        subjects: [subject],
        subjectKind: 'pod',
        roleArn: a.targetRoleArn,
        how: `pod identity association ${a.associationId ?? '?'} (target role, chained from ${a.roleArn})`,
        action: 'sts:AssumeRole',
      });
    }
  }
  for (const r of irsaRolesOf(s).roles) {
    const subs = r.trust.subjects.flatMap((x) => x.values);
    const unconstrained = r.trust.subjects.some((x) => x.values.length === 0);
    out.push({
      subjects: unconstrained || subs.length === 0 ? ['any service account'] : [...new Set(subs.map(serviceAccountOf))],
      subjectKind: 'pod',
      roleArn: r.role.arn,
      how: 'IRSA (web identity trust on the cluster OIDC provider)',
      action: 'sts:AssumeRoleWithWebIdentity',
    });
  }
  return out;
}

export interface NodeRoleReach {
  /** `node group general`, `self-managed node i-0123`. */
  node: string;
  roleArn?: string;
  /** An instance profile whose role is not in the account's IAM data. */
  instanceProfileArn?: string;
  /** Why pods reach the node's credentials (IMDS), or why not. */
  reachable: boolean;
  why: string;
}

interface MetadataOptions {
  HttpTokens?: string;
  HttpPutResponseHopLimit?: number;
  HttpEndpoint?: string;
}

/**
 * Whether pods reach the node's IMDS credentials, by the same metadata options EKS.NODES.6 judges: endpoint
 * disabled: no; IMDSv1 allowed: yes (a GET needs no token); a hop limit of 2 or more: yes. A launch template that
 * leaves the hop limit unset takes the AMI's default (2 on the EKS AL2023 AMIs), so that counts as reachable.
 */
export function imdsReach(o: MetadataOptions | undefined, defaultNote: string): { reachable: boolean; why: string } {
  if (!o) return { reachable: true, why: defaultNote };
  if (o.HttpEndpoint === 'disabled') return { reachable: false, why: 'instance metadata endpoint disabled' };
  if (o.HttpTokens !== 'required') {
    return { reachable: true, why: `IMDSv1 allowed (HttpTokens ${o.HttpTokens ?? 'not set'})` };
  }
  const hops = o.HttpPutResponseHopLimit;
  if (hops === undefined) return { reachable: true, why: 'hop limit not set (the EKS AL2023 AMIs default to 2)' };
  if (hops > 1) return { reachable: true, why: `IMDSv2 with hop limit ${hops}` };
  return { reachable: false, why: 'IMDSv2 required with hop limit 1' };
}

function nodegroupReach(s: EksClusterSnapshot, ng: Nodegroup): NodeRoleReach {
  const node = `node group ${ng.nodegroupName ?? '?'}`;
  const role = ng.nodeRole ? { roleArn: ng.nodeRole } : {};
  const found = launchTemplateOf(s, ng);
  if (!found) {
    // EKS's own launch template for a managed node group sets IMDSv2 with a hop limit of 2.
    return { node, ...role, ...imdsReach(undefined, "EKS's default launch template (IMDSv2, hop limit 2)") };
  }
  if ('gone' in found) return { node, ...role, reachable: true, why: 'its launch template version was not found' };
  return {
    node,
    ...role,
    ...imdsReach(found.template.LaunchTemplateData?.MetadataOptions ?? {}, ''),
  };
}

/** The node roles of the cluster, and whether pods can reach each through IMDS. */
export function nodeRoleReach(s: EksClusterSnapshot): NodeRoleReach[] {
  const out: NodeRoleReach[] = s.nodegroups.map((ng) => nodegroupReach(s, ng));
  const account = s.iamAuthorization ? accountIamOf(s.iamAuthorization) : undefined;
  for (const i of s.selfManagedNodes) {
    const node = `self-managed node ${i.InstanceId ?? '?'}`;
    const profile = i.IamInstanceProfile?.Arn;
    const role = profile ? account?.roleOfInstanceProfile(profile) : undefined;
    out.push({
      node,
      ...(role ? { roleArn: role.arn } : profile ? { instanceProfileArn: profile } : {}),
      ...imdsReach(i.MetadataOptions ?? {}, ''),
    });
  }
  return out;
}

/** Paths from pods through a role to what the role can do: one per subject and power found. */
export function podPowerPaths(
  account: AccountIam,
  r: { subjects: readonly string[]; subjectKind: string; roleArn: string; how: string; action: string },
): { powers: RolePowers | undefined; paths: AccessPath[] } {
  const role = account.principal(r.roleArn);
  if (!role) return { powers: undefined, paths: [] };
  const powers = account.powers(role);
  const paths: AccessPath[] = [];
  for (const subject of r.subjects) {
    for (const f of powers.found) {
      paths.push({
        subject,
        subjectKind: r.subjectKind,
        reaches: f.reaches,
        hops: [{ principal: subject, via: r.how, action: r.action, resource: role.arn }, ...f.hops],
        conditions: f.conditions,
      });
    }
  }
  return { powers, paths };
}

/** Node roles' managed policies that give pods on the node nothing beyond running as a node. */
export const NODE_ROLE_BASELINE = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKSWorkerNodeMinimalPolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEC2ContainerRegistryPullOnly',
] as const;

/** Whether a managed policy ARN is one of AWS's node baseline policies. */
export function isNodeBaseline(policyArn: string): boolean {
  const m = /^arn:[\w-]+:iam::aws:policy\/(.+)$/.exec(policyArn);
  return m ? (NODE_ROLE_BASELINE as readonly string[]).includes(m[1]!) : false;
}

// --- per cluster: pods and nodes ------------------------------------------------------------------------------------

export interface PodRoleReport {
  roleArn: string;
  subjects: string[];
  how: string;
  level: PowerLevel;
  found: string[];
}

export interface PodPaths {
  roles: PodRoleReport[];
  paths: AccessPath[];
  /** Policies that could not be read, and roles whose IAM is not in this account's data. */
  unknown: string[];
  /** Same-account roles named by an association or a node that the account does not have (deleted). */
  missingRoles: string[];
}

function powerPaths(
  account: AccountIam,
  sources: readonly {
    subjects: readonly string[];
    subjectKind: string;
    roleArn: string;
    how: string;
    action: string;
  }[],
): PodPaths {
  const out: PodPaths = { roles: [], paths: [], unknown: [], missingRoles: [] };
  const unknown = new Set<string>();
  for (const r of sources) {
    const { powers, paths } = podPowerPaths(account, r);
    if (!powers) {
      if (accountOfArn(r.roleArn) === account.accountId) out.missingRoles.push(r.roleArn);
      else unknown.add(`${r.roleArn} (another account's role: its policies are not in this account's data)`);
      continue;
    }
    for (const u of powers.unknown) unknown.add(u);
    out.paths.push(...paths);
    out.roles.push({
      roleArn: r.roleArn,
      subjects: [...r.subjects],
      how: r.how,
      level: powers.level,
      found: powers.found.map((f) => f.what),
    });
  }
  out.unknown = [...unknown];
  return out;
}

function accountOfArn(arn: string): string | undefined {
  return /^arn:[\w-]+:iam::(\d{12}):/.exec(arn)?.[1];
}

/** What the cluster's Pod Identity and IRSA roles can do, path by path; once per snapshot. */
export const podRolePaths: (s: EksClusterSnapshot) => PodPaths | undefined = memoizeByObject((s: EksClusterSnapshot) =>
  s.iamAuthorization ? powerPaths(accountIamOf(s.iamAuthorization), podRoles(s)) : undefined,
);

export interface NodePaths extends PodPaths {
  reach: NodeRoleReach[];
  /** Per reachable node role: the policies beyond AWS's node baseline. */
  extras: { roleArn: string; nodes: string[]; policies: string[] }[];
}

/** The node roles pods can reach through IMDS, what they hold beyond the node baseline and what that lets pods do. */
export const nodeRolePaths: (s: EksClusterSnapshot) => NodePaths | undefined = memoizeByObject(
  (s: EksClusterSnapshot) => {
    if (!s.iamAuthorization) return undefined;
    const account = accountIamOf(s.iamAuthorization);
    const reach = nodeRoleReach(s);
    const byRole = new Map<string, { nodes: string[]; why: string[] }>();
    const unknown: string[] = [];
    for (const r of reach) {
      if (!r.reachable) continue;
      if (!r.roleArn) {
        if (r.instanceProfileArn)
          unknown.push(`${r.instanceProfileArn} (instance profile of ${r.node}: no role of the account carries it)`);
        continue;
      }
      const entry = byRole.get(r.roleArn) ?? { nodes: [], why: [] };
      entry.nodes.push(r.node);
      entry.why.push(r.why);
      byRole.set(r.roleArn, entry);
    }
    const extras: NodePaths['extras'] = [];
    const sources = [];
    for (const [roleArn, { nodes, why }] of byRole) {
      const role = account.principal(roleArn);
      const policies = role
        ? [
            ...role.attachedPolicyArns.filter((a) => !isNodeBaseline(a)),
            ...role.inlinePolicyNames.map((n) => `inline:${n}`),
          ]
        : [];
      if (role && policies.length === 0) continue;
      if (role) extras.push({ roleArn, nodes, policies });
      sources.push({
        subjects: nodes.map((n) => `pods on ${n}`),
        subjectKind: 'node',
        roleArn,
        how: `instance metadata (${[...new Set(why)].join('; ')})`,
        action: 'imds:GetCredentials',
      });
    }
    const p = powerPaths(account, sources);
    return { ...p, unknown: [...unknown, ...p.unknown], reach, extras };
  },
);

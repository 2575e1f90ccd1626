/**
 * A small IAM policy evaluator, pure, for the privilege-path checks (issue 13). It follows AWS's documented policy
 * evaluation logic for one account: an explicit Deny wins; otherwise some identity policy must Allow, and each ceiling
 * that exists (the permissions boundary; the SCPs of every level from the organization root to the account) must
 * Allow too. `Action`/`NotAction` and `Resource`/`NotResource` take `*` and `?` wildcards; actions match
 * case-insensitively, resources case-sensitively. Resource-based trust policies (who may `sts:AssumeRole` a role) are
 * read by `trustGrants`.
 *
 * A condition is never assumed true or false: an Allow under a `Condition` makes the grant `conditional` (the condition
 * is recorded), and a Deny under a condition does not remove an Allow (the result is `conditional`, with the Deny's
 * condition recorded). A policy that could not be parsed makes the evaluation `unknown`, naming it, unless an
 * unconditional Deny already decides: the checks turn `unknown` into ERROR, never PASS.
 */
import type { IamPolicyDocument } from '../../core/snapshot.ts';
import { memoize, memoizeByObject } from './memo.ts';

export type Decision = 'allow' | 'conditional' | 'deny' | 'implicit-deny' | 'unknown';

/** One parsed statement. `actions` xor `notActions`; `resources` xor `notResources` (none: a trust policy's implicit self). */
export interface Statement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: readonly string[];
  notActions?: readonly string[];
  resources?: readonly string[];
  notResources?: readonly string[];
  /** Trust and other resource policies: `Principal` / `NotPrincipal`, as `AWS`, `Service`, `Federated` lists or `*`. */
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  /** The `Condition` block as compact JSON; undefined when the statement has none. */
  condition?: string;
}

export interface PrincipalSpec {
  any: boolean;
  aws: readonly string[];
  service: readonly string[];
  federated: readonly string[];
}

/** A policy as the evaluator reads it: its label (`inline:deploy#…`, a managed policy ARN) and its statements. */
export interface Policy {
  /** How evidence names it: `inline:deploy-admin`, `group:ops/inline:x`, `arn:aws:iam::aws:policy/AdministratorAccess`, `scp:p-1234`. */
  name: string;
  /** Undefined: the document could not be parsed (the evaluation is `unknown`, naming it). */
  statements: readonly Statement[] | undefined;
  /** Why it could not be read, when `statements` is undefined. */
  problem?: string;
}

/** A ceiling: every action must be allowed by at least one of its policies (a boundary, or the SCPs of one level). */
export interface Ceiling {
  kind: 'permissions-boundary' | 'scp';
  /** The boundary ARN, or the SCP target (root, OU, account id). */
  name: string;
  policies: readonly Policy[];
}

/** What a principal's permissions are made of. */
export interface PolicySet {
  identity: readonly Policy[];
  ceilings: readonly Ceiling[];
}

/**
 * The resource the question is about: an ARN, or `ALL` ("on `*`": only a statement that covers every resource of the
 * service counts, and only such a Deny removes it), or `SOME` ("on at least one resource": any Allow counts, only a Deny
 * on every resource removes it).
 */
export const ALL = Symbol('every resource');
export const SOME = Symbol('some resource');
export type ResourceQuery = string | typeof ALL | typeof SOME;

export interface MatchedStatement {
  policy: string;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Where it applied: identity, a boundary, an SCP, a trust policy. */
  layer: 'identity' | 'permissions-boundary' | 'scp' | 'trust';
  condition?: string;
  /** The statement's resource patterns (NotResource prefixed with `not:`), for evidence. */
  resources: readonly string[];
}

export interface Evaluation {
  decision: Decision;
  /** The statements that decided: the Allows that grant (one per layer), or the Deny that refuses. */
  statements: MatchedStatement[];
  /** Conditions the grant depends on (Allow conditions, and conditional Denies that may take it away). */
  conditions: string[];
  /** Policies that could not be parsed and would have been read; non-empty iff `decision` is `unknown`. */
  unknown: string[];
  /** A ceiling with no Allow for the action, when that is why the decision is `implicit-deny`. */
  missingCeiling?: string;
}

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function principalSpec(v: unknown): PrincipalSpec | undefined {
  if (v === '*') return { any: true, aws: ['*'], service: [], federated: [] };
  const r = record(v);
  if (!r) return undefined;
  const aws = strings(r.AWS) ?? [];
  return { any: aws.includes('*'), aws, service: strings(r.Service) ?? [], federated: strings(r.Federated) ?? [] };
}

/** Thrown for a document IAM would not have accepted; `parsePolicy` turns it into a problem naming the policy. */
class PolicyShapeError extends Error {}

function parseStatement(raw: unknown, index: number): Statement {
  const st = record(raw);
  if (!st) throw new PolicyShapeError(`Statement[${index}] is not an object`);
  const effect = st.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyShapeError(`Statement[${index}].Effect is ${JSON.stringify(effect)}`);
  const out: Statement = { index, effect };
  if (typeof st.Sid === 'string' && st.Sid) out.sid = st.Sid;
  const field = (name: string): string[] | undefined => {
    if (!(name in st)) return undefined;
    const v = strings(st[name]);
    if (!v) throw new PolicyShapeError(`Statement[${index}].${name} is not a string or a list of strings`);
    return v;
  };
  const actions = field('Action');
  const notActions = field('NotAction');
  if (!actions === !notActions)
    throw new PolicyShapeError(`Statement[${index}] needs exactly one of Action and NotAction`);
  if (actions) out.actions = actions;
  if (notActions) out.notActions = notActions;
  const resources = field('Resource');
  const notResources = field('NotResource');
  if (resources && notResources) throw new PolicyShapeError(`Statement[${index}] has both Resource and NotResource`);
  if (resources) out.resources = resources;
  if (notResources) out.notResources = notResources;
  if ('Principal' in st) {
    const p = principalSpec(st.Principal);
    if (!p) throw new PolicyShapeError(`Statement[${index}].Principal is malformed`);
    out.principal = p;
  }
  if ('NotPrincipal' in st) {
    const p = principalSpec(st.NotPrincipal);
    if (!p) throw new PolicyShapeError(`Statement[${index}].NotPrincipal is malformed`);
    out.notPrincipal = p;
  }
  if (st.Condition !== undefined) {
    const c = record(st.Condition);
    if (!c) throw new PolicyShapeError(`Statement[${index}].Condition is not an object`);
    if (Object.keys(c).length > 0) out.condition = JSON.stringify(c);
  }
  return out;
}

const parseDocument = memoizeByObject((doc: IamPolicyDocument): { statements?: Statement[]; problem?: string } => {
  try {
    const raw = doc.Statement;
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    return { statements: list.map(parseStatement) };
  } catch (e) {
    if (e instanceof PolicyShapeError) return { problem: e.message };
    throw e;
  }
});

/**
 * A policy from its document: `undefined` (the collector could not parse it) or a statement IAM would not accept makes
 * a policy with no statements and a `problem`; evaluations that read it say `unknown`. Parsed once per document.
 */
export function parsePolicy(name: string, doc: IamPolicyDocument | undefined, problem?: string): Policy {
  if (!doc) return { name, statements: undefined, problem: problem ?? 'the document could not be parsed' };
  const parsed = parseDocument(doc);
  return parsed.statements
    ? { name, statements: parsed.statements }
    : { name, statements: undefined, problem: parsed.problem ?? 'malformed' };
}

/** A pattern with `*` and `?` as a regular expression; `i`: case-insensitive (actions). Compiled once per pattern. */
const compile = memoize((key: string): RegExp => {
  const flags = key[0] === 'i' ? 'i' : '';
  const body = key
    .slice(1)
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
});

/** Whether an IAM wildcard pattern matches a value; actions (`ignoreCase`) match case-insensitively. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  if (pattern === '*') return true;
  return compile(`${ignoreCase ? 'i' : 's'}${pattern}`).test(value);
}

/** A policy variable (`${aws:username}`) stands for a value known only at request time: matched as `*`, recorded. */
const POLICY_VARIABLE = /\$\{[^}]*\}/g;

/**
 * Whether a resource pattern covers every resource: `*`, or an ARN whose resource part is only wildcards after an
 * optional resource type (`arn:aws:s3:::*`, `arn:aws:secretsmanager:*:*:secret:*`, `arn:aws:ssm:eu-west-1:1:parameter/*`).
 */
export function coversAll(pattern: string): boolean {
  return pattern === '*' || coversAllArn(pattern);
}

const coversAllArn = memoize((pattern: string): boolean => {
  const parts = pattern.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  const rest = parts.slice(5).join(':');
  // S3 ARNs have no resource type: `bucket/*` is one bucket.
  if (parts[2] === 's3') return /^[*/]*\*$/.test(rest);
  return /^([A-Za-z0-9_-]+[:/])?[*/]*\*$/.test(rest);
});

function anyMatch(patterns: readonly string[], value: string, ignoreCase: boolean): boolean {
  for (const p of patterns) if (wildcardMatch(p, value, ignoreCase)) return true;
  return false;
}

function anyCoversAll(patterns: readonly string[]): boolean {
  for (const p of patterns) if (coversAll(p)) return true;
  return false;
}

function matchesAction(s: Statement, action: string): boolean {
  if (s.actions) return anyMatch(s.actions, action, true);
  return !anyMatch(s.notActions ?? [], action, true);
}

/** Resource match: no, yes, or yes only through a policy variable (then conditional). Plain loops: a hot path. */
const NO = 0;
const YES = 1;
const VIA_VARIABLE = 2;

function plainMatch(patterns: readonly string[], resource: string): boolean {
  for (const p of patterns) if (!p.includes('${') && wildcardMatch(p, resource)) return true;
  return false;
}

function variableMatch(patterns: readonly string[], resource: string): boolean {
  for (const p of patterns)
    if (p.includes('${') && wildcardMatch(p.replace(POLICY_VARIABLE, '*'), resource)) return true;
  return false;
}

function matchesResource(s: Statement, resource: ResourceQuery): number {
  if (!s.resources && !s.notResources) return YES; // trust policies: the role itself
  if (resource === ALL || resource === SOME) {
    if (s.resources) {
      // SOME: an Allow on any resource grants some; otherwise a statement counts only when it covers everything.
      if (resource === SOME && s.effect === 'Allow') return s.resources.length > 0 ? YES : NO;
      return anyCoversAll(s.resources) ? YES : NO;
    }
    // NotResource: everything but the listed resources. A Deny of that kind leaves those, so it never removes SOME.
    if (resource === SOME && s.effect === 'Deny') return NO;
    return anyCoversAll(s.notResources ?? []) ? NO : YES;
  }
  if (s.resources) {
    if (plainMatch(s.resources, resource)) return YES;
    return variableMatch(s.resources, resource) ? VIA_VARIABLE : NO;
  }
  const not = s.notResources ?? [];
  // A NotResource with a variable excludes only at request time: not assumed to exclude, recorded instead.
  if (plainMatch(not, resource)) return NO;
  return variableMatch(not, resource) ? VIA_VARIABLE : YES;
}

function matched(p: Policy, s: Statement, layer: MatchedStatement['layer'], extraCondition?: string): MatchedStatement {
  const condition =
    s.condition && extraCondition ? `${s.condition} AND ${extraCondition}` : (s.condition ?? extraCondition);
  const m: MatchedStatement = {
    policy: p.name,
    index: s.index,
    effect: s.effect,
    layer,
    resources: s.resources ?? (s.notResources ?? []).map((r) => `not:${r}`),
  };
  if (s.sid) m.sid = s.sid;
  if (condition) m.condition = condition;
  return m;
}

interface LayerVerdict {
  /** Unconditional Deny statements. */
  denies: MatchedStatement[];
  conditionalDenies: MatchedStatement[];
  allows: MatchedStatement[];
  conditionalAllows: MatchedStatement[];
  unknown: string[];
}

function newVerdict(): LayerVerdict {
  return { denies: [], conditionalDenies: [], allows: [], conditionalAllows: [], unknown: [] };
}

/** What a layer with no applicable statement says: shared, never written (scan makes a new verdict on a match). */
const NOTHING: LayerVerdict = Object.freeze({
  denies: Object.freeze([]) as unknown as MatchedStatement[],
  conditionalDenies: Object.freeze([]) as unknown as MatchedStatement[],
  allows: Object.freeze([]) as unknown as MatchedStatement[],
  conditionalAllows: Object.freeze([]) as unknown as MatchedStatement[],
  unknown: Object.freeze([]) as unknown as string[],
});

function add(v: LayerVerdict, m: MatchedStatement): void {
  if (m.effect === 'Deny') (m.condition ? v.conditionalDenies : v.denies).push(m);
  else (m.condition ? v.conditionalAllows : v.allows).push(m);
}

/** The statements of some policies that apply to the request; allocates only when one does (most questions: none). */
function scan(
  policies: readonly Policy[],
  layer: MatchedStatement['layer'],
  action: string,
  resource: ResourceQuery,
): LayerVerdict {
  let v: LayerVerdict | undefined;
  for (const p of policies) {
    if (!p.statements) {
      v ??= newVerdict();
      v.unknown.push(p.name);
      continue;
    }
    for (const s of p.statements) {
      if (!matchesAction(s, action)) continue;
      const r = matchesResource(s, resource);
      if (r === NO) continue;
      v ??= newVerdict();
      add(v, matched(p, s, layer, r === VIA_VARIABLE ? 'resource matched through a policy variable' : undefined));
    }
  }
  return v ?? NOTHING;
}

export interface Request {
  action: string;
  resource: ResourceQuery;
}

/**
 * Whether a principal with these policies may perform `action` on `resource`, by AWS's evaluation logic for one
 * account (identity policies ∪, each ceiling ∩, explicit Deny first). `extraGrant`, when given, is an Allow from a
 * resource-based policy that suffices without an identity Allow (a trust policy naming the principal itself).
 */
export function evaluate(set: PolicySet, req: Request, extraGrant?: LayerVerdict): Evaluation {
  const identity = scan(set.identity, 'identity', req.action, req.resource);
  // Most questions end here: no identity statement applies, nothing else could grant.
  if (
    !extraGrant &&
    identity.allows.length === 0 &&
    identity.conditionalAllows.length === 0 &&
    identity.unknown.length === 0
  ) {
    return identity.denies.length > 0 ? denied(identity.denies[0]!) : IMPLICIT_DENY;
  }
  const layers: LayerVerdict[] = [identity];
  const ceilingVerdicts: LayerVerdict[] = [];
  for (const c of set.ceilings) {
    const v = scan(c.policies, c.kind === 'scp' ? 'scp' : 'permissions-boundary', req.action, req.resource);
    ceilingVerdicts.push(v);
    layers.push(v);
  }
  if (extraGrant) layers.push(extraGrant);
  for (const l of layers) if (l.denies.length > 0) return denied(l.denies[0]!);
  const unknown = new Set<string>();
  for (const l of layers) for (const u of l.unknown) unknown.add(u);
  if (unknown.size > 0) return { decision: 'unknown', statements: [], conditions: [], unknown: [...unknown] };
  const conditions = new Set<string>();
  const statements: MatchedStatement[] = [];
  // The grant: an identity Allow, or the resource policy's own (then identity policies need not allow).
  const granted =
    pick(identity, statements, conditions) || (extraGrant ? pick(extraGrant, statements, conditions) : false);
  if (!granted) return IMPLICIT_DENY;
  for (const [i, v] of ceilingVerdicts.entries()) {
    if (!pick(v, statements, conditions)) {
      return {
        decision: 'implicit-deny',
        statements: [],
        conditions: [],
        unknown: [],
        missingCeiling: set.ceilings[i]!.name,
      };
    }
  }
  for (const l of layers)
    for (const d of l.conditionalDenies) conditions.add(`unless Deny ${d.policy}#${d.index}: ${d.condition}`);
  return {
    decision: conditions.size > 0 ? 'conditional' : 'allow',
    statements,
    conditions: [...conditions],
    unknown: [],
  };
}

/** The layer's best Allow (unconditional first) into `statements`; its conditions when only conditional ones apply. */
function pick(l: LayerVerdict, statements: MatchedStatement[], conditions: Set<string>): boolean {
  const best = l.allows[0] ?? l.conditionalAllows[0];
  if (!best) return false;
  statements.push(best);
  if (!l.allows[0]) for (const a of l.conditionalAllows) if (a.condition) conditions.add(a.condition);
  return true;
}

/** No statement grants: shared, read-only. */
const IMPLICIT_DENY: Evaluation = Object.freeze({
  decision: 'implicit-deny',
  statements: Object.freeze([]) as unknown as MatchedStatement[],
  conditions: Object.freeze([]) as unknown as string[],
  unknown: Object.freeze([]) as unknown as string[],
}) as Evaluation;

function denied(m: MatchedStatement): Evaluation {
  return { decision: 'deny', statements: [m], conditions: [], unknown: [] };
}

/** Whether an evaluation grants the action, conditionally or not. */
export function grants(e: Evaluation): boolean {
  return e.decision === 'allow' || e.decision === 'conditional';
}

/** An ARN's account id (`arn:aws:iam::111122223333:role/x` → `111122223333`), or a bare 12-digit id. */
export function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(principal)?.[1];
}

/** Who a trust policy's `Principal` lets in, for one candidate. */
export type TrustCandidate =
  /** An IAM role or user of the account; `kind` decides how a permissions boundary limits a grant to its ARN. */
  | { type: 'principal'; arn: string; accountId: string; kind: 'role' | 'user' }
  /** Every principal of another account, or of anyone (`*`), as far as their own account allows. */
  | { type: 'account'; accountId: string }
  | { type: 'anyone' };

export interface TrustGrant {
  /** `direct`: the trust names the principal (or `*`), enough by itself within the account; `account`: the identity policy must allow too. */
  how: 'direct' | 'account' | 'none' | 'denied' | 'unknown';
  verdict: LayerVerdict;
}

/**
 * Reads a role's trust policy for `sts:AssumeRole` by one candidate. The account root (`arn:aws:iam::ACCOUNT:root`)
 * or a bare account id delegates to that account's identity policies (`account`); `*` or the principal's own ARN
 * grants by itself (`direct`); an unconditional Deny that names the candidate refuses.
 */
export function trustGrants(trust: Policy, candidate: TrustCandidate, action = 'sts:AssumeRole'): TrustGrant {
  if (!trust.statements) {
    const verdict = newVerdict();
    verdict.unknown.push(trust.name);
    return { how: 'unknown', verdict };
  }
  let how: TrustGrant['how'] = 'none';
  let v: LayerVerdict | undefined;
  for (const s of trust.statements) {
    if (!matchesAction(s, action)) continue;
    let n: 'direct' | 'account' | undefined;
    let condition: string | undefined;
    if (s.principal) {
      n = names(s.principal, candidate);
      if (!n) continue;
    } else if (s.notPrincipal) {
      // NotPrincipal: everyone but those listed; a candidate not named is let in (or denied).
      if (names(s.notPrincipal, candidate)) continue;
      n = 'direct';
      condition = 'NotPrincipal: every principal not listed';
    } else {
      continue;
    }
    if (s.effect === 'Allow' && (how === 'none' || (how === 'account' && n === 'direct'))) how = n;
    v ??= newVerdict();
    add(v, matched(trust, s, 'trust', condition));
  }
  const verdict = v ?? NOTHING;
  if (verdict.denies.length > 0) return { how: 'denied', verdict };
  if (verdict.allows.length === 0 && verdict.conditionalAllows.length === 0) return { how: 'none', verdict };
  return { how, verdict };
}

const ACCOUNT_ROOT = /^arn:[\w-]+:iam::\d{12}:root$/;

/** How a Principal element names the candidate: itself or `*` (`direct`), its account (`account`), or not at all. */
function names(spec: PrincipalSpec, candidate: TrustCandidate): 'direct' | 'account' | undefined {
  if (spec.any) return 'direct';
  if (candidate.type === 'anyone') return undefined;
  for (const p of spec.aws) {
    if ((/^\d{12}$/.test(p) || ACCOUNT_ROOT.test(p)) && accountOf(p) === candidate.accountId) return 'account';
    if (candidate.type === 'principal' && p === candidate.arn) return 'direct';
  }
  return undefined;
}

/**
 * Whether `candidate` (an IAM principal of the role's account, with its policies) may assume the role: by the trust
 * policy alone when it names the principal, or by the trust naming the account and the identity policies allowing
 * `sts:AssumeRole` on the role. SCPs always apply; a permissions boundary limits a grant to a role ARN, not to a user
 * ARN (AWS's documented rule for resource-based policies).
 */
export function canAssume(
  set: PolicySet,
  candidate: Extract<TrustCandidate, { type: 'principal' }>,
  roleArn: string,
  trust: Policy,
): Evaluation {
  const t = trustGrants(trust, candidate);
  if (t.how === 'unknown') return { decision: 'unknown', statements: [], conditions: [], unknown: [trust.name] };
  if (t.how === 'denied')
    return { decision: 'deny', statements: t.verdict.denies.slice(0, 1), conditions: [], unknown: [] };
  if (t.how === 'none') return { decision: 'implicit-deny', statements: [], conditions: [], unknown: [] };
  const req = { action: 'sts:AssumeRole', resource: roleArn };
  // The trust's Allow must hold too: its conditions, and its conditional Denies, carry into the result.
  const trustConditions = [
    ...(t.verdict.allows.length > 0 ? [] : t.verdict.conditionalAllows.map((a) => a.condition ?? '')),
    ...t.verdict.conditionalDenies.map((d) => `unless Deny ${d.policy}#${d.index}: ${d.condition}`),
  ].filter(Boolean);
  const trustStatement = t.verdict.allows[0] ?? t.verdict.conditionalAllows[0];
  let e: Evaluation;
  if (t.how === 'direct') {
    const ceilings = candidate.kind === 'user' ? set.ceilings.filter((c) => c.kind === 'scp') : set.ceilings;
    e = evaluate({ identity: set.identity, ceilings }, req, t.verdict);
  } else {
    e = evaluate(set, req);
  }
  if (!grants(e)) return e;
  const conditions = [...new Set([...e.conditions, ...trustConditions])];
  const statements =
    trustStatement && !e.statements.includes(trustStatement) ? [...e.statements, trustStatement] : e.statements;
  return { decision: conditions.length > 0 ? 'conditional' : 'allow', statements, conditions, unknown: [] };
}

/** `policy#index` (with the Sid when it has one): how a hop's `via` names a statement. */
export function statementLabel(m: MatchedStatement): string {
  return `${m.policy}#${m.index}${m.sid ? ` (${m.sid})` : ''}`;
}

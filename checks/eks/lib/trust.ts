/**
 * Reading IAM trust policies the way IAM evaluates them, for the questions the identity checks ask:
 * may the EKS Pod Identity service assume this role, and which service accounts may assume it through
 * the cluster's OIDC provider (IRSA)? Only `Allow` statements grant; IAM lets a statement name one value
 * or a list wherever it takes a list, and condition keys are case-insensitive.
 */
import type { IamPolicyDocument } from '../../../core/snapshot.ts';
import { memoize, memoizeByObject } from '../../lib/memo.ts';

export interface TrustStatement {
  principals: { service: string[]; federated: string[]; aws: string[]; any: boolean };
  actions: string[];
  /** operator → condition key (lower-cased) → values. */
  conditions: Record<string, Record<string, string[]>>;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The Allow statements of a trust policy, normalized; once per document (several checks read the same roles). */
export function allowStatements(doc: IamPolicyDocument | undefined): readonly TrustStatement[] {
  return doc ? statementsOf(doc) : [];
}

const statementsOf = memoizeByObject((doc: IamPolicyDocument): readonly TrustStatement[] => {
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const out: TrustStatement[] = [];
  for (const item of raw) {
    const st = record(item);
    if (st.Effect !== 'Allow') continue;
    const principal = st.Principal;
    const p = record(principal);
    const conditions: TrustStatement['conditions'] = {};
    for (const [op, keys] of Object.entries(record(st.Condition))) {
      const byKey: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(record(keys))) byKey[k.toLowerCase()] = strings(v);
      conditions[op] = byKey;
    }
    out.push({
      principals: {
        service: strings(p.Service),
        federated: strings(p.Federated),
        aws: strings(p.AWS),
        any: principal === '*' || strings(p.AWS).includes('*'),
      },
      actions: strings(st.Action),
      conditions,
    });
  }
  return out;
});

/** An IAM action pattern with `*` / `?` wildcards as a regular expression, compiled once per pattern. */
const actionPattern = memoize(
  (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ),
);

/** Whether an action list grants `action`, honouring `*` and `service:*` wildcards. */
export function grantsAction(actions: readonly string[], action: string): boolean {
  const want = action.toLowerCase();
  return actions.some((a) => {
    const pattern = a.toLowerCase();
    if (!pattern.includes('*') && !pattern.includes('?')) return pattern === want;
    return actionPattern(pattern).test(want);
  });
}

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

/** What the EKS Pod Identity agent needs from a role's trust policy: sts:AssumeRole and sts:TagSession for its service. */
export function podIdentityTrust(doc: IamPolicyDocument | undefined): { assumeRole: boolean; tagSession: boolean } {
  const forService = allowStatements(doc).filter((s) => s.principals.service.includes(POD_IDENTITY_SERVICE));
  return {
    assumeRole: forService.some((s) => grantsAction(s.actions, 'sts:AssumeRole')),
    tagSession: forService.some((s) => grantsAction(s.actions, 'sts:TagSession')),
  };
}

export interface IrsaTrust {
  /** Allow statements whose Federated principal is the cluster's OIDC provider and that allow AssumeRoleWithWebIdentity. */
  statements: number;
  /** Per such statement: the `:sub` values that constrain it (none: any service account may assume the role). */
  subjects: { values: string[]; wildcard: boolean }[];
  /** Every such statement pins `:aud` to sts.amazonaws.com. */
  audiencePinned: boolean;
}

/** Operators that restrict a key to the values listed (a negated or existence operator does not). */
function constraining(op: string): boolean {
  const base = op.replace(/^ForAnyValue:|^ForAllValues:/, '').replace(/IfExists$/, '');
  return base === 'StringEquals' || base === 'StringLike' || base === 'StringEqualsIgnoreCase';
}

/** How a role's trust policy lets service accounts of the cluster with this OIDC issuer assume it. */
export function irsaTrust(doc: IamPolicyDocument | undefined, hostPath: string): IrsaTrust {
  const providerSuffix = `:oidc-provider/${hostPath}`.toLowerCase();
  const subKey = `${hostPath}:sub`.toLowerCase();
  const audKey = `${hostPath}:aud`.toLowerCase();
  const relevant = allowStatements(doc).filter(
    (s) =>
      s.principals.federated.some((f) => f.toLowerCase().endsWith(providerSuffix)) &&
      grantsAction(s.actions, 'sts:AssumeRoleWithWebIdentity'),
  );
  const subjects = relevant.map((s) => {
    const values: string[] = [];
    let wildcard = false;
    for (const [op, keys] of Object.entries(s.conditions)) {
      if (!constraining(op)) continue;
      const v = keys[subKey];
      if (!v) continue;
      values.push(...v);
      if (op.includes('StringLike') && v.some((x) => x.includes('*') || x.includes('?'))) wildcard = true;
    }
    return { values, wildcard };
  });
  const audiencePinned =
    relevant.length > 0 &&
    relevant.every((s) =>
      Object.entries(s.conditions).some(
        ([op, keys]) =>
          constraining(op) && (keys[audKey] ?? []).length > 0 && keys[audKey]!.every((a) => a === 'sts.amazonaws.com'),
      ),
    );
  return { statements: relevant.length, subjects, audiencePinned };
}

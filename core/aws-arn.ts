/** Parsing of the AWS identifiers that both collectors and checks reason about. */

export interface IamPrincipalRef {
  accountId: string;
  /** user, role, assumed-role (an STS session ARN), root (a whole account), or other. */
  kind: 'user' | 'role' | 'assumed-role' | 'root' | 'other';
  /** The name without the IAM path: what GetRole/GetUser take and what EKS matches on. */
  name: string;
}

/** Parses an IAM or STS principal ARN; paths are dropped (EKS and aws-auth match roles by name). */
export function principalOf(arn: string): IamPrincipalRef {
  const m = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.*)$/.exec(arn);
  if (!m) return { accountId: '', kind: 'other', name: arn };
  const [, service, accountId, resource] = m as unknown as [string, string, string, string];
  if (resource === 'root') return { accountId, kind: 'root', name: 'root' };
  const [type, ...rest] = resource.split('/');
  if (service === 'sts' && type === 'assumed-role') return { accountId, kind: 'assumed-role', name: rest[0] ?? '' };
  if (type === 'role' || type === 'user') return { accountId, kind: type, name: rest.at(-1) ?? '' };
  return { accountId, kind: 'other', name: resource };
}

/** `oidc.eks.eu-west-1.amazonaws.com/id/ABC` from the issuer URL: the form IAM uses in provider ARNs and condition keys. */
export function issuerHostPath(issuer: string | undefined): string | undefined {
  if (!issuer) return undefined;
  return issuer.replace(/^https:\/\//, '').replace(/\/+$/, '') || undefined;
}

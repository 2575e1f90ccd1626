import { issuerHostPath } from '../../../core/aws-arn.ts';
import type { EksClusterSnapshot, IamRoleFacts } from '../../../core/snapshot.ts';
import { memoizeByObject } from '../../lib/memo.ts';
import { type IrsaTrust, irsaTrust } from './trust.ts';

export interface IrsaRole {
  role: IamRoleFacts;
  trust: IrsaTrust;
}

export interface IrsaRoles {
  hostPath: string | undefined;
  roles: readonly IrsaRole[];
  unparsed: readonly string[];
}

/**
 * The roles that really trust this cluster's OIDC provider for web identity (not merely mention its issuer). Once per
 * snapshot: three checks ask; read-only.
 */
export const irsaRolesOf: (s: EksClusterSnapshot) => IrsaRoles = memoizeByObject((s: EksClusterSnapshot): IrsaRoles => {
  const hostPath = issuerHostPath(s.cluster?.identity?.oidc?.issuer);
  if (!hostPath) return { hostPath, roles: [], unparsed: [] };
  const roles: IrsaRole[] = [];
  const unparsed: string[] = [];
  for (const role of s.irsaRoles) {
    if (!role.trustPolicy) {
      unparsed.push(role.arn);
      continue;
    }
    const trust = irsaTrust(role.trustPolicy, hostPath);
    if (trust.statements > 0) roles.push({ role, trust });
  }
  // Frozen: the result is shared by the checks that ask (and may sit in their evidence).
  return { hostPath, roles: Object.freeze(roles), unparsed: Object.freeze(unparsed) };
});

import { issuerHostPath } from '../../../core/aws-arn.ts';
import type { EksClusterSnapshot, IamRoleFacts } from '../../../core/snapshot.ts';
import { type IrsaTrust, irsaTrust } from './trust.ts';

export interface IrsaRole {
  role: IamRoleFacts;
  trust: IrsaTrust;
}

/** The roles that really trust this cluster's OIDC provider for web identity (not merely mention its issuer). */
export function irsaRolesOf(s: EksClusterSnapshot): {
  hostPath: string | undefined;
  roles: IrsaRole[];
  unparsed: string[];
} {
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
  return { hostPath, roles, unparsed };
}

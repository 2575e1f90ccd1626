import type { IamPolicyDocument } from './snapshot.ts';

/**
 * An AWS account's IAM authorization, from `iam:GetAccountAuthorizationDetails` (paginated, read once per account per
 * scan) plus the default versions of the managed policies attached in it (issue 13: privilege paths). Shared by every
 * cluster snapshot of the account. Documents are decoded from IAM's URL-encoded JSON and parsed; one that could not be
 * parsed is `undefined` here and named in `problems`, so the evaluator reports a gap rather than guess.
 */
export interface IamAuthorization {
  accountId: string;
  roles: IamAuthRole[];
  users: IamAuthUser[];
  groups: IamAuthGroup[];
  /** Managed policies (customer and AWS managed) attached to any principal above, by ARN, with the default version's document. */
  managedPolicies: Record<string, IamManagedPolicy>;
  /**
   * Service control policies that apply to the account (from the organization root through its OUs to the account),
   * when the scan could read AWS Organizations. `undefined`: not read, so SCPs were not applied (reports say so).
   */
  serviceControlPolicies?: IamScp[];
  /** Why SCPs were not applied (no Organizations access, not in an organization, ...), when `serviceControlPolicies` is undefined. */
  serviceControlPoliciesNote?: string;
  /** Policies that could not be decoded or parsed: each is a gap in every path that would have read it. */
  problems: { policy: string; error: string }[];
}

export interface IamInlinePolicy {
  name: string;
  document: IamPolicyDocument | undefined;
}

interface IamAuthPrincipalBase {
  arn: string;
  name: string;
  path: string;
  inlinePolicies: IamInlinePolicy[];
  attachedPolicyArns: string[];
}

export interface IamAuthRole extends IamAuthPrincipalBase {
  /** The role's trust policy (who may assume it); `undefined` when it could not be parsed. */
  trustPolicy: IamPolicyDocument | undefined;
  permissionsBoundaryArn?: string;
  /**
   * ARNs of the instance profiles that carry the role (`RoleDetail.InstanceProfileList`): how a self-managed node's
   * instance profile leads to its role. Absent when not collected; then a profile is matched to the role of its name.
   */
  instanceProfileArns?: string[];
}

export interface IamAuthUser extends IamAuthPrincipalBase {
  /** Names of the groups the user is in. */
  groups: string[];
  permissionsBoundaryArn?: string;
}

export type IamAuthGroup = IamAuthPrincipalBase;

export interface IamManagedPolicy {
  arn: string;
  name: string;
  /** The default version's document; `undefined` when it could not be parsed (see `problems`). */
  document: IamPolicyDocument | undefined;
}

export interface IamScp {
  id: string;
  name: string;
  /** Where it is attached: the root, an OU or the account id. */
  target: string;
  document: IamPolicyDocument | undefined;
}

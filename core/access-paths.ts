/**
 * Evidence shape shared by the privilege-path checks (issue 13) and the "Access paths" report / `kubeposture paths`.
 * A path check puts `{ accessPaths: AccessPath[] }` in its result's evidence; the report reads only this shape, so
 * any cloud's path check (EKS IAM, AKS role assignments, GKE IAM bindings) shows up without the report knowing it.
 */
export interface AccessPath {
  /** Who starts the path: an IAM principal ARN, an Azure principal id, a GCP member, or a pod (`ns/serviceaccount`). */
  subject: string;
  /** The subject's kind, for display: `iam-user`, `iam-role`, `account-root`, `external-account`, `pod`, `node`, `azure-principal`, `gcp-member`. */
  subjectKind: string;
  /** What the path reaches: `cluster-admin`, `admin-equivalent`, `privilege-escalation`, `data-access`, ... */
  reaches: string;
  /** Hop by hop, from the subject to what it reaches. */
  hops: AccessPathHop[];
  /**
   * Conditions the path depends on (the policy `Condition` blocks, as JSON). Empty: unconditional. A condition is never
   * assumed false; a path under one is reported as conditional.
   */
  conditions: string[];
}

export interface AccessPathHop {
  /** The principal or role at this hop. */
  principal: string;
  /** The policy and statement that grant the step: `inline:deploy-admin#0`, `arn:aws:iam::aws:policy/AdministratorAccess#0`, a role definition name. */
  via: string;
  /** The action the step uses: `sts:AssumeRole`, `eks:AssociateAccessPolicy`, `Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action`. */
  action: string;
  /** What the action applies to: a role ARN, the cluster ARN, a scope. */
  resource: string;
}

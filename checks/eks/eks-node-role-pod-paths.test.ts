import { describe } from 'vitest';
import { withCustomAmi, withSelfManagedNode } from './builders.ts';
import type { CheckCase } from './cases.ts';
import check from './eks-node-role-pod-paths.ts';
import { allowStmt, aNodeRole, aPolicyDocument, awsPolicy } from './iam-builders.ts';
import { itEvaluatesPathCases } from './path-cases.ts';
import { iamWith } from './path-fixtures.ts';

const NODE_ROLE = 'payments-prod-node-role';
const nodeRole = (attached: string[], inline: Record<string, ReturnType<typeof aPolicyDocument> | undefined> = {}) =>
  iamWith({ roles: [aNodeRole(NODE_ROLE, { attached, inline })] });

/** A self-managed node that allows IMDSv1, with the instance profile `self-nodes`. */
function selfManagedV1() {
  const o = withSelfManagedNode({ metadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 1 } });
  o.selfManagedNodes![0]!.IamInstanceProfile = { Arn: 'arn:aws:iam::111122223333:instance-profile/self-nodes' };
  return o;
}

const cases: CheckCase[] = [
  {
    name: 'passes when the reachable node role holds only the node policies',
    overrides: {},
    status: 'PASS',
    says: ['Pods reach the credentials of 1 node'],
  },
  {
    name: 'accepts the ECR pull-only policy',
    overrides: { iamAuthorization: nodeRole([awsPolicy('AmazonEC2ContainerRegistryPullOnly')]) },
    status: 'PASS',
    says: ['hold only the node policies'],
  },
  {
    name: "fails when EKS's default launch template lets pods reach a node role with S3 read",
    overrides: { iamAuthorization: nodeRole([awsPolicy('AmazonS3ReadOnlyAccess')]) },
    status: 'FAIL',
    severity: 'high',
    says: [`${NODE_ROLE} (node group general): ${awsPolicy('AmazonS3ReadOnlyAccess')}`, '(s3:GetObject) → data-access'],
  },
  {
    name: 'fails, critical, for an admin node role',
    overrides: { iamAuthorization: nodeRole([awsPolicy('AdministratorAccess')]) },
    status: 'FAIL',
    severity: 'critical',
    says: ['(iam:*) → admin-equivalent'],
  },
  {
    name: 'fails, medium, for an inline policy that adds no dangerous power',
    overrides: { iamAuthorization: nodeRole([], { logs: aPolicyDocument(allowStmt('logs:PutLogEvents')) }) },
    status: 'FAIL',
    severity: 'medium',
    says: ['inline:logs'],
  },
  {
    name: 'passes when IMDSv2 with hop limit 1 keeps pods from the node role',
    overrides: { ...withCustomAmi({}), iamAuthorization: nodeRole([awsPolicy('AdministratorAccess')]) },
    status: 'PASS',
    says: ["Pods cannot reach any node's instance metadata credentials", 'hop limit 1'],
  },
  {
    name: 'fails for a self-managed node that allows IMDSv1, its role found by instance profile name',
    overrides: {
      ...selfManagedV1(),
      iamAuthorization: iamWith({
        roles: [aNodeRole('self-nodes', { attached: [awsPolicy('AmazonS3ReadOnlyAccess')] })],
      }),
    },
    status: 'FAIL',
    says: ['self-nodes (self-managed node i-0123456789abcdef0)'],
  },
  {
    name: 'fails, naming it, for an extra node policy even when it could not be parsed',
    overrides: { iamAuthorization: nodeRole([], { broken: undefined }) },
    status: 'FAIL',
    says: ['inline:broken'],
  },
];

describe(check.id, () => {
  itEvaluatesPathCases(check, cases);
});

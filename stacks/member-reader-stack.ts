import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { AccountPrincipal, Policy, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AnyCheck } from '../core/check.ts';
import { publicParametersAcknowledgement, readActions, readStatements } from './read-policy.ts';
import { DEFAULT_READER_ROLE_NAME } from './scanner-stack.ts';

/** IAM service prefixes a check's `needs` may name; other needs are data sources (`k8s:aws-auth`), not IAM actions. */
/** The member role's actions, all of them: `readActions` flattened (stacks/read-policy.ts). */
export function memberReadActions(checks: readonly AnyCheck[]): string[] {
  const { anyResource, publicParameters } = readActions(checks);
  return [...anyResource, ...publicParameters].sort();
}

export interface MemberReaderStackProps extends StackProps {
  /** The security account the scanner runs in. */
  scannerAccountId: string;
  /** The scanner's function roles allowed to assume this role (the ScannerStack outputs them). */
  scannerRoleArns: string[];
  /** The checks whose needs the role grants (checks/index.ts). */
  checks: readonly AnyCheck[];
  /** @default KubepostureReader */
  roleName?: string;
  /** When set, AssumeRole must carry it (a tenant-unique value when one scanner serves several organizations). */
  externalId?: string;
  /**
   * Off by default: it writes into member clusters. Gives the reader role an EKS access entry with
   * AmazonEKSViewPolicy on `kube-system` in each named cluster, so Kubernetes-level checks (aws-auth) can read.
   */
  eksViewAccess?: { clusterNames: string[] };
}

/**
 * Deployed in every member account (CloudFormation StackSets, docs/deploy.md): the read-only role
 * the scanner assumes. It trusts only the scanner's roles, and its policy is generated from the
 * checks' declared needs, not from ReadOnlyAccess or SecurityAudit.
 */
export class MemberReaderStack extends Stack {
  readonly role: Role;
  readonly actions: string[];

  constructor(scope: Construct, id: string, props: MemberReaderStackProps) {
    super(scope, id, props);
    this.actions = memberReadActions(props.checks);
    this.role = new Role(this, 'Reader', {
      roleName: props.roleName ?? DEFAULT_READER_ROLE_NAME,
      description: 'kubeposture: read-only access for the posture scanner in the security account',
      // The account principal narrowed to the scanner's exact role ARNs: a trust policy may name roles
      // that do not exist yet (the StackSet can roll out before the scanner), and no one else in that account qualifies.
      assumedBy: new AccountPrincipal(props.scannerAccountId).withConditions({
        ArnEquals: { 'aws:PrincipalArn': props.scannerRoleArns },
        ...(props.externalId ? { StringEquals: { 'sts:ExternalId': props.externalId } } : {}),
      }),
      maxSessionDuration: Duration.hours(1),
    });
    const policy = new Policy(this, 'ReadPolicy', {
      statements: readStatements(props.checks, this.partition),
    });
    policy.attachToRole(this.role);
    Validations.of(policy).acknowledge(publicParametersAcknowledgement('<AWS::Partition>'), {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Read-only List/Describe actions, exactly those the checks and the collector declare. eks:ListClusters and ' +
        'ec2:DescribeRegions support no resource-level permissions, and the Describe actions must reach every ' +
        'cluster of this account, which an identity policy cannot extend beyond this account anyway.',
    });

    for (const clusterName of props.eksViewAccess?.clusterNames ?? []) {
      new CfnAccessEntry(this, `ViewAccess${clusterName.replace(/[^A-Za-z0-9]/g, '')}`, {
        clusterName,
        principalArn: this.role.roleArn,
        type: 'STANDARD',
        accessPolicies: [
          {
            policyArn: `arn:${this.partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`,
            accessScope: { type: 'namespace', namespaces: ['kube-system'] },
          },
        ],
      });
    }
  }
}

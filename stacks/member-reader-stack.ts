import { Arn, BootstraplessSynthesizer, Duration, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { AccountPrincipal, Policy, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AnyCheck } from '../core/check.ts';
import { ConfigError } from '../core/errors.ts';
import { publicParametersAcknowledgement, readActions, readStatements } from './read-policy.ts';
import { DEFAULT_READER_ROLE_NAME } from './scanner-stack.ts';

/** The member role's actions, all of them: `readActions` flattened (stacks/read-policy.ts). */
export function memberReadActions(checks: readonly AnyCheck[]): string[] {
  const { anyResource, publicParameters } = readActions(checks);
  return [...anyResource, ...publicParameters].sort();
}

/** The context key that names the security account, for messages. */
export const SCANNER_ACCOUNT_SETTING = 'kubeposture:scannerAccountId';

/**
 * The security account the member role trusts: the `kubeposture:scannerAccountId` context value, else the account
 * the CDK resolved from the credentials in use. Never `AWS::AccountId`: inside a StackSet that is each member account
 * itself, so the role would trust the wrong account and the scanner could assume none of them.
 */
export function resolveScannerAccountId(configured: unknown, deployingAccount: string | undefined): string {
  const value =
    configured ?? (deployingAccount && !Token.isUnresolved(deployingAccount) ? deployingAccount : undefined);
  if (value === undefined) {
    throw new ConfigError(
      `${SCANNER_ACCOUNT_SETTING} is not set and no AWS credentials name an account: the member reader role must ` +
        `trust the security account. Synthesize with -c ${SCANNER_ACCOUNT_SETTING}=<12-digit security account id>.`,
    );
  }
  const id = String(value);
  if (!/^\d{12}$/.test(id)) {
    throw new ConfigError(`${SCANNER_ACCOUNT_SETTING} must be a 12-digit AWS account id (got ${JSON.stringify(id)})`);
  }
  return id;
}

export interface MemberReaderStackProps extends StackProps {
  /** The security account the scanner runs in (12 digits; see `resolveScannerAccountId`). */
  scannerAccountId: string;
  /** Names of the scanner's function roles allowed to assume this role (SCANNER_ROLE_NAMES), in the scanner account. */
  scannerRoleNames: string[];
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
 *
 * A service-managed StackSet deploys the template into accounts that were never CDK-bootstrapped, so
 * it is synthesized without the bootstrap-version parameter and rule (BootstraplessSynthesizer, which
 * also refuses any asset), without CDK's metadata resource, and with the partition left to
 * CloudFormation (`AWS::Partition`).
 */
export class MemberReaderStack extends Stack {
  readonly role: Role;
  readonly actions: string[];

  constructor(scope: Construct, id: string, props: MemberReaderStackProps) {
    super(scope, id, {
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      ...props,
    });
    resolveScannerAccountId(props.scannerAccountId, undefined); // 12 digits, or a ConfigError naming the setting
    const scannerRoleArns = props.scannerRoleNames.map((roleName) =>
      Arn.format(
        { service: 'iam', region: '', account: props.scannerAccountId, resource: 'role', resourceName: roleName },
        this,
      ),
    );
    this.actions = memberReadActions(props.checks);
    this.role = new Role(this, 'Reader', {
      roleName: props.roleName ?? DEFAULT_READER_ROLE_NAME,
      description: 'kubeposture: read-only access for the posture scanner in the security account',
      // The account principal narrowed to the scanner's exact role ARNs: a trust policy may name roles
      // that do not exist yet (the StackSet can roll out before the scanner), and no one else in that account qualifies.
      assumedBy: new AccountPrincipal(props.scannerAccountId).withConditions({
        ArnEquals: { 'aws:PrincipalArn': scannerRoleArns },
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

import { fileURLToPath } from 'node:url';
import { Arn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { parseConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { ScannerFunction } from './constructs/scanner-function.ts';

export const DEFAULT_READER_ROLE_NAME = 'KubepostureReader';

/**
 * What the scan-target function calls in the scanner's own account (when no reader role is
 * assumed). All read-only; kept in step with what collectors/aws calls.
 */
export const SCANNER_READ_ACTIONS = [
  'eks:ListClusters',
  'eks:DescribeCluster',
  'eks:ListNodegroups',
  'eks:DescribeNodegroup',
  'eks:ListAddons',
  'eks:DescribeAddon',
  'eks:DescribeClusterVersions',
  'eks:DescribeAddonVersions',
  'ec2:DescribeRegions',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeImages',
  'ec2:DescribeInstances',
  'guardduty:ListDetectors',
  'guardduty:GetDetector',
  'eks:ListAccessEntries',
  'eks:DescribeAccessEntry',
  'eks:ListAssociatedAccessPolicies',
  'eks:ListPodIdentityAssociations',
  'eks:DescribePodIdentityAssociation',
  'iam:ListRoles',
  'iam:GetUser',
  'iam:ListOpenIDConnectProviders',
  'sts:GetCallerIdentity',
] as const;

/** AWS's public parameters (recommended EKS-optimized and Bottlerocket releases), and nothing else in SSM. */
export const SCANNER_PUBLIC_PARAMETER_ACTIONS = ['ssm:GetParameter'] as const;

export interface ScannerStackProps extends StackProps {
  /**
   * The role the scanner assumes in each member account.
   * @default 'KubepostureReader', or `aws.roleName` when the config sets it
   */
  readerRoleName?: string;
  /**
   * The scan configuration (the same document as the CLI's, as an object). Validated here, at
   * synth, so a bad one never deploys; the function gets it as `KUBEPOSTURE_CONFIG`.
   */
  config?: unknown;
  logRetention?: RetentionDays;
  /** Upper bound on concurrent scan-target invocations. @default unreserved */
  scanTargetConcurrency?: number;
}

const SCAN_TARGET_ENTRY = fileURLToPath(new URL('../functions/scan-target.ts', import.meta.url));

/** The serverless scanner: for now, the scan-target function and what it may do. */
export class ScannerStack extends Stack {
  readonly scanTarget: ScannerFunction;

  constructor(scope: Construct, id: string, props: ScannerStackProps = {}) {
    super(scope, id, props);
    const { config, readerRoleNames, readsOwnAccount } = resolveScannerConfig(props.config, props.readerRoleName);

    this.scanTarget = new ScannerFunction(this, 'ScanTarget', {
      entry: SCAN_TARGET_ENTRY,
      description: 'kubeposture: collects and evaluates one target (AWS account × region)',
      environment: { KUBEPOSTURE_CONFIG: JSON.stringify(config) },
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.scanTargetConcurrency,
    });

    const assumeReader = new Policy(this, 'AssumeReaderRolePolicy', {
      statements: [
        new PolicyStatement({
          sid: 'AssumeReaderRole',
          effect: Effect.ALLOW,
          actions: ['sts:AssumeRole'],
          resources: readerRoleNames.map(({ accountId, roleName }) =>
            Arn.format(
              { service: 'iam', region: '', account: accountId, resource: 'role', resourceName: roleName },
              this,
            ),
          ),
        }),
      ],
    });
    assumeReader.attachToRole(this.scanTarget.role!);
    this.scanTarget.node.addDependency(assumeReader);
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    for (const { accountId, roleName } of readerRoleNames) {
      if (accountId !== '*') continue;
      Validations.of(assumeReader).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:iam::*:role/${roleName}]`,
        reason:
          'The config lists no member accounts, so the scan targets (and later the accounts found through ' +
          'Organizations) are known only at scan time and the account is a wildcard. The role name is fixed, ' +
          'the only action is sts:AssumeRole, and a member role admits the scanner only if its trust policy ' +
          'names this scanner. Listing aws.accounts in the config narrows this to exact role ARNs.',
      });
    }

    // Without listed accounts the collector scans the scanner's own account with its own
    // credentials; with them, every read goes through a reader role and this policy is not needed.
    if (readsOwnAccount) {
      const readOwnAccount = new Policy(this, 'ReadOwnAccountPolicy', {
        statements: [
          new PolicyStatement({
            sid: 'ReadEksInventory',
            effect: Effect.ALLOW,
            actions: [...SCANNER_READ_ACTIONS],
            resources: ['*'],
          }),
          new PolicyStatement({
            sid: 'ReadPublicParameters',
            effect: Effect.ALLOW,
            actions: [...SCANNER_PUBLIC_PARAMETER_ACTIONS],
            resources: [`arn:${this.partition}:ssm:*::parameter/aws/service/*`],
          }),
        ],
      });
      readOwnAccount.attachToRole(this.scanTarget.role!);
      this.scanTarget.node.addDependency(readOwnAccount);
      Validations.of(readOwnAccount).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Read-only List/Describe actions. eks:ListClusters, ec2:DescribeRegions and sts:GetCallerIdentity support ' +
          'no resource-level permissions, and the EKS Describe/List actions must reach every cluster in every ' +
          'region of this account, which an identity policy cannot extend beyond this account anyway.',
      });
      Validations.of(readOwnAccount).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${partition}:ssm:*::parameter/aws/service/*]`,
        reason:
          'ssm:GetParameter on the public /aws/service/ parameters only (the recommended EKS node AMI releases), ' +
          'in every region scanned; no parameter of this account is readable through it.',
      });
    }
  }
}

interface ReaderRoleRef {
  /** `*` when the accounts are discovered at scan time. */
  accountId: string;
  roleName: string;
}

/**
 * Validates the scan configuration and works out which reader roles the function may assume:
 * the exact ARNs when the config lists the accounts, otherwise the role name in any account.
 */
export function resolveScannerConfig(
  rawConfig: unknown,
  readerRoleName?: string,
): { config: Record<string, unknown>; readerRoleNames: ReaderRoleRef[]; readsOwnAccount: boolean } {
  const raw = parseRawConfig(rawConfig);
  parseConfig(raw, 'scanner stack config'); // names a bad field before anything is read from it
  const rawAws = raw.aws as Record<string, unknown> | undefined;
  const configured = rawAws?.roleName;
  if (readerRoleName !== undefined && configured !== undefined && configured !== readerRoleName) {
    throw new ConfigError(
      `readerRoleName (${readerRoleName}) and config aws.roleName (${String(configured)}) disagree; set one of them`,
    );
  }
  // The function gets the role name explicitly, so what IAM allows and what it assumes are one value.
  const config = { ...raw, aws: { ...rawAws, roleName: readerRoleName ?? configured ?? DEFAULT_READER_ROLE_NAME } };
  const parsed = parseConfig(config, 'scanner stack config');
  const roleName = parsed.aws.roleName;

  const accounts = parsed.aws.accounts;
  const refs: ReaderRoleRef[] = accounts
    ? accounts.map((a) => ({ accountId: a.id, roleName: a.roleName ?? roleName }))
    : [{ accountId: '*', roleName }];
  const seen = new Set<string>();
  return {
    config,
    readsOwnAccount: !accounts,
    readerRoleNames: refs.filter((r) => {
      const key = `${r.accountId}/${r.roleName}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

function parseRawConfig(rawConfig: unknown): Record<string, unknown> {
  if (rawConfig === undefined || rawConfig === null) return {};
  if (typeof rawConfig === 'string') {
    try {
      return parseRawConfig(JSON.parse(rawConfig));
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError('The scanner stack config is a string but not valid JSON');
    }
  }
  if (typeof rawConfig !== 'object' || Array.isArray(rawConfig)) {
    throw new ConfigError('The scanner stack config must be an object (the scan configuration document)');
  }
  return rawConfig as Record<string, unknown>;
}
